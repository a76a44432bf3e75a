import Foundation
import LatentCore

/// A multivariate normal whose covariance is low rank plus diagonal: Σ = W Wᵀ + D.
///
/// `loc` has shape `batch + [d]`, `covarianceFactor` W `batch + [d, r]` and
/// `covarianceDiagonal` D `batch + [d]`; the event shape is `[d]`. Densities use the
/// r × r capacitance matrix C = I + Wᵀ D⁻¹ W (with Cholesky factor L_C), so they cost
/// O(d r²) instead of O(d³):
///
///     ln det Σ = 2 Σ ln diag L_C + Σ ln Dᵢ                       (matrix determinant lemma)
///     xᵀΣ⁻¹x = xᵀD⁻¹x − ‖L_C⁻¹ Wᵀ D⁻¹ x‖²                        (Woodbury identity)
///
/// `rsample` is μ + W ε_r + √D ⊙ ε_d with independent standard normal ε_r and ε_d.
public struct LowRankMultivariateNormal: Distribution, Sendable {
    /// The mean μ, shape `batchShape + [d]`.
    public let loc: Tensor
    /// W, shape `batchShape + [d, r]`.
    public let covarianceFactor: Tensor
    /// D > 0, shape `batchShape + [d]`.
    public let covarianceDiagonal: Tensor
    public let batchShape: [Int]
    public var eventShape: [Int] { [loc.shape[loc.rank - 1]] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .realVector }

    /// - Parameters:
    ///   - loc: The mean, shape `[..., d]`.
    ///   - covarianceFactor: W, shape `[..., d, r]`.
    ///   - covarianceDiagonal: D > 0, shape `[..., d]`.
    public init(loc: Tensor, covarianceFactor: Tensor, covarianceDiagonal: Tensor) {
        let shape = checkParameters { () throws(DistributionParameterError) in
            try Self.validate(loc: loc, covarianceFactor: covarianceFactor, covarianceDiagonal: covarianceDiagonal)
        }
        let d = loc.shape[loc.rank - 1], r = covarianceFactor.shape[covarianceFactor.rank - 1]
        batchShape = shape
        self.loc = loc.broadcast(to: shape + [d])
        self.covarianceFactor = covarianceFactor.broadcast(to: shape + [d, r])
        self.covarianceDiagonal = covarianceDiagonal.broadcast(to: shape + [d])
    }

    /// Checks the parameters and returns the batch shape.
    public static func validate(loc: Tensor, covarianceFactor: Tensor,
                                covarianceDiagonal: Tensor) throws(DistributionParameterError) -> [Int] {
        let name = "LowRankMultivariateNormal"
        try DistributionValidation.requireRank(name, "loc", loc.shape, atLeast: 1,
                                               what: "a tensor of at least one dimension [..., d] with d > 0")
        let d = loc.shape[loc.rank - 1]
        guard covarianceFactor.rank >= 2, covarianceFactor.shape[covarianceFactor.rank - 2] == d,
              covarianceFactor.shape[covarianceFactor.rank - 1] > 0 else {
            throw DistributionParameterError(
                name, "covarianceFactor must have shape [..., \(d), r] with r > 0 to match loc \(shapeString(loc.shape)), got \(shapeString(covarianceFactor.shape))")
        }
        guard covarianceDiagonal.rank >= 1, covarianceDiagonal.shape[covarianceDiagonal.rank - 1] == d else {
            throw DistributionParameterError(
                name, "covarianceDiagonal must have shape [..., \(d)] to match loc \(shapeString(loc.shape)), got \(shapeString(covarianceDiagonal.shape))")
        }
        let shape = try DistributionValidation.broadcastShape(name, [
            ("loc batch", Array(loc.shape.dropLast())),
            ("covarianceFactor batch", Array(covarianceFactor.shape.dropLast(2))),
            ("covarianceDiagonal batch", Array(covarianceDiagonal.shape.dropLast())),
        ])
        try DistributionValidation.requireAll(name, "loc", loc, "a number (not NaN)") { !$0.isNaN }
        try DistributionValidation.requireFinite(name, "covarianceFactor", covarianceFactor)
        try DistributionValidation.requirePositive(name, "covarianceDiagonal", covarianceDiagonal)
        return shape
    }

