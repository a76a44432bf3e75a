import LatentCore

/// Gradient penalties on a discriminator `D`, differentiable with respect to `D`'s
/// parameters (the input gradient is computed with `createGraph: true`, so the trainer's
/// differentiation of the discriminator loss goes through it: a double backward).
///
/// | penalty | value | paper |
/// |---|---|---|
/// | ``gradientPenalty(_:real:fake:epsilon:)`` | E(‖∇D(x̂)‖ − 1)², x̂ = εx + (1 − ε)G(z), ε ~ U(0, 1) per example | Gulrajani et al. 2017 (WGAN-GP) |
/// | ``squaredGradientNorm(_:at:)`` on real data, times γ/2 | R1 = γ/2 E‖∇D(x)‖² | Mescheder et al. 2018 |
/// | the same on generated data | R2 = γ/2 E‖∇D(G(z))‖² | ibid. |
public enum AdversarialPenalty {
    /// ‖∇ₓ D(x)‖² of every example (`[B]`), recorded for a second differentiation.
    public static func squaredGradientNorm(_ discriminator: (Tensor) -> Tensor, at x: Tensor) -> Tensor {
        let g = gradient(at: x, createGraph: true) { discriminator($0).sum() }
        return g.square().reshaped(to: [x.shape[0], -1]).sum(alongAxis: 1)
    }

    /// The WGAN-GP penalty E(‖∇D(x̂)‖ − 1)² at `x̂ = εx + (1 − ε)x̃`.
    /// - Parameters:
    ///   - real: Data `x`, `[B, ...]`.
    ///   - fake: Generated data `x̃` (constants), same shape.
    ///   - epsilon: The interpolation weights `[B]` (uniform on [0, 1] in training).
    public static func gradientPenalty(_ discriminator: (Tensor) -> Tensor, real: Tensor, fake: Tensor, epsilon: Tensor) -> Tensor {
        let e = epsilon.reshaped(to: [real.shape[0]] + Array(repeating: 1, count: real.rank - 1))
        let interpolate = (e * real + (1 - e) * fake).detached()
        let norm = (squaredGradientNorm(discriminator, at: interpolate) + 1e-12).sqrt()
        return (norm - 1).square().mean()
    }
}
