import LatentCore

/// The Beta distribution on [0, 1] with concentrations α (`concentration1`) and β
/// (`concentration0`).
///
///     log p(x) = (α − 1) ln x + (β − 1) ln(1 − x) − ln B(α, β)
///
/// Parameters broadcast to the batch shape; the event shape is `[]`. `rsample` is
/// X/(X + Y) with X ~ Gamma(α, 1), Y ~ Gamma(β, 1), differentiable in α and β through
/// the Gammas' implicit reparameterisation (Figurnov et al. 2018); samples are kept
/// inside [tiny, 1 − ε/2] so that `logProb` stays finite.
public struct Beta: Distribution, Sendable {
    /// α > 0, the exponent of x, broadcast to the batch shape.
    public let concentration1: Tensor
    /// β > 0, the exponent of 1 − x, broadcast to the batch shape.
    public let concentration0: Tensor
    public let batchShape: [Int]
    public var eventShape: [Int] { [] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .unitInterval }

    /// - Parameters:
    ///   - concentration1: α > 0.
    ///   - concentration0: β > 0.
    public init(concentration1: Tensor, concentration0: Tensor) {
        batchShape = checkParameters { () throws(DistributionParameterError) in
            try Self.validate(concentration1: concentration1, concentration0: concentration0)
        }
        self.concentration1 = concentration1.broadcast(to: batchShape)
        self.concentration0 = concentration0.broadcast(to: batchShape)
    }

    /// Checks the parameters and returns the batch shape.
    public static func validate(concentration1: Tensor, concentration0: Tensor) throws(DistributionParameterError) -> [Int] {
        let shape = try DistributionValidation.broadcastShape(
            "Beta", [("concentration1", concentration1.shape), ("concentration0", concentration0.shape)])
        try DistributionValidation.requirePositive("Beta", "concentration1", concentration1)
        try DistributionValidation.requirePositive("Beta", "concentration0", concentration0)
        return shape
    }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        let shape = sampleShape + batchShape
        let x = standardGamma(concentration: concentration1.broadcast(to: shape), generator: &generator)
        let y = standardGamma(concentration: concentration0.broadcast(to: shape), generator: &generator)
        return (x / (x + y)).clamped(min: Float.leastNormalMagnitude, max: 1 - Float.ulpOfOne / 2)
    }

    /// −∞ outside [0, 1].
    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        return logDensity(inside: (value .>= 0) * (value .<= 1), value: value, substitute: 0.5) { x in
            xlogy(concentration1 - 1, x) + xlog1py(concentration0 - 1, -x) - logBeta(concentration1, concentration0)
        }
    }

    /// ln B(α, β) − (α − 1)ψ(α) − (β − 1)ψ(β) + (α + β − 2)ψ(α + β).
    public func entropy() -> Tensor {
        let (a, b) = (concentration1, concentration0)
        return logBeta(a, b) - (a - 1) * a.digamma() - (b - 1) * b.digamma() + (a + b - 2) * (a + b).digamma()
    }

    /// α/(α + β).
    public var mean: Tensor { concentration1 / (concentration1 + concentration0) }
    /// αβ/((α + β)²(α + β + 1)).
    public var variance: Tensor {
        let total = concentration1 + concentration0
        return concentration1 * concentration0 / (total.square() * (total + 1))
    }
}

extension Beta: AnalyticKLDivergence {
    /// KL(Beta(α₁, β₁) ‖ Beta(α₂, β₂)) = ln B(α₂, β₂) − ln B(α₁, β₁) + (α₁ − α₂)ψ(α₁)
    /// + (β₁ − β₂)ψ(β₁) + (α₂ − α₁ + β₂ − β₁)ψ(α₁ + β₁).
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? Beta else { return nil }
        let (a1, b1, a2, b2) = (concentration1, concentration0, q.concentration1, q.concentration0)
        return logBeta(a2, b2) - logBeta(a1, b1) + (a1 - a2) * a1.digamma() + (b1 - b2) * b1.digamma()
            + (a2 - a1 + b2 - b1) * (a1 + b1).digamma()
    }
}

extension Beta {
    /// The same distribution with its parameters broadcast to `batchShape` (samples are
    /// independent along the new dimensions).
    public func expand(_ batchShape: [Int]) -> Beta {
        checkExpansion(to: batchShape)
        return Beta(concentration1: concentration1.broadcast(to: batchShape), concentration0: concentration0.broadcast(to: batchShape))
    }
}
