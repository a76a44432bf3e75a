import LatentCore
import LatentData

extension VariationalAutoencoder {
    /// The importance-sampled negative log-likelihood of a whole dataset, in nats per example
    /// (fixed binarisation with a Bernoulli decoder): `−(1/N) Σᵢ log p̂(xᵢ)` with `samples`
    /// draws from `q` per example (Burda et al., 2016).
    ///
    /// - Parameters:
    ///   - dataset: Examples with features as the model was trained on (e.g. [0, 1] pixels).
    ///   - samples: K per example (5000 for reported numbers).
    ///   - batchSize: Examples per batch (memory is bounded by chunking the samples too).
    public func importanceSampledNLL<D: Dataset>(_ dataset: D, samples: Int = 5000, batchSize: Int = 100,
                                                 generator: inout RandomGenerator) -> Double where D.Batch == TensorBatch {
        var total = 0.0
        var start = 0
        while start < dataset.count {
            let indices = Array(start..<min(start + batchSize, dataset.count))
            let batch = dataset.batch(at: indices, generator: &generator)
            let logLikelihood: Tensor = withoutDerivative {
                let (x, c) = prepare(batch, training: false, generator: &generator)
                return importanceSampledLogLikelihood(x, condition: c, samples: samples, generator: &generator)
            }
            total -= Double(logLikelihood.sum().scalar)
            start += batchSize
        }
        return total / Double(max(dataset.count, 1))
    }
}
