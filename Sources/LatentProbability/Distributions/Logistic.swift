import Foundation
import LatentCore

/// The logistic distribution with location μ and scale s.
///
///     z = (x − μ)/s,   log p(x) = −z − 2 softplus(−z) − ln s,   F(x) = σ(z)
///
/// Parameters broadcast to the batch shape; the event shape is `[]`. `rsample` is
/// μ + s(ln u − ln(1 − u)) with u uniform on (0, 1).
public struct Logistic: LocationScaleFamily, Sendable {
    public let parameters: LocationScale

    /// - Parameters:
    ///   - loc: The location μ.
    ///   - scale: The scale s > 0.
    public init(loc: Tensor, scale: Tensor) { parameters = LocationScale("Logistic", loc: loc, scale: scale) }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        icdf(openUniform(sampleShape + batchShape, generator: &generator))
    }

    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        let z = (value - loc) / scale
        return -z - (-z).softplus() * 2 - scale.log()
    }

    /// ln s + 2.
    public func entropy() -> Tensor { scale.log() + 2 }
    public var mean: Tensor { loc }
    /// s²π²/3.
    public var variance: Tensor { scale.square() * (Float.pi * Float.pi / 3) }

    /// σ((x − μ)/s).
    public func cdf(_ value: Tensor) -> Tensor {
        _ = checkValue("cdf", value)
        return ((value - loc) / scale).sigmoid()
    }

    /// μ + s(ln p − ln(1 − p)).
    public func icdf(_ probability: Tensor) -> Tensor {
        _ = checkValue("icdf", probability)
        return loc + scale * (probability.log() - (-probability).log1p())
    }
}
