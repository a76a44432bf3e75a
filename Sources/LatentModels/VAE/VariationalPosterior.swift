import Foundation
import LatentCore
import LatentNN
import LatentProbability

/// The family of a VAE's amortised posterior `q(z | x)`: how many encoder outputs it reads
/// per example and the LatentProbability distribution they define.
///
/// A family is a ``Module`` because some carry networks of their own (the MADEs of
/// ``InverseAutoregressivePosterior``, the ``Flow`` of ``ConditionalFlowPosterior``); the
/// model inlines its parameters (checkpoint keys such as `inverseAutoregressiveNetworks.0…`).
public protocol VariationalPosterior: Module {
    /// Encoder outputs per example.
    var encoderOutputCount: Int { get }
    /// `q(z | x)` from encoder outputs `[B, encoderOutputCount]`: batch shape `[B]`, event `[Z]`.
    func distribution(_ parameters: Tensor) -> any Distribution
    /// A point summary of `q`, `[B, Z]`, for reconstructions and active units: `E_q[z]`
    /// (the default), or for flows the image of the base mean.
    func location(_ parameters: Tensor) -> Tensor
    /// Whether `log q` of points not drawn from `q` is available with the gradient stopped
    /// at `q` by detaching the encoder outputs alone (the doubly reparameterised gradient,
    /// VampPrior components). False for flows.
    var scoresExternalPoints: Bool { get }
}

extension VariationalPosterior {
    public func location(_ parameters: Tensor) -> Tensor { distribution(parameters).mean }
    public var scoresExternalPoints: Bool { false }
}

/// `q(z | x) = N(μ, diag σ²)` from encoder outputs `[μ, log σ²]` (Kingma & Welling, 2014):
/// `Normal(loc: μ, logVariance: log σ²)` with the last axis as the event. Against the
/// standard-normal prior its KL is analytic, per dimension.
public final class DiagonalGaussianPosterior: Module, VariationalPosterior {
    /// `Z`.
    public let latentDimension: Int

    public init(latentDimension: Int) { self.latentDimension = latentDimension }

    public var encoderOutputCount: Int { 2 * latentDimension }
    public var scoresExternalPoints: Bool { true }

    /// `N(μ, diag exp(log σ²))` from `[..., 2Z]` (first half μ, second half log σ²).
    public static func gaussian(_ parameters: Tensor) -> Independent {
        let halves = parameters.chunked(2, alongAxis: -1)
        return Independent(Normal(loc: halves[0], logVariance: halves[1]), reinterpretedBatchDimensions: 1)
    }

    public func distribution(_ parameters: Tensor) -> any Distribution { Self.gaussian(parameters) }
    public func location(_ parameters: Tensor) -> Tensor { parameters.chunked(2, alongAxis: -1)[0] }
}

/// `q(z | x) = N(μ, L Lᵀ)` with a lower-triangular Cholesky factor `L` from the encoder
/// (Kingma et al., 2016, full-covariance posterior): a ``MultivariateNormal``.
///
/// Encoder outputs per example: `Z` means, `Z` values of `log Lⱼⱼ²` and the `Z(Z − 1)/2`
/// strictly-lower entries, row by row.
public final class FullCovariancePosterior: Module, VariationalPosterior {
    /// `Z`.
    public let latentDimension: Int
    /// Constant matrices placing the diagonal `[Z, Z²]` and the lower entries `[Z(Z−1)/2, Z²]`.
    private let diagonalPlacement: Tensor, lowerPlacement: Tensor?

    public init(latentDimension z: Int) {
        latentDimension = z
        var diagonal = [Float](repeating: 0, count: z * z * z)
        for j in 0..<z { diagonal[j * z * z + j * z + j] = 1 }
        diagonalPlacement = Tensor(shape: [z, z * z], scalars: diagonal)
        let lowerCount = z * (z - 1) / 2
        if lowerCount > 0 {
            var lower = [Float](repeating: 0, count: lowerCount * z * z)
            var k = 0
            for i in 0..<z { for j in 0..<i { lower[k * z * z + i * z + j] = 1; k += 1 } }
            lowerPlacement = Tensor(shape: [lowerCount, z * z], scalars: lower)
        } else {
            lowerPlacement = nil
        }
    }

    /// `2Z + Z(Z − 1)/2`.
    public static func encoderOutputCount(latentDimension z: Int) -> Int { 2 * z + z * (z - 1) / 2 }
    public var encoderOutputCount: Int { Self.encoderOutputCount(latentDimension: latentDimension) }
    public var scoresExternalPoints: Bool { true }

    public func distribution(_ parameters: Tensor) -> any Distribution {
        let z = latentDimension
        let parts = parameters.split(sizes: [z, z, z * (z - 1) / 2], alongAxis: -1)
        var matrix = matmul((parts[1] * 0.5).exp(), diagonalPlacement)
        if let lowerPlacement { matrix = matrix + matmul(parts[2], lowerPlacement) }
        return MultivariateNormal(loc: parts[0], scaleTril: matrix.reshaped(to: [parameters.shape[0], z, z]))
    }

    public func location(_ parameters: Tensor) -> Tensor {
        parameters.split(sizes: [latentDimension, encoderOutputCount - latentDimension], alongAxis: -1)[0]
    }
}
