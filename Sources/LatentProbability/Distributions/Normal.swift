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
    /// log σ², broadcast to the batch shape, when the distribution was built from it
    /// (``init(loc:logVariance:)``, the parameterisation of a VAE's encoder); else nil.
    public let logVariance: Tensor?
    /// σ as given to ``init(loc:scale:)`` (nil when built from the log-variance).
    private let givenScale: Tensor?
    /// Whether μ = 0 and σ = 1 everywhere, as constants (not recorded for differentiation):
    /// the standard normal of N(0, I) priors, which scores and samples with the plain
    /// formulas `−½ (x² + log 2π)` and `x = ε`.
    public let isStandard: Bool
    public let batchShape: [Int]
    public var eventShape: [Int] { [] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .real }

    /// The standard deviation σ > 0, broadcast to the batch shape (`exp(½ log σ²)` when
    /// built from the log-variance).
    public var scale: Tensor { givenScale ?? (logVariance! * 0.5).exp() }

    /// - Parameters:
    ///   - loc: The mean μ (not NaN).
    ///   - scale: The standard deviation σ (positive, finite).
    public init(loc: Tensor, scale: Tensor) {
        batchShape = checkParameters { () throws(DistributionParameterError) in try Self.validate(loc: loc, scale: scale) }
        self.loc = loc.broadcast(to: batchShape)
        self.givenScale = scale.broadcast(to: batchShape)
        self.logVariance = nil
        // Only constant parameters: a recorded (trainable) zero mean must keep its gradient.
        isStandard = !loc.isRecorded && !scale.isRecorded
            && loc.scalars.allSatisfy { $0 == 0 } && scale.scalars.allSatisfy { $0 == 1 }
    }

    /// N(μ, exp(log σ²)): the diagonal-Gaussian posterior of a VAE, whose encoder outputs
    /// `[μ, log σ²]` (Kingma & Welling, 2014). Only the shapes are checked (network outputs;
    /// a NaN reaches the loss, where the trainer reports it). Scores as
    /// `log p(x) = −½ ((x − μ)² e^{−log σ²} + log σ² + log 2π)`, and `KL(· ‖ N(0, 1))` is
    /// `½ (μ² + σ² − 1 − log σ²)`.
    ///
    /// - Parameters:
    ///   - loc: The mean μ.
    ///   - logVariance: log σ², broadcastable with `loc`.
    public init(loc: Tensor, logVariance: Tensor) {
        batchShape = checkParameters { () throws(DistributionParameterError) in
            try DistributionValidation.broadcastShape("Normal", [("loc", loc.shape), ("logVariance", logVariance.shape)])
        }
        self.loc = loc.broadcast(to: batchShape)
        self.logVariance = logVariance.broadcast(to: batchShape)
        self.givenScale = nil
        isStandard = false
    }

    /// The standard normal N(0, 1) with the given batch shape.
    public static func standard(_ batchShape: [Int] = []) -> Normal {
        Normal(loc: Tensor.zeros(batchShape), scale: Tensor.ones(batchShape))
    }

    /// Checks the parameters and returns the batch shape.
    public static func validate(loc: Tensor, scale: Tensor) throws(DistributionParameterError) -> [Int] {
        try DistributionValidation.locationScale("Normal", loc: loc, scale: scale)
    }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        if isStandard { return generator.normal(sampleShape + batchShape) }
        return loc + scale * generator.normal(sampleShape + batchShape)
    }

    public func logProb(_ value: Tensor) -> Tensor {
        let shape = checkValue("logProb", value)
        if isStandard {
            let logDensity = (value.square() + Float(2 * NormalTail.logSqrt2Pi)) * -0.5
            return logDensity.shape == shape ? logDensity : logDensity.broadcast(to: shape)
        }
        if let logVariance {
            let standardized = (value - loc) * (logVariance * -0.5).exp()
            return ((standardized.square() + logVariance) + Float(2 * NormalTail.logSqrt2Pi)) * -0.5
        }
        let z = (value - loc) / scale
        return z.square() * -0.5 - scale.log() - Float(NormalTail.logSqrt2Pi)
    }

    /// ½ + ½ ln 2π + ln σ.
    public func entropy() -> Tensor {
        if let logVariance { return logVariance * 0.5 + Float(0.5 + NormalTail.logSqrt2Pi) }
        return scale.log() + Float(0.5 + NormalTail.logSqrt2Pi)
    }
    public var mean: Tensor { loc }
    public var variance: Tensor { logVariance?.exp() ?? scale.square() }

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
    /// KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) = ln(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½; from a
    /// log-variance parameterisation to the standard normal, `½ (μ² + e^{log σ²} − log σ² − 1)`.
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? Normal else { return nil }
        if q.isStandard, let logVariance {
            let kl = (loc.square() + logVariance.exp() - logVariance - 1) * 0.5
            let shape = DistributionShapes.broadcast([batchShape, q.batchShape], op: "klDivergence(Normal, Normal)")
            return kl.shape == shape ? kl : kl.broadcast(to: shape)
        }
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
        if let logVariance { return Normal(loc: loc.broadcast(to: batchShape), logVariance: logVariance.broadcast(to: batchShape)) }
        return Normal(loc: loc.broadcast(to: batchShape), scale: scale.broadcast(to: batchShape))
    }
}
