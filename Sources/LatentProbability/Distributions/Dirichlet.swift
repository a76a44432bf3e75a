import LatentCore

/// The Dirichlet distribution on the probability simplex, with concentrations α.
///
///     log p(x) = Σᵢ (αᵢ − 1) ln xᵢ + ln Γ(α₀) − Σᵢ ln Γ(αᵢ),   α₀ = Σᵢ αᵢ
///
/// `concentration` has shape `batchShape + [k]`; the event shape is `[k]`. `rsample`
/// normalises independent Gamma(αᵢ, 1) draws, differentiable in α through their
/// implicit reparameterisation (Figurnov et al. 2018).
public struct Dirichlet: Distribution, Sendable {
    /// α > 0, shape `batchShape + [k]`.
    public let concentration: Tensor
    public var batchShape: [Int] { Array(concentration.shape.dropLast()) }
    public var eventShape: [Int] { [concentration.shape[concentration.rank - 1]] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .simplex }

    /// - Parameter concentration: α > 0, shape `batchShape + [k]` with k ≥ 1.
    public init(concentration: Tensor) {
        checkParameters { () throws(DistributionParameterError) in try Self.validate(concentration: concentration) }
        self.concentration = concentration
    }

    /// Checks the parameter.
    public static func validate(concentration: Tensor) throws(DistributionParameterError) {
        try DistributionValidation.requireRank("Dirichlet", "concentration", concentration.shape, atLeast: 1,
                                               what: "a tensor of at least one dimension with a non-empty last axis")
        try DistributionValidation.requirePositive("Dirichlet", "concentration", concentration)
    }

    /// α₀ = Σᵢ αᵢ, shape `batchShape`.
    var totalConcentration: Tensor { concentration.sum(alongAxis: -1) }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        let g = standardGamma(concentration: concentration.broadcast(to: extendedShape(sampleShape)), generator: &generator)
        return (g / g.sum(alongAxis: -1, keepDims: true)).clamped(min: Float.leastNormalMagnitude, max: 1)
    }

    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        return xlogy(concentration - 1, value).sum(alongAxis: -1) + totalConcentration.lgamma()
            - concentration.lgamma().sum(alongAxis: -1)
    }

    /// ln B(α) + (α₀ − k)ψ(α₀) − Σᵢ (αᵢ − 1)ψ(αᵢ), with ln B(α) = Σᵢ ln Γ(αᵢ) − ln Γ(α₀).
    public func entropy() -> Tensor {
        let k = Float(concentration.shape[concentration.rank - 1])
        let total = totalConcentration
        let logB = concentration.lgamma().sum(alongAxis: -1) - total.lgamma()
        return logB + (total - k) * total.digamma() - ((concentration - 1) * concentration.digamma()).sum(alongAxis: -1)
    }

    /// αᵢ/α₀.
    public var mean: Tensor { concentration / concentration.sum(alongAxis: -1, keepDims: true) }
    /// αᵢ(α₀ − αᵢ)/(α₀²(α₀ + 1)).
    public var variance: Tensor {
        let total = concentration.sum(alongAxis: -1, keepDims: true)
        return concentration * (total - concentration) / (total.square() * (total + 1))
    }
}

extension Dirichlet: AnalyticKLDivergence {
    /// KL(Dir(α) ‖ Dir(β)) = ln Γ(α₀) − ln Γ(β₀) − Σ ln Γ(αᵢ) + Σ ln Γ(βᵢ)
    /// + Σ (αᵢ − βᵢ)(ψ(αᵢ) − ψ(α₀)).
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? Dirichlet else { return nil }
        let (a, b) = (concentration, q.concentration)
        let a0 = a.sum(alongAxis: -1, keepDims: true)
        return a0.squeezed(axis: -1).lgamma() - b.sum(alongAxis: -1).lgamma() - a.lgamma().sum(alongAxis: -1)
            + b.lgamma().sum(alongAxis: -1) + ((a - b) * (a.digamma() - a0.digamma())).sum(alongAxis: -1)
    }
}

extension Dirichlet {
    /// The same distribution with its parameters broadcast to `batchShape` (samples are
    /// independent along the new dimensions).
    public func expand(_ batchShape: [Int]) -> Dirichlet {
        checkExpansion(to: batchShape)
        return Dirichlet(concentration: concentration.broadcast(to: batchShape + eventShape))
    }
}
