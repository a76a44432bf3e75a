import Foundation
import LatentCore

/// The multivariate normal distribution N(μ, Σ) over vectors of size d, parameterised
/// by the lower Cholesky factor L of the covariance (Σ = L Lᵀ).
///
///     log p(x) = −½ ‖L⁻¹(x − μ)‖² − Σᵢ ln Lᵢᵢ − (d/2) ln 2π
///
/// `loc` has shape `batch + [d]` and `scaleTril` `batch + [d, d]`; their batch axes
/// broadcast to the batch shape, and the event shape is `[d]`. The Mahalanobis term uses
/// a triangular solve, never an explicit inverse. `rsample` is μ + Lε with ε ~ N(0, I).
/// Also built from a covariance (by Cholesky factorisation) or a precision matrix.
public struct MultivariateNormal: Distribution, Sendable {
    /// The mean μ, shape `batchShape + [d]`.
    public let loc: Tensor
    /// The lower-triangular Cholesky factor L of Σ, with a positive diagonal,
    /// shape `batchShape + [d, d]`.
    public let scaleTril: Tensor
    public let batchShape: [Int]
    public var eventShape: [Int] { [loc.shape[loc.rank - 1]] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .realVector }

    /// - Parameters:
    ///   - loc: The mean, shape `[..., d]`.
    ///   - scaleTril: Lower-triangular factors with positive diagonals, shape `[..., d, d]`
    ///     (the upper triangle must be zero).
    public init(loc: Tensor, scaleTril: Tensor) {
        let shape = checkParameters { () throws(DistributionParameterError) in
            try Self.validate(loc: loc, scaleTril: scaleTril)
        }
        let d = loc.shape[loc.rank - 1]
        batchShape = shape
        self.loc = loc.broadcast(to: shape + [d])
        self.scaleTril = scaleTril.broadcast(to: shape + [d, d])
    }

    /// From a symmetric positive-definite covariance Σ (only its lower triangle is read):
    /// L = cholesky(Σ), differentiable.
    public init(loc: Tensor, covariance: Tensor) {
        _ = checkParameters { () throws(DistributionParameterError) in
            try Self.validateMatrix(loc: loc, matrix: covariance, name: "covariance")
        }
        self.init(loc: loc, scaleTril: cholesky(covariance))
    }

    /// From a symmetric positive-definite precision matrix P = Σ⁻¹.
    ///
    /// With J the exchange (flip) matrix and J P J = L_f L_fᵀ, P = U Uᵀ for the upper
    /// triangular U = J L_f J, so Σ = U⁻ᵀU⁻¹ and L = (Uᵀ)⁻¹ (a triangular solve).
    public init(loc: Tensor, precision: Tensor) {
        _ = checkParameters { () throws(DistributionParameterError) in
            try Self.validateMatrix(loc: loc, matrix: precision, name: "precision")
        }
        let d = precision.shape[precision.rank - 1]
        let flippedFactor = cholesky(precision.flipped(alongAxes: [-2, -1]))
        let inverseScale = flippedFactor.flipped(alongAxes: [-2, -1]).transposed()   // Uᵀ, lower triangular
        let scaleTril = triangularSolve(inverseScale, Tensor.eye(d), lower: true).lowerTriangular()
        self.init(loc: loc, scaleTril: scaleTril)
    }

    /// Checks the shapes of `loc` and a `[..., d, d]` matrix parameter.
    static func validateMatrix(loc: Tensor, matrix: Tensor, name: String) throws(DistributionParameterError) -> [Int] {
        try DistributionValidation.requireRank("MultivariateNormal", "loc", loc.shape, atLeast: 1,
                                               what: "a tensor of at least one dimension [..., d] with d > 0")
        let d = loc.shape[loc.rank - 1]
        guard matrix.rank >= 2, matrix.shape[matrix.rank - 1] == d, matrix.shape[matrix.rank - 2] == d else {
            throw DistributionParameterError(
                "MultivariateNormal", "\(name) must have shape [..., \(d), \(d)] to match loc \(shapeString(loc.shape)), got \(shapeString(matrix.shape))")
        }
        return try DistributionValidation.broadcastShape(
            "MultivariateNormal", [("loc batch", Array(loc.shape.dropLast())), ("\(name) batch", Array(matrix.shape.dropLast(2)))])
    }

