import Foundation
import LatentCore

/// Uniform dequantisation and the logit transform of images, with exact log-determinant
/// accounting, so that flow likelihoods are likelihoods of the discrete data (Theis et
/// al. 2016; Dinh et al. 2017, RealNVP §4.1).
///
/// For pixel values k/(L − 1), k ∈ {0…L−1}, stored in [0, 1]:
///
/// 1. dequantise: y = (k + u)/L with u ~ U[0, 1)^D, so y ∈ [0, 1)^D;
/// 2. logit: s = α + (1 − 2α)y, w = log s − log(1 − s); the flow models w, and
///    log p_y(y) = log p_w(w) + Σ_d [log(1 − 2α) − log s_d − log(1 − s_d)].
///
/// The discrete probability is P(k) = ∫ p_v(k + u) du with v = L·y, so by Jensen
///
///     −log P(k) ≤ E_u[−log p_y(y)] + D log L     (nats),
///
/// and bits/dim = that bound / (D ln 2). ``negativeLogLikelihood(flowLogProb:logDeterminant:dimension:)``
/// implements the accounting.
public struct Dequantization: Sendable {
    /// Number of intensity levels L (256 for 8-bit images).
    public let levels: Int
    /// α of the logit transform (RealNVP: 0.05 for CIFAR-10; 1e-6 for MNIST).
    public let alpha: Float

    public init(levels: Int, alpha: Float = 1e-6) {
        ensure(levels >= 2, "Dequantization: levels must be at least 2, got \(levels)")
        self.levels = levels
        self.alpha = alpha
    }

    /// w = logit(α + (1 − 2α)y) for y = (k + u)/L, and log |dw/dy| summed per example `[B]`.
    ///
    /// - Parameters:
    ///   - x: Images `[B, ...]` with values k/(L − 1) in [0, 1].
    ///   - generator: The noise u.
    public func forward(_ x: Tensor, generator: inout RandomGenerator) -> (Tensor, Tensor) {
        let u = generator.uniform(x.shape)
        let y = ((x * Float(levels - 1)).rounded() + u) / Float(levels)
        return logit(y)
    }

    /// The logit transform alone (values already dequantised in [0, 1)).
    public func logit(_ y: Tensor) -> (Tensor, Tensor) {
        let s = alpha + (1 - 2 * alpha) * y
        let logS = s.log(), log1mS = (1 - s).log()
        let w = logS - log1mS
        let axes = Array(1..<y.rank)
        let perExample = Float(y.scalarCount / y.shape[0])
        let logDet = perExample * Float(log(Double(1 - 2 * alpha))) - (logS + log1mS).sum(alongAxes: axes)
        return (w, logDet)
    }

    /// Back from the flow's space to pixel values in [0, 1]: y = (sigmoid(w) − α)/(1 − 2α),
    /// clamped (the quantisation is not undone: values stay continuous).
    public func inverse(_ w: Tensor) -> Tensor {
        ((w.sigmoid() - alpha) / (1 - 2 * alpha)).clamped(min: 0, max: 1)
    }

    /// −log P of the discrete images in nats per example `[B]`: −(log p_w(w) + log |dw/dy|)
    /// + D log L.
    public func negativeLogLikelihood(flowLogProb: Tensor, logDeterminant: Tensor, dimension: Int) -> Tensor {
        -(flowLogProb + logDeterminant) + Float(Double(dimension) * log(Double(levels)))
    }
}
