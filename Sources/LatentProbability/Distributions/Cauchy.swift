import Foundation
import LatentCore

/// The Cauchy distribution with location μ and scale γ.
///
///     log p(x) = −ln π − ln γ − ln(1 + ((x − μ)/γ)²)
///
/// Parameters broadcast to the batch shape; the event shape is `[]`. The mean and
/// variance do not exist: `mean` is NaN and `variance` is +∞ (as PyTorch). `rsample`
/// applies the quantile function μ + γ tan(π(u − ½)) to an open uniform draw.
public struct Cauchy: Distribution, Sendable {
    /// The location μ (the median), broadcast to the batch shape.
    public let loc: Tensor
    /// The scale γ > 0 (half the interquartile range), broadcast to the batch shape.
    public let scale: Tensor
    public let batchShape: [Int]
    public var eventShape: [Int] { [] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .real }

    /// - Parameters:
    ///   - loc: The location μ.
    ///   - scale: The scale γ > 0.
    public init(loc: Tensor, scale: Tensor) {
        batchShape = checkParameters { () throws(DistributionParameterError) in try Self.validate(loc: loc, scale: scale) }
        self.loc = loc.broadcast(to: batchShape)
        self.scale = scale.broadcast(to: batchShape)
    }

    /// Checks the parameters and returns the batch shape.
    public static func validate(loc: Tensor, scale: Tensor) throws(DistributionParameterError) -> [Int] {
        try DistributionValidation.locationScale("Cauchy", loc: loc, scale: scale)
    }

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

extension Cauchy {
    /// The same distribution with its parameters broadcast to `batchShape` (samples are
    /// independent along the new dimensions).
    public func expand(_ batchShape: [Int]) -> Cauchy {
        checkExpansion(to: batchShape)
        return Cauchy(loc: loc.broadcast(to: batchShape), scale: scale.broadcast(to: batchShape))
    }
}
