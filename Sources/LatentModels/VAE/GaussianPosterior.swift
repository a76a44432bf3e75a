import Foundation
import LatentCore

/// A reparameterisable posterior `q(z | x)` produced by a recognition network: a Gaussian,
/// or a Gaussian pushed through a flow (``FlowPosterior``).
public protocol GaussianPosterior {
    /// `E_q[z]`, `[B, Z]`.
    var mean: Tensor { get }
    /// Reparameterised samples, `[sampleCount, B, Z]`.
    func rsample(sampleCount: Int, generator: inout RandomGenerator) -> Tensor
    /// `log q(z)` summed over the last axis; `z` may carry leading sample axes.
    func logProb(_ z: Tensor) -> Tensor
    /// Analytic `KL(q ‖ N(0, I))`, `[B]`.
    func klDivergenceFromStandardNormal() -> Tensor
    /// The per-dimension analytic KL (`[B, Z]`) when it factorises (diagonal), else `nil`.
    var klDivergencePerDimension: Tensor? { get }
    /// The same distribution with gradients stopped at its parameters (for DReG).
    func detachedPosterior() -> any GaussianPosterior
    /// Reparameterised samples `[sampleCount, B, Z]` with their `log q(z)` (`[sampleCount, B]`).
    func rsampleWithLogProb(sampleCount: Int, generator: inout RandomGenerator) -> (z: Tensor, logProb: Tensor)
    /// Whether ``klDivergenceFromStandardNormal()`` is available (false for flow posteriors,
    /// whose KL is estimated by Monte Carlo).
    var hasAnalyticKL: Bool { get }
}

extension GaussianPosterior {
    public func rsampleWithLogProb(sampleCount: Int, generator: inout RandomGenerator) -> (z: Tensor, logProb: Tensor) {
        let z = rsample(sampleCount: sampleCount, generator: &generator)
        return (z, logProb(z))
    }

    public var hasAnalyticKL: Bool { true }
}

extension DiagonalGaussian: GaussianPosterior {
    public var klDivergencePerDimension: Tensor? { klDivergenceFromStandardNormalPerDimension() }
    public func detachedPosterior() -> any GaussianPosterior { detached() }
}

/// A full-covariance Gaussian `N(μ, L Lᵀ)` with lower-triangular Cholesky factor `L`
/// (positive diagonal), as in Kingma et al. (2016, full-covariance posterior):
/// `z = μ + L ε`, `log q(z) = −½‖L⁻¹(z − μ)‖² − Σⱼ log Lⱼⱼ − (Z/2) log 2π`,
/// `KL(q ‖ N(0, I)) = ½ (‖L‖²_F + ‖μ‖² − Z) − Σⱼ log Lⱼⱼ`.
public struct FullCovarianceGaussian: GaussianPosterior {
    /// `μ`, `[B, Z]`.
    public var mean: Tensor
    /// `L`, `[B, Z, Z]`.
    public var scaleTril: Tensor
    /// `log Lⱼⱼ`, `[B, Z]`.
    public var logDiagonal: Tensor

    /// Network outputs per example: `Z` means, `Z` values of `log Lⱼⱼ²` (log variances
    /// of the diagonal) and `Z(Z − 1)/2` strictly-lower entries, row by row.
    public static func parameterCount(latentDimension z: Int) -> Int { 2 * z + z * (z - 1) / 2 }

    /// Builds `q` from `[B, 2Z + Z(Z−1)/2]` network output.
    public init(parameters: Tensor, latentDimension z: Int) {
        let lowerCount = z * (z - 1) / 2
        let parts = parameters.split(sizes: [z, z, lowerCount], alongAxis: -1)
        let b = parameters.shape[0]
        mean = parts[0]
        logDiagonal = parts[1] * 0.5
        // Constant placement matrices put the diagonal and lower entries into Z×Z.
        var diagonalPlacement = [Float](repeating: 0, count: z * z * z)
        for j in 0..<z { diagonalPlacement[j * z * z + j * z + j] = 1 }
        var matrix = matmul(logDiagonal.exp(), Tensor(shape: [z, z * z], scalars: diagonalPlacement))
        if lowerCount > 0 {
            var lowerPlacement = [Float](repeating: 0, count: lowerCount * z * z)
            var k = 0
            for i in 0..<z { for j in 0..<i { lowerPlacement[k * z * z + i * z + j] = 1; k += 1 } }
            matrix = matrix + matmul(parts[2], Tensor(shape: [lowerCount, z * z], scalars: lowerPlacement))
        }
        scaleTril = matrix.reshaped(to: [b, z, z])
    }

    init(mean: Tensor, scaleTril: Tensor, logDiagonal: Tensor) {
        self.mean = mean
        self.scaleTril = scaleTril
        self.logDiagonal = logDiagonal
    }

    public func rsample(sampleCount: Int, generator: inout RandomGenerator) -> Tensor {
        let noise = generator.normal([sampleCount] + mean.shape)
        return mean + (scaleTril * noise.unsqueezed(axis: noise.rank - 1)).sum(alongAxis: -1)
    }

    public func logProb(_ z: Tensor) -> Tensor {
        let difference = (z - mean).unsqueezed(axis: z.rank)
        let standardized = triangularSolve(scaleTril, difference, lower: true).squeezed(axis: z.rank)
        let d = Float(mean.shape.last!)
        return (standardized.square().sum(alongAxis: -1) + d * Float(log(2 * Double.pi))) * -0.5 - logDiagonal.sum(alongAxis: -1)
    }

    public func klDivergenceFromStandardNormal() -> Tensor {
        let d = Float(mean.shape.last!)
        return (scaleTril.square().sum(alongAxes: [-2, -1]) + mean.square().sum(alongAxis: -1) - d) * 0.5
            - logDiagonal.sum(alongAxis: -1)
    }

    public var klDivergencePerDimension: Tensor? { nil }

    public func detachedPosterior() -> any GaussianPosterior {
        FullCovarianceGaussian(mean: mean.detached(), scaleTril: scaleTril.detached(), logDiagonal: logDiagonal.detached())
    }
}
