import Foundation
import LatentCore

/// A diagonal Gaussian over the last axis, `N(μ, diag(exp(log σ²)))`, as produced by a
/// recognition network: the amortised posterior `q(z | x)` of a VAE.
///
/// Kept as two plain tensors (rather than a ``Normal`` distribution object) so the
/// training step does no more work than the formulas below.
public struct DiagonalGaussian {
    /// `μ`, `[..., Z]`.
    public var mean: Tensor
    /// `log σ²`, same shape as ``mean``.
    public var logVariance: Tensor

    public init(mean: Tensor, logVariance: Tensor) {
        ensure(mean.shape == logVariance.shape,
                     "DiagonalGaussian: mean \(mean.shape) and log-variance \(logVariance.shape) differ")
        self.mean = mean
        self.logVariance = logVariance
    }

    /// Splits `[..., 2Z]` network output into `μ` (first half) and `log σ²` (second half).
    public init(parameters: Tensor) {
        let halves = parameters.chunked(2, alongAxis: -1)
        self.init(mean: halves[0], logVariance: halves[1])
    }

    /// `σ = exp(½ log σ²)`.
    public var standardDeviation: Tensor { (logVariance * 0.5).exp() }

    /// Reparameterised samples `z = μ + σ ⊙ ε`, `ε ~ N(0, I)`, shaped `[sampleCount] + shape`.
    public func rsample(sampleCount: Int, generator: inout RandomGenerator) -> Tensor {
        let noise = generator.normal([sampleCount] + mean.shape)
        return mean + standardDeviation * noise
    }

    /// `log q(z) = −½ Σⱼ (log 2π + log σⱼ² + (zⱼ − μⱼ)² / σⱼ²)`, summed over the last axis;
    /// `z` may carry leading sample axes.
    public func logProb(_ z: Tensor) -> Tensor {
        let standardized = (z - mean) * (logVariance * -0.5).exp()
        return ((standardized.square() + logVariance) + Float(log(2 * Double.pi))).sum(alongAxis: -1) * -0.5
    }

    /// Per-dimension `KL(q ‖ N(0, I))ⱼ = ½ (μⱼ² + σⱼ² − 1 − log σⱼ²)`, shaped like ``mean``.
    public func klDivergenceFromStandardNormalPerDimension() -> Tensor {
        (mean.square() + logVariance.exp() - logVariance - 1) * 0.5
    }

    /// `KL(q ‖ N(0, I))`, summed over the last axis.
    public func klDivergenceFromStandardNormal() -> Tensor {
        klDivergenceFromStandardNormalPerDimension().sum(alongAxis: -1)
    }

    /// The same distribution with gradients stopped at its parameters (for DReG).
    public func detached() -> DiagonalGaussian {
        DiagonalGaussian(mean: mean.detached(), logVariance: logVariance.detached())
    }
}

/// `log N(z; 0, I) = −½ Σⱼ (zⱼ² + log 2π)`, summed over the last axis.
public func standardNormalLogProb(_ z: Tensor) -> Tensor {
    (z.square() + Float(log(2 * Double.pi))).sum(alongAxis: -1) * -0.5
}
