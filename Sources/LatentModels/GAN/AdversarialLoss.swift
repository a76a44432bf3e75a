import LatentCore

/// The two players' objectives of a GAN, on the discriminator's outputs `D(x)` (logits, or
/// critic values for the Wasserstein losses).
///
/// | loss | discriminator minimises | generator minimises |
/// |---|---|---|
/// | `minimax` (Goodfellow et al. 2014) | −log σ(D(x)) − log(1 − σ(D(G(z)))) | log(1 − σ(D(G(z)))) |
/// | `non-saturating` (ibid., §3) | same | −log σ(D(G(z))) |
/// | `least-squares` (Mao et al. 2017) | ½(D(x) − 1)² + ½D(G(z))² | ½(D(G(z)) − 1)² |
/// | `wasserstein` (Arjovsky et al. 2017) | D(G(z)) − D(x), weights clipped to [−c, c] | −D(G(z)) |
/// | `wgan-gp` (Gulrajani et al. 2017) | D(G(z)) − D(x) + λ(‖∇D(x̂)‖ − 1)² | −D(G(z)) |
/// | `hinge` (Lim & Ye 2017; Miyato et al. 2018) | max(0, 1 − D(x)) + max(0, 1 + D(G(z))) | −D(G(z)) |
///
/// Every term is a mean over the batch. With `log σ(t) = −softplus(−t)` and
/// `log(1 − σ(t)) = −softplus(t)`, the logistic terms are numerically stable softplus
/// terms. The weight clipping of `wasserstein` and the gradient penalty of `wgan-gp` are
/// not part of these functions: ``AdversarialTraining`` applies them (the penalty needs the
/// discriminator itself, see ``AdversarialPenalty``).
public enum AdversarialLoss: String, Sendable, CaseIterable, OptionChoice {
    case minimax
    case nonSaturating = "non-saturating"
    case leastSquares = "least-squares"
    case wasserstein
    case wassersteinGradientPenalty = "wgan-gp"
    case hinge

    /// The discriminator's loss (mean over the batch) on real and generated outputs `[B, 1]`.
    public func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor {
        switch self {
        case .minimax, .nonSaturating:
            return (-real).softplus().mean() + fake.softplus().mean()
        case .leastSquares:
            return 0.5 * ((real - 1).square().mean() + fake.square().mean())
        case .wasserstein, .wassersteinGradientPenalty:
            return fake.mean() - real.mean()
        case .hinge:
            return (1 - real).relu().mean() + (1 + fake).relu().mean()
        }
    }

    /// The generator's loss (mean over the batch) on the outputs for generated data `[B, 1]`.
    public func generatorLoss(fake: Tensor) -> Tensor {
        switch self {
        case .minimax:
            return -fake.softplus().mean()
        case .nonSaturating:
            return (-fake).softplus().mean()
        case .leastSquares:
            return 0.5 * (fake - 1).square().mean()
        case .wasserstein, .wassersteinGradientPenalty, .hinge:
            return -fake.mean()
        }
    }

    /// Whether the discriminator is a critic (unbounded score, Wasserstein duality).
    public var isWasserstein: Bool { self == .wasserstein || self == .wassersteinGradientPenalty }
}
