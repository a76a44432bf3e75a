import Foundation
import LatentCore

/// The Cauchy distribution with location μ and scale γ.
///
///     log p(x) = −ln π − ln γ − ln(1 + ((x − μ)/γ)²)
///
/// Parameters broadcast to the batch shape; the event shape is `[]`. The mean and
/// variance do not exist: `mean` is NaN and `variance` is +∞ (as PyTorch). `rsample`
/// applies the quantile function μ + γ tan(π(u − ½)) to an open uniform draw.
public struct Cauchy: LocationScaleFamily, Sendable {
    public let parameters: LocationScale

    /// - Parameters:
    ///   - loc: The location μ.
    ///   - scale: The scale γ > 0.
    public init(loc: Tensor, scale: Tensor) { parameters = LocationScale("Cauchy", loc: loc, scale: scale) }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        loc + scale * openUniform(sampleShape + batchShape, generator: &generator).standardCauchyQuantile()
    }

    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        return -log1pSquare((value - loc) / scale) - scale.log() - Float(Foundation.log(Double.pi))
    }

    /// ln(4πγ).
    public func entropy() -> Tensor { scale.log() + Float(Foundation.log(4 * Double.pi)) }
    /// Undefined: NaN.
    public var mean: Tensor { Tensor(repeating: .nan, shape: batchShape) }
    /// Undefined: +∞.
    public var variance: Tensor { Tensor(repeating: .infinity, shape: batchShape) }

    /// ½ + arctan((x − μ)/γ)/π.
    public func cdf(_ value: Tensor) -> Tensor {
        _ = checkValue("cdf", value)
        return ((value - loc) / scale).standardCauchyCDF()
    }

    /// μ + γ tan(π(p − ½)).
    public func icdf(_ probability: Tensor) -> Tensor {
        _ = checkValue("icdf", probability)
        return loc + scale * probability.standardCauchyQuantile()
    }
}
