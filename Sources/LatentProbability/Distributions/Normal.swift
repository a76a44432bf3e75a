import Foundation
import LatentCore

/// The normal (Gaussian) distribution N(μ, σ²), elementwise over a batch.
///
///     log p(x) = −(x − μ)²/(2σ²) − ln σ − ½ ln 2π
///
/// Parameters broadcast together to the batch shape; the event shape is `[]`. `rsample`
/// is μ + σε with ε ~ N(0, 1) (Kingma & Welling 2014).
///
/// ```swift
/// let q = Normal(loc: mu, scale: logSigma.exp())
/// let z = q.rsample(generator: &rng)              // differentiable in mu and logSigma
/// let kl = klDivergence(q, Normal(loc: 0, scale: 1))
/// ```
public struct Normal: Distribution, Sendable {
    /// The mean μ, broadcast to the batch shape.
    public let loc: Tensor
    /// The standard deviation σ > 0, broadcast to the batch shape.
    public let scale: Tensor
    public let batchShape: [Int]
    public var eventShape: [Int] { [] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .real }

    /// - Parameters:
    ///   - loc: The mean μ (not NaN).
    ///   - scale: The standard deviation σ (positive, finite).
    public init(loc: Tensor, scale: Tensor) {
        batchShape = checkParameters { () throws(DistributionParameterError) in try Self.validate(loc: loc, scale: scale) }
        self.loc = loc.broadcast(to: batchShape)
        self.scale = scale.broadcast(to: batchShape)
    }

    /// Checks the parameters and returns the batch shape.
    public static func validate(loc: Tensor, scale: Tensor) throws(DistributionParameterError) -> [Int] {
        try DistributionValidation.locationScale("Normal", loc: loc, scale: scale)
    }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        loc + scale * generator.normal(sampleShape + batchShape)
    }

    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        let z = (value - loc) / scale
        return z.square() * -0.5 - scale.log() - Float(NormalTail.logSqrt2Pi)
    }

    /// ½ + ½ ln 2π + ln σ.
    public func entropy() -> Tensor { scale.log() + Float(0.5 + NormalTail.logSqrt2Pi) }
    public var mean: Tensor { loc }
    public var variance: Tensor { scale.square() }

    /// Φ((x − μ)/σ) = ½ erfc(−(x − μ)/(σ√2)), accurate in the lower tail.
    public func cdf(_ value: Tensor) -> Tensor {
        _ = checkValue("cdf", value)
        return ((value - loc) / scale * Float(-1 / 2.0.squareRoot())).erfc() * 0.5
    }

    /// ln Φ((x − μ)/σ), finite far into the lower tail (see `Tensor.standardNormalLogCDF()`).
    public func logCDF(_ value: Tensor) -> Tensor {
        _ = checkValue("logCDF", value)
        return ((value - loc) / scale).standardNormalLogCDF()
    }

    /// μ + σ Φ⁻¹(p), with Φ⁻¹ accurate for tiny p (``LatentCore/Tensor/normalQuantile()``).
    public func icdf(_ probability: Tensor) -> Tensor {
        _ = checkValue("icdf", probability)
        return loc + scale * probability.normalQuantile()
    }
}

extension Normal: AnalyticKLDivergence {
    /// KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) = ln(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½.
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? Normal else { return nil }
        let ratio = (scale / q.scale).square()
        let shift = ((loc - q.loc) / q.scale).square()
        return (ratio + shift - 1 - ratio.log()) * 0.5
    }
}

extension Normal {
    /// The same distribution with its parameters broadcast to `batchShape` (samples are
    /// independent along the new dimensions).
    public func expand(_ batchShape: [Int]) -> Normal {
        checkExpansion(to: batchShape)
        return Normal(loc: loc.broadcast(to: batchShape), scale: scale.broadcast(to: batchShape))
    }
}
