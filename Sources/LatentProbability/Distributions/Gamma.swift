import LatentCore

/// The Gamma distribution with concentration (shape) α and rate β.
///
///     log p(x) = α ln β + (α − 1) ln x − βx − ln Γ(α),   x ≥ 0
///
/// Parameters broadcast to the batch shape; the event shape is `[]`. `rsample` draws
/// standard Gamma(α, 1) samples (Marsaglia–Tsang) and divides by β; the samples are
/// differentiable in α through implicit reparameterisation (Figurnov et al. 2018), see
/// ``standardGamma(concentration:generator:)``.
public struct Gamma: Distribution, Sendable {
    /// The concentration α > 0, broadcast to the batch shape.
    public let concentration: Tensor
    /// The rate β > 0 (inverse scale), broadcast to the batch shape.
    public let rate: Tensor
    public let batchShape: [Int]
    public var eventShape: [Int] { [] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .nonnegative }

    /// - Parameters:
    ///   - concentration: The shape α > 0.
    ///   - rate: The rate β > 0 (default 1).
    public init(concentration: Tensor, rate: Tensor = Tensor(1)) {
        batchShape = checkParameters { () throws(DistributionParameterError) in
            try Self.validate(concentration: concentration, rate: rate)
        }
        self.concentration = concentration.broadcast(to: batchShape)
        self.rate = rate.broadcast(to: batchShape)
    }

    /// Checks the parameters and returns the batch shape.
    public static func validate(concentration: Tensor, rate: Tensor) throws(DistributionParameterError) -> [Int] {
        let shape = try DistributionValidation.broadcastShape(
            "Gamma", [("concentration", concentration.shape), ("rate", rate.shape)])
        try DistributionValidation.requirePositive("Gamma", "concentration", concentration)
        try DistributionValidation.requirePositive("Gamma", "rate", rate)
        return shape
    }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        let alpha = concentration.broadcast(to: sampleShape + batchShape)
        return (standardGamma(concentration: alpha, generator: &generator) / rate).clamped(min: Float.leastNormalMagnitude)
    }

    /// −∞ for x < 0; at x = 0 the limit (+∞ for α < 1, ln β for α = 1, −∞ for α > 1).
    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        return logDensity(inside: value .>= 0, value: value, substitute: 1) { x in
            xlogy(concentration, rate) + xlogy(concentration - 1, x) - rate * x - concentration.lgamma()
        }
    }

    /// α − ln β + ln Γ(α) + (1 − α)ψ(α).
    public func entropy() -> Tensor {
        concentration - rate.log() + concentration.lgamma() + (1 - concentration) * concentration.digamma()
    }

    /// α/β.
    public var mean: Tensor { concentration / rate }
    /// α/β².
    public var variance: Tensor { concentration / rate.square() }

    /// P(α, βx), the regularised lower incomplete gamma function (``regularizedGammaP(_:_:)``).
    public func cdf(_ value: Tensor) -> Tensor {
        _ = checkValue("cdf", value)
        return regularizedGammaP(concentration, rate * maximum(value, Tensor(0)))
    }
}

extension Gamma: AnalyticKLDivergence {
    /// KL(Gamma(α₁, β₁) ‖ Gamma(α₂, β₂))
    /// = (α₁ − α₂)ψ(α₁) − ln Γ(α₁) + ln Γ(α₂) + α₂(ln β₁ − ln β₂) + α₁(β₂ − β₁)/β₁.
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? Gamma else { return nil }
        let (a1, b1, a2, b2) = (concentration, rate, q.concentration, q.rate)
        return (a1 - a2) * a1.digamma() - a1.lgamma() + a2.lgamma() + a2 * (b1.log() - b2.log()) + a1 * (b2 - b1) / b1
    }
}

extension Gamma {
    /// The same distribution with its parameters broadcast to `batchShape` (samples are
    /// independent along the new dimensions).
    public func expand(_ batchShape: [Int]) -> Gamma {
        checkExpansion(to: batchShape)
        return Gamma(concentration: concentration.broadcast(to: batchShape), rate: rate.broadcast(to: batchShape))
    }
}
