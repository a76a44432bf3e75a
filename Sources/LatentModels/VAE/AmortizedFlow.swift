import Foundation
import LatentCore
import LatentNN
import LatentProbability

/// A Gaussian pushed through invertible steps whose parameters depend on the example:
/// the planar and IAF posteriors `q(z | x)` of a VAE (Rezende & Mohamed, 2015; Kingma et
/// al., 2016). `z_T = f_T ∘ … ∘ f_1(z₀)`, `z₀ ~ q₀(z₀ | x)` (the encoder's diagonal Gaussian),
///
/// `log q(z_T | x) = log q₀(z₀ | x) − Σₜ log |det ∂fₜ/∂zₜ₋₁|`.
///
/// A ``Distribution`` whose density is known along its own draws: ``sampleAndLogProb(_:generator:)``
/// gives `z` with `log q` in one pass, which is all a VAE bound and the Monte-Carlo KL
/// need. Scoring external points (``logProb(_:)``) needs the inverse of every step, which
/// planar steps lack: it traps, naming the remedy. (A ``FlowDistribution`` of a ``Flow``
/// with invertible transforms scores any point.)
public struct AmortizedFlow: Distribution {
    /// `q₀(z₀ | x)`: batch `[B]`, events `[Z]`.
    public let base: any Distribution
    /// The steps: `z [S, B, Z] ↦ (f(z), log |det ∂f/∂z| [S, B])`, composed in order.
    public let steps: [(Tensor) -> (Tensor, Tensor)]

    public init(base: any Distribution, steps: [(Tensor) -> (Tensor, Tensor)]) {
        self.base = base
        self.steps = steps
    }

    public var batchShape: [Int] { base.batchShape }
    public var eventShape: [Int] { base.eventShape }
    public var hasRSample: Bool { true }
    public var support: Constraint { .realVector }

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
    public var location: Tensor { push(base.mean.unsqueezed(axis: 0)).z.squeezed(axis: 0) }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        sampleAndLogProb(sampleShape, generator: &generator).sample
    }

    public func sampleAndLogProb(_ sampleShape: [Int], generator: inout RandomGenerator) -> (sample: Tensor, logProb: Tensor) {
        let z0 = base.rsample(sampleShape, generator: &generator)
        let (z, logDeterminant) = push(z0)
        return (z, base.logProb(z0) - logDeterminant)
    }

    public func logProb(_ value: Tensor) -> Tensor {
        fatalError("AmortizedFlow: log q of an external point needs the inverse of every step; use sampleAndLogProb, or a Flow with invertible transforms (ConditionalFlowPosterior)")
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
