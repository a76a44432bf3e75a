import Foundation
import LatentCore

/// `log P(v)` of a mixture of discretised logistics over `L` levels (Salimans et al., 2017,
/// PixelCNN++), for any `L ≥ 2` (LatentProbability's ``DiscretizedLogisticMixture`` is for
/// `2ᵇ` levels).
///
/// Level `v` sits at `x = 2v/(L − 1) − 1 ∈ [−1, 1]` and owns the bin `[x − h, x + h]`,
/// `h = 1/(L − 1)`; the lowest level takes `(−∞, −1 + h]`, the highest `[1 − h, ∞)`. With
/// `σ` the logistic CDF, scale `s = exp(log s)` (log-scales clamped below at −7) and
/// weights `π = softmax(logits)`:
///
/// `P(v) = Σₖ πₖ [σ((x + h − μₖ)/sₖ) − σ((x − h − μₖ)/sₖ)]` (edge bins one-sided).
///
/// An interior bin whose CDF difference is below 10⁻⁵ uses the density at its centre times
/// its width, `log p(x) + log 2h` (PixelCNN++'s fallback, avoiding `log 0`). Composed of
/// differentiable ops.
///
/// - Parameters:
///   - levels: `L`.
///   - values: `x` on the level grid in [−1, 1], broadcastable to the parameters (e.g. `[..., D, 1]`).
///   - logits: Mixture logits, `[..., M]`.
///   - means: Component means `μ`, `[..., M]`.
///   - logScales: Component log-scales, `[..., M]`.
/// - Returns: `log P(v)`, the parameters' shape without the last axis.
public func discretizedLogisticMixtureLogProb(levels: Int, values: Tensor, logits: Tensor, means: Tensor,
                                              logScales: Tensor) -> Tensor {
    ensure(levels >= 2, "discretizedLogisticMixtureLogProb: needs at least 2 levels, got \(levels)")
    let h = 1 / Float(levels - 1)
    let logScale = logScales.clamped(min: -7)
    let inverseScale = (-logScale).exp()
    let centred = values - means
    let upper = inverseScale * (centred + h)
    let lower = inverseScale * (centred - h)
    let logCDFUpper = upper - upper.softplus()              // log σ(upper), lowest level
    let logSurvivalLower = -lower.softplus()                // log(1 − σ(lower)), highest level
    let cdfDifference = upper.sigmoid() - lower.sigmoid()
    let middle = inverseScale * centred
    let logDensityMiddle = middle - logScale - 2 * middle.softplus()
    let interior = `where`(cdfDifference .> Float(1e-5), cdfDifference.clamped(min: 1e-12).log(),
                           logDensityMiddle + Float(Foundation.log(2 * Double(h))))
    let perComponent = `where`(values .< -1 + h / 2, logCDFUpper, `where`(values .> 1 - h / 2, logSurvivalLower, interior))
    return (perComponent + logits.logSoftmax(alongAxis: -1)).logSumExp(alongAxis: -1)
}
