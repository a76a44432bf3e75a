import Foundation
import LatentCore

/// The logistic distribution with location μ and scale s.
///
///     z = (x − μ)/s,   log p(x) = −z − 2 softplus(−z) − ln s,   F(x) = σ(z)
///
/// Parameters broadcast to the batch shape; the event shape is `[]`. `rsample` is
/// μ + s(ln u − ln(1 − u)) with u uniform on (0, 1).
public struct Logistic: Distribution, Sendable {
    /// The location μ (mean and median), broadcast to the batch shape.
    public let loc: Tensor
    /// The scale s > 0, broadcast to the batch shape.
    public let scale: Tensor
    public let batchShape: [Int]
    public var eventShape: [Int] { [] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .real }

    /// - Parameters:
    ///   - loc: The location μ.
    ///   - scale: The scale s > 0.
    public init(loc: Tensor, scale: Tensor) {
        batchShape = checkParameters { () throws(DistributionParameterError) in try Self.validate(loc: loc, scale: scale) }
        self.loc = loc.broadcast(to: batchShape)
        self.scale = scale.broadcast(to: batchShape)
    }

    /// Checks the parameters and returns the batch shape.
    public static func validate(loc: Tensor, scale: Tensor) throws(DistributionParameterError) -> [Int] {
        try DistributionValidation.locationScale("Logistic", loc: loc, scale: scale)
    }

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

extension Logistic {
    /// The same distribution with its parameters broadcast to `batchShape` (samples are
    /// independent along the new dimensions).
    public func expand(_ batchShape: [Int]) -> Logistic {
        checkExpansion(to: batchShape)
        return Logistic(loc: loc.broadcast(to: batchShape), scale: scale.broadcast(to: batchShape))
    }
}