    /// Checks the parameters and returns the batch shape: shapes, a lower-triangular
    /// `scaleTril` (zero above the diagonal) with a positive, finite diagonal.
    public static func validate(loc: Tensor, scaleTril: Tensor) throws(DistributionParameterError) -> [Int] {
        let shape = try validateMatrix(loc: loc, matrix: scaleTril, name: "scaleTril")
        try DistributionValidation.requireAll("MultivariateNormal", "loc", loc, "a number (not NaN)") { !$0.isNaN }
        let d = loc.shape[loc.rank - 1]
        let p = scaleTril.storage.pointer
        for m in 0..<(scaleTril.scalarCount / (d * d)) {
            for i in 0..<d {
                for j in 0..<d {
                    let v = p[m * d * d + i * d + j]
                    if j > i && v != 0 {
                        throw DistributionParameterError(
                            "MultivariateNormal", "scaleTril must be lower triangular, found \(v) at [\(i), \(j)] of matrix \(m)")
                    }
                    if j == i && !(v > 0 && v.isFinite) {
                        throw DistributionParameterError(
                            "MultivariateNormal", "scaleTril must have a positive diagonal, found \(v) at [\(i), \(i)] of matrix \(m)")
                    }
                }
            }
        }
        return shape
    }

    var dimension: Int { loc.shape[loc.rank - 1] }

    /// ½ ln det Σ = Σᵢ ln Lᵢᵢ, shape `batchShape`.
    var halfLogDeterminant: Tensor { scaleTril.diagonal().log().sum(alongAxis: -1) }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        let epsilon = generator.normal(extendedShape(sampleShape))
        return loc + matmul(scaleTril, epsilon.unsqueezed(axis: -1)).squeezed(axis: -1)
    }

    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        let y = triangularSolve(scaleTril, (value - loc).unsqueezed(axis: -1), lower: true)
        let mahalanobis = y.square().sum(alongAxes: [-2, -1])
        return mahalanobis * -0.5 - halfLogDeterminant - Float(dimension) * Float(NormalTail.logSqrt2Pi)
    }

    /// (d/2)(1 + ln 2π) + Σᵢ ln Lᵢᵢ.
    public func entropy() -> Tensor {
        halfLogDeterminant + Float(dimension) * Float(0.5 + NormalTail.logSqrt2Pi)
    }

    public var mean: Tensor { loc }
    /// The diagonal of Σ: Σⱼ Lᵢⱼ².
    public var variance: Tensor { scaleTril.square().sum(alongAxis: -1) }
    /// Σ = L Lᵀ, shape `batchShape + [d, d]`.
    public var covariance: Tensor { matmul(scaleTril, scaleTril.transposed()) }
    /// Σ⁻¹ = L⁻ᵀ L⁻¹, shape `batchShape + [d, d]`.
    public var precision: Tensor {
        let inverse = triangularSolve(scaleTril, Tensor.eye(dimension), lower: true)
        return matmul(inverse.transposed(), inverse)
    }

    /// The same distribution with its parameters broadcast to a larger batch shape.
    public func expand(_ batchShape: [Int]) -> MultivariateNormal {
        checkExpansion(to: batchShape)
        return MultivariateNormal(loc: loc.broadcast(to: batchShape + [dimension]),
                                  scaleTril: scaleTril.broadcast(to: batchShape + [dimension, dimension]))
    }
}

extension MultivariateNormal: AnalyticKLDivergence {
    /// KL(N(μ₁, Σ₁) ‖ N(μ₂, Σ₂)) = ½(tr(Σ₂⁻¹Σ₁) + (μ₂ − μ₁)ᵀΣ₂⁻¹(μ₂ − μ₁) − d + ln det Σ₂ − ln det Σ₁),
    /// with tr(Σ₂⁻¹Σ₁) = ‖L₂⁻¹L₁‖²_F. Also accepts a ``LowRankMultivariateNormal`` on the right,
    /// and a diagonal Gaussian `Independent(Normal, 1)` (as N(μ₂, diag σ₂²); the N(0, I) prior
    /// of a VAE with a full-covariance posterior).
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        let q: MultivariateNormal
        if let o = other as? MultivariateNormal { q = o } else if let o = other as? LowRankMultivariateNormal {
            q = o.multivariateNormal
        } else if let o = other as? Independent, o.reinterpretedBatchDimensions == 1, let normal = o.base as? Normal {
            // A diagonal Gaussian (e.g. the N(0, I) prior of a VAE): L = diag(σ).
            let d = normal.batchShape.last ?? 1
            q = MultivariateNormal(loc: normal.loc, scaleTril: Tensor.eye(d) * normal.scale.unsqueezed(axis: -2))
        } else {
            return nil
        }
        return Self.klDivergence(self, q)
    }

    static func klDivergence(_ p: MultivariateNormal, _ q: MultivariateNormal) -> Tensor {
        ensure(p.dimension == q.dimension,
                     "klDivergence(MultivariateNormal, MultivariateNormal): event sizes differ (\(p.dimension) and \(q.dimension))")
        let m = triangularSolve(q.scaleTril, p.scaleTril, lower: true)
        let trace = m.square().sum(alongAxes: [-2, -1])
        let y = triangularSolve(q.scaleTril, (q.loc - p.loc).unsqueezed(axis: -1), lower: true)
        let mahalanobis = y.square().sum(alongAxes: [-2, -1])
        return q.halfLogDeterminant - p.halfLogDeterminant + (trace + mahalanobis - Float(p.dimension)) * 0.5
    }
}
