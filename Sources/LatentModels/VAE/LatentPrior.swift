import Foundation
import LatentCore
import LatentNN

/// The prior `p(z)` of a VAE.
public enum LatentPriorKind: String, Sendable, CaseIterable {
    /// `N(0, I)`: the KL term is analytic.
    case standard
    /// A learned mixture of diagonal Gaussians, `Σ_c π_c N(μ_c, diag σ_c²)`; KL by Monte Carlo.
    case mixture
    /// VampPrior (Tomczak & Welling, 2018): `(1/C) Σ_c q(z | u_c)` with learned pseudo-inputs
    /// `u_c` passed through the encoder; KL by Monte Carlo.
    case vamp
}

/// A learned mixture of `C` diagonal Gaussians over `Z` dimensions.
public final class GaussianMixturePrior: Module {
    /// Unnormalised log weights, `[C]`.
    @Parameter public var logits: Tensor
    /// Component means, `[C, Z]`.
    @Parameter public var means: Tensor
    /// Component log variances, `[C, Z]`.
    @Parameter public var logVariances: Tensor

    /// Components start at standard-normal draws for the means (spread), unit variances and
    /// equal weights.
    public init(components: Int, latentDimension: Int, generator: inout RandomGenerator) {
        _logits = Parameter(Tensor.zeros([components]))
        _means = Parameter(generator.normal([components, latentDimension]))
        _logVariances = Parameter(Tensor.zeros([components, latentDimension]))
    }

    /// `log p(z) = logsumexp_c (log π_c + log N(z; μ_c, σ_c²))` for `z` of shape `[..., Z]`.
    public func logProb(_ z: Tensor) -> Tensor {
        mixtureLogProb(z, components: DiagonalGaussian(mean: means, logVariance: logVariances),
                       logWeights: logits.logSoftmax(alongAxis: -1))
    }

    /// `count` draws, `[count, Z]`.
    public func sample(count: Int, generator: inout RandomGenerator) -> Tensor {
        let chosen = generator.categorical(logits: logits, sampleShape: [count])
        return sampleComponents(DiagonalGaussian(mean: means, logVariance: logVariances), chosen: chosen.scalars.map(Int.init),
                                generator: &generator)
    }
}

/// `logsumexp_c (log π_c + log N(z; μ_c, σ_c²))` for components `[C, Z]` and `z` `[..., Z]`.
func mixtureLogProb(_ z: Tensor, components: DiagonalGaussian, logWeights: Tensor) -> Tensor {
    (components.logProb(z.unsqueezed(axis: z.rank - 1)) + logWeights).logSumExp(alongAxis: -1)
}

/// One draw from each chosen component (rows of `[C, Z]` parameters).
func sampleComponents(_ components: DiagonalGaussian, chosen: [Int], generator: inout RandomGenerator) -> Tensor {
    let z = components.mean.shape[1]
    let means = components.mean.scalars, logVariances = components.logVariance.scalars
    let noise = generator.normal([chosen.count, z]).scalars
    var out = [Float](repeating: 0, count: chosen.count * z)
    for (i, c) in chosen.enumerated() {
        for j in 0..<z { out[i * z + j] = means[c * z + j] + Foundation.exp(0.5 * logVariances[c * z + j]) * noise[i * z + j] }
    }
    return Tensor(shape: [chosen.count, z], scalars: out)
}
