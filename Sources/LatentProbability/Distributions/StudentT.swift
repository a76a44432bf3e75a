import Foundation
import LatentCore

/// Student's t distribution with ν degrees of freedom, location μ and scale σ.
///
///     z = (x − μ)/σ
///     log p(x) = ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln νπ − ln σ − (ν+1)/2 · ln(1 + z²/ν)
///
/// Parameters broadcast to the batch shape; the event shape is `[]`. `rsample` is
/// μ + σ·ε/√(W/ν) with ε ~ N(0, 1) and W ~ χ²(ν) = 2·Gamma(ν/2, 1), whose implicit
/// reparameterisation gradient makes samples differentiable in ν as well. The mean is
/// NaN for ν ≤ 1; the variance is +∞ for 1 < ν ≤ 2 and NaN for ν ≤ 1 (as PyTorch).
public struct StudentT: Distribution, Sendable {
    /// The degrees of freedom ν > 0, broadcast to the batch shape.
    public let degreesOfFreedom: Tensor
    /// The location μ, broadcast to the batch shape.
    public let loc: Tensor
    /// The scale σ > 0, broadcast to the batch shape.
    public let scale: Tensor
    public let batchShape: [Int]
    public var eventShape: [Int] { [] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .real }

    /// - Parameters:
    ///   - degreesOfFreedom: ν > 0.
    ///   - loc: The location μ (default 0).
    ///   - scale: The scale σ > 0 (default 1).
    public init(degreesOfFreedom: Tensor, loc: Tensor = Tensor(0), scale: Tensor = Tensor(1)) {
        batchShape = checkParameters { () throws(DistributionParameterError) in
            try Self.validate(degreesOfFreedom: degreesOfFreedom, loc: loc, scale: scale)
        }
        self.degreesOfFreedom = degreesOfFreedom.broadcast(to: batchShape)
        self.loc = loc.broadcast(to: batchShape)
        self.scale = scale.broadcast(to: batchShape)
    }

    /// Checks the parameters and returns the batch shape.
    public static func validate(degreesOfFreedom: Tensor, loc: Tensor, scale: Tensor) throws(DistributionParameterError) -> [Int] {
        let shape = try DistributionValidation.broadcastShape(
            "StudentT", [("degreesOfFreedom", degreesOfFreedom.shape), ("loc", loc.shape), ("scale", scale.shape)])
        try DistributionValidation.requirePositive("StudentT", "degreesOfFreedom", degreesOfFreedom)
        try DistributionValidation.requireAll("StudentT", "loc", loc, "a number (not NaN)") { !$0.isNaN }
        try DistributionValidation.requirePositive("StudentT", "scale", scale)
        return shape
    }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        let shape = sampleShape + batchShape
        let epsilon = generator.normal(shape)
        let halfNu = (degreesOfFreedom * 0.5).broadcast(to: shape)
        let chiSquare = standardGamma(concentration: halfNu, generator: &generator) * 2
        return loc + scale * epsilon * (chiSquare / degreesOfFreedom).rsqrt()
    }

    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        let nu = degreesOfFreedom
        let y = (value - loc) / (scale * nu.sqrt())
        let normaliser = ((nu + 1) * 0.5).lgamma() - (nu * 0.5).lgamma() - (nu * Float.pi).log() * 0.5 - scale.log()
        return normaliser - (nu + 1) * 0.5 * log1pSquare(y)
    }

    /// (ν+1)/2 · (ψ((ν+1)/2) − ψ(ν/2)) + ½ ln ν + ln B(ν/2, ½) + ln σ.
    public func entropy() -> Tensor {
        let nu = degreesOfFreedom
        let half = nu * 0.5, halfPlus = (nu + 1) * 0.5
        return halfPlus * (halfPlus.digamma() - half.digamma()) + nu.log() * 0.5
            + logBeta(half, Tensor(0.5)) + scale.log()
    }

    /// μ for ν > 1, NaN otherwise.
    public var mean: Tensor {
        `where`(degreesOfFreedom .> 1, loc, Tensor(Float.nan))
    }

    /// σ²ν/(ν − 2) for ν > 2, +∞ for 1 < ν ≤ 2, NaN for ν ≤ 1.
    public var variance: Tensor {
        let nu = degreesOfFreedom
        let safe = `where`(nu .> 2, nu, Tensor(3))
        let finite = scale.square() * safe / (safe - 2)
        return `where`(nu .> 2, finite, `where`(nu .> 1, Tensor(Float.infinity), Tensor(Float.nan)))
    }
}

extension StudentT {
    /// The same distribution with its parameters broadcast to `batchShape` (samples are
    /// independent along the new dimensions).
    public func expand(_ batchShape: [Int]) -> StudentT {
        checkExpansion(to: batchShape)
        return StudentT(degreesOfFreedom: degreesOfFreedom.broadcast(to: batchShape), loc: loc.broadcast(to: batchShape), scale: scale.broadcast(to: batchShape))
    }
}
