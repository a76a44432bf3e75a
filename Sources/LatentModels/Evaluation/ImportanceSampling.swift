import Foundation
import LatentCore

/// The importance-sampled estimate of `log p(x)` from `K` log weights per example, drawn
/// in chunks so memory stays bounded (Burda et al., 2016, Eq. 8 with large K):
///
/// `log p̂(x) = log (1/K) Σₖ wₖ = logsumexpₖ(log wₖ) − log K`, `wₖ = p(x, zₖ) / q(zₖ | x)`.
///
/// The estimator is a stochastic lower bound on `log p(x)` in expectation that converges to
/// it as `K → ∞`. Runs without recording gradients.
///
/// - Parameters:
///   - samples: Total `K`.
///   - chunkSize: Samples drawn per call of `logWeights`.
///   - logWeights: Given a sample count `k`, returns `[k, B]` log weights for the batch.
/// - Returns: `[B]` estimates of `log p(x)` in nats.
public func importanceSampledLogLikelihood(samples: Int, chunkSize: Int,
                                           logWeights: (Int) -> Tensor) -> Tensor {
    ensure(samples > 0 && chunkSize > 0,
                 "importanceSampledLogLikelihood: samples (\(samples)) and chunk size (\(chunkSize)) must be positive")
    return withoutDerivative {
        var partial: [Tensor] = []
        var remaining = samples
        while remaining > 0 {
            let k = min(chunkSize, remaining)
            partial.append(logWeights(k).logSumExp(alongAxis: 0, keepDims: true))
            remaining -= k
        }
        let all = partial.count == 1 ? partial[0] : concatenate(partial, alongAxis: 0)
        return all.logSumExp(alongAxis: 0) - Float(log(Double(samples)))
    }
}

/// Samples per chunk so that one chunk holds about `rowBudget` decoder rows for a batch of
/// `batchSize` examples (at least one sample).
public func importanceSamplingChunkSize(batchSize: Int, rowBudget: Int = 16_384) -> Int {
    max(1, rowBudget / max(batchSize, 1))
}
