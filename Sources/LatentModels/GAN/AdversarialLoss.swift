import LatentCore

/// The two players' objectives of a GAN, on the discriminator's logits `D(x)`.
///
/// | loss | discriminator minimises | generator minimises |
/// |---|---|---|
/// | `minimax` (Goodfellow et al. 2014) | −log σ(D(x)) − log(1 − σ(D(G(z)))) | log(1 − σ(D(G(z)))) |
/// | `non-saturating` (ibid., §3) | same | −log σ(D(G(z))) |
/// | `least-squares` (Mao et al. 2017) | ½(D(x) − 1)² + ½D(G(z))² | ½(D(G(z)) − 1)² |
///
/// With `log σ(t) = −softplus(−t)` and `log(1 − σ(t)) = −softplus(t)`, every term is a
/// numerically stable softplus of a logit.
public enum AdversarialLoss: String, Sendable, CaseIterable, OptionChoice {
    case minimax
    case nonSaturating = "non-saturating"
    case leastSquares = "least-squares"

    /// The discriminator's loss (mean over the batch) on real and generated logits `[B, 1]`.
    public func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor {
        switch self {
        case .minimax, .nonSaturating:
            return (-real).softplus().mean() + fake.softplus().mean()
        case .leastSquares:
            return 0.5 * ((real - 1).square().mean() + fake.square().mean())
        }
    }

    /// The generator's loss (mean over the batch) on the logits of generated data `[B, 1]`.
    public func generatorLoss(fake: Tensor) -> Tensor {
        switch self {
        case .minimax:
            return -fake.softplus().mean()
        case .nonSaturating:
            return (-fake).softplus().mean()
        case .leastSquares:
            return 0.5 * (fake - 1).square().mean()
        }
    }
}
