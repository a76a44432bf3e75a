import LatentCore

/// The exponential distribution with rate λ.
///
///     log p(x) = ln λ − λx,   x ≥ 0
///
/// The rate broadcasts to the batch shape; the event shape is `[]`. `rsample` is
/// −ln(u)/λ with u uniform on (0, 1).
public struct Exponential: Distribution, Sendable {
    /// The rate λ > 0 (1/mean), in the batch shape.
    public let rate: Tensor
    public var batchShape: [Int] { rate.shape }
    public var eventShape: [Int] { [] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .nonnegative }

    /// - Parameter rate: λ > 0.
    public init(rate: Tensor) {
        checkParameters { () throws(DistributionParameterError) in try Self.validate(rate: rate) }
        self.rate = rate
    }

    /// Checks the parameter.
    public static func validate(rate: Tensor) throws(DistributionParameterError) {
        try DistributionValidation.requirePositive("Exponential", "rate", rate)
    }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        -openUniform(sampleShape + batchShape, generator: &generator).log() / rate
    }

    /// ln λ − λx for x ≥ 0, −∞ for x < 0.
    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        return logDensity(inside: value .>= 0, value: value, substitute: 0) { x in rate.log() - rate * x }
    }

    /// 1 − ln λ.
    public func entropy() -> Tensor { 1 - rate.log() }
    public var mean: Tensor { 1 / rate }
    public var variance: Tensor { 1 / rate.square() }

    /// 1 − e^{−λx} (as −expm1(−λx)), 0 for x < 0.
    public func cdf(_ value: Tensor) -> Tensor {
        _ = checkValue("cdf", value)
        return -(-rate * maximum(value, Tensor(0))).expm1()
    }

    /// −ln(1 − p)/λ.
    public func icdf(_ probability: Tensor) -> Tensor {
        _ = checkValue("icdf", probability)
        return -(-probability).log1p() / rate
    }
}

extension Exponential: AnalyticKLDivergence {
    /// KL(Exp(λ₁) ‖ Exp(λ₂)) = ln(λ₁/λ₂) + λ₂/λ₁ − 1.
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? Exponential else { return nil }
        let ratio = q.rate / rate
        return ratio - ratio.log() - 1
    }
}

extension Exponential {
    /// The same distribution with its parameters broadcast to `batchShape` (samples are
    /// independent along the new dimensions).
    public func expand(_ batchShape: [Int]) -> Exponential {
        checkExpansion(to: batchShape)
        return Exponential(rate: rate.broadcast(to: batchShape))
    }
}