    var dimension: Int { loc.shape[loc.rank - 1] }
    var rank: Int { covarianceFactor.shape[covarianceFactor.rank - 1] }

    /// Wᵀ D⁻¹, shape `batchShape + [r, d]`.
    var scaledFactorTransposed: Tensor { (covarianceFactor / covarianceDiagonal.unsqueezed(axis: -1)).transposed() }

    /// The Cholesky factor of the capacitance C = I + Wᵀ D⁻¹ W, shape `batchShape + [r, r]`.
    var capacitanceTril: Tensor {
        cholesky(matmul(scaledFactorTransposed, covarianceFactor) + Tensor.eye(rank))
    }

    /// ln det Σ = 2 Σ ln diag L_C + Σ ln D, shape `batchShape`.
    var logDeterminant: Tensor {
        capacitanceTril.diagonal().log().sum(alongAxis: -1) * 2 + covarianceDiagonal.log().sum(alongAxis: -1)
    }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        let shape = sampleShape + batchShape
        let lowRank = generator.normal(shape + [rank])
        let diagonal = generator.normal(shape + [dimension])
        return loc + matmul(covarianceFactor, lowRank.unsqueezed(axis: -1)).squeezed(axis: -1)
            + covarianceDiagonal.sqrt() * diagonal
    }

    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        let difference = value - loc
        let diagonalTerm = (difference.square() / covarianceDiagonal).sum(alongAxis: -1)
        let projected = matmul(scaledFactorTransposed, difference.unsqueezed(axis: -1))
        let correction = triangularSolve(capacitanceTril, projected, lower: true).square().sum(alongAxes: [-2, -1])
        let mahalanobis = diagonalTerm - correction
        return (mahalanobis + logDeterminant) * -0.5 - Float(dimension) * Float(NormalTail.logSqrt2Pi)
    }

    /// ½(d(1 + ln 2π) + ln det Σ).
    public func entropy() -> Tensor {
        logDeterminant * 0.5 + Float(dimension) * Float(0.5 + NormalTail.logSqrt2Pi)
    }

    public var mean: Tensor { loc }
    /// diag Σ = Σⱼ Wᵢⱼ² + Dᵢ.
    public var variance: Tensor { covarianceFactor.square().sum(alongAxis: -1) + covarianceDiagonal }
    /// Σ = W Wᵀ + D, shape `batchShape + [d, d]`.
    public var covariance: Tensor {
        matmul(covarianceFactor, covarianceFactor.transposed()) + covarianceDiagonal.diagonalMatrix()
    }
    /// The Cholesky factor of Σ (O(d³)).
    public var scaleTril: Tensor { cholesky(covariance) }

    /// The same distribution as a dense ``MultivariateNormal`` (O(d³)).
    public var multivariateNormal: MultivariateNormal { MultivariateNormal(loc: loc, scaleTril: scaleTril) }

    /// The same distribution with its parameters broadcast to a larger batch shape.
    public func expand(_ batchShape: [Int]) -> LowRankMultivariateNormal {
        checkExpansion(to: batchShape)
        return LowRankMultivariateNormal(loc: loc.broadcast(to: batchShape + [dimension]),
                                         covarianceFactor: covarianceFactor.broadcast(to: batchShape + [dimension, rank]),
                                         covarianceDiagonal: covarianceDiagonal.broadcast(to: batchShape + [dimension]))
    }
}

extension LowRankMultivariateNormal: AnalyticKLDivergence {
    /// KL against a ``LowRankMultivariateNormal`` or ``MultivariateNormal``, through the
    /// dense Cholesky factors (O(d³)).
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        if let q = other as? MultivariateNormal { return MultivariateNormal.klDivergence(multivariateNormal, q) }
        if let q = other as? LowRankMultivariateNormal {
            return MultivariateNormal.klDivergence(multivariateNormal, q.multivariateNormal)
        }
        return nil
    }
}
