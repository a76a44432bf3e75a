import Foundation
import LatentCore
import LatentNN

/// A normalising-flow posterior `q(z | x)`: a diagonal Gaussian `q₀(z₀ | x)` from the encoder
/// pushed through invertible steps `z_T = f_T ∘ … ∘ f_1(z₀)` whose parameters may depend on
/// `x` (Rezende & Mohamed, 2015; Kingma et al., 2016):
///
/// `log q(z_T | x) = log q₀(z₀ | x) − Σₜ log |det ∂fₜ/∂zₜ₋₁|`.
///
/// The density is known along the sampling path only, so ``rsampleWithLogProb(sampleCount:generator:)``
/// gives `z` with its `log q`; scoring external points (``logProb(_:)``), the analytic KL
/// and a detached copy (DReG) are not available.
public struct FlowPosterior: GaussianPosterior {
    /// `q₀(z₀ | x)`.
    public let base: DiagonalGaussian
    /// The steps: `z [S, B, Z] ↦ (f(z), log |det ∂f/∂z| [S, B])`, composed in order.
    public let steps: [(Tensor) -> (Tensor, Tensor)]

    public init(base: DiagonalGaussian, steps: [(Tensor) -> (Tensor, Tensor)]) {
        self.base = base
        self.steps = steps
    }

    /// `(f_T ∘ … ∘ f_1(z₀), Σₜ log |det|)` for `z₀` of shape `[S, B, Z]`.
    public func push(_ z0: Tensor) -> (z: Tensor, logDeterminant: Tensor) {
        var z = z0
        var total: Tensor?
        for step in steps {
            let (next, logDeterminant) = step(z)
            z = next
            total = total.map { $0 + logDeterminant } ?? logDeterminant
        }
        return (z, total ?? Tensor.zeros(Array(z0.shape.dropLast())))
    }

    /// The flow's image of the base mean, `f(μ₀)`, `[B, Z]` — a location of `q` (not `E_q[z]`),
    /// used for reconstructions and the active-unit count.
    public var mean: Tensor { push(base.mean.unsqueezed(axis: 0)).z.squeezed(axis: 0) }

    public func rsample(sampleCount: Int, generator: inout RandomGenerator) -> Tensor {
        rsampleWithLogProb(sampleCount: sampleCount, generator: &generator).z
    }

    public func rsampleWithLogProb(sampleCount: Int, generator: inout RandomGenerator) -> (z: Tensor, logProb: Tensor) {
        let z0 = base.rsample(sampleCount: sampleCount, generator: &generator)
        let (z, logDeterminant) = push(z0)
        return (z, base.logProb(z0) - logDeterminant)
    }

    public func logProb(_ z: Tensor) -> Tensor {
        fatalError("FlowPosterior: log q of an external point needs the flow's inverse; use rsampleWithLogProb")
    }

    public var hasAnalyticKL: Bool { false }

    public func klDivergenceFromStandardNormal() -> Tensor {
        fatalError("FlowPosterior: no analytic KL; estimate E_q[log q − log p] by Monte Carlo")
    }

    public var klDivergencePerDimension: Tensor? { nil }

    public func detachedPosterior() -> any GaussianPosterior {
        fatalError("FlowPosterior: no detached copy (the doubly reparameterised gradient needs log q of external points)")
    }

    // MARK: Steps

    /// Parameters per planar step of a `Z`-dimensional latent: `u`, `w` (`Z` each) and `b`.
    public static func planarParameterCount(latentDimension z: Int) -> Int { 2 * z + 1 }

    /// An amortised planar step (Rezende & Mohamed, 2015) with per-example parameters
    /// `[B, 2Z + 1]` = `[u, w, b]`: `f(z) = z + û tanh(wᵀz + b)`, where
    /// `û = u + (m(wᵀu) − wᵀu) w / ‖w‖²`, `m(a) = −1 + softplus(a)` (so `wᵀû ≥ −1` and `f` is
    /// invertible), and `log |det ∂f/∂z| = log |1 + wᵀû (1 − tanh²(wᵀz + b))|`.
    public static func planarStep(parameters: Tensor) -> (Tensor) -> (Tensor, Tensor) {
        let z = (parameters.shape.last! - 1) / 2
        let parts = parameters.split(sizes: [z, z, 1], alongAxis: -1)
        let (u, w, b) = (parts[0], parts[1], parts[2])
        let wu = (w * u).sum(alongAxis: -1, keepDims: true)
        let wuHat = wu.softplus() - 1                                         // m(wᵀu) = wᵀû
        let uHat = u + (wuHat - wu) * w / (w.square().sum(alongAxis: -1, keepDims: true) + 1e-8)
        return { zIn in
            let h = ((zIn * w).sum(alongAxis: -1, keepDims: true) + b).tanh()       // [S, B, 1]
            let logDeterminant = (1 + (1 - h.square()) * wuHat).clamped(min: 1e-8).log().squeezed(axis: -1)
            return (zIn + h * uHat, logDeterminant)
        }
    }

    /// An inverse autoregressive step (Kingma et al., 2016, numerically stable form): with
    /// `[m, s] = MADE(z, h)` autoregressive in `z` and conditioned on the encoder context `h`,
    /// `σ = sigmoid(s)`, `f(z) = σ ⊙ z + (1 − σ) ⊙ m` and `log |det ∂f/∂z| = Σⱼ log σⱼ`. The
    /// output is reversed along `Z` so that successive steps alternate the order.
    public static func inverseAutoregressiveStep(network: MADE, context: Tensor) -> (Tensor) -> (Tensor, Tensor) {
        { zIn in
            let parts = network(zIn, context: context).chunked(2, alongAxis: -1)     // [S, B, Z, 1] each
            let shift = parts[0].squeezed(axis: -1), gate = parts[1].squeezed(axis: -1)
            let sigma = gate.sigmoid()
            let z = sigma * zIn + (1 - sigma) * shift
            return (z.flipped(alongAxis: -1), -(-gate).softplus().sum(alongAxis: -1))
        }
    }
}
