import Foundation
import LatentCore
import LatentData
import LatentNN

/// The loss, evaluation sums and prompt handling every next-token text family shares.
extension TextGenerativeModel {
    /// The vocabulary of text data, or an error naming the family and the data.
    static func textVocabulary(of data: DataDescription) throws(ModelOptionError) -> TokenVocabulary {
        guard let vocabulary = data.vocabulary else {
            throw ModelOptionError("\(modelName): needs a text dataset (e.g. sherlock-holmes-excerpt or text:PATH); '\(data.name)' is not text")
        }
        return vocabulary
    }

    /// Mean next-token cross-entropy of `logits` `[B, T, V]` against `targets` `[B, T]`,
    /// logged beside its `bits-per-char`.
    func nextTokenLoss(logits: Tensor, targets: IndexTensor) -> TrainingLoss {
        let loss = crossEntropy(logits: logits, labels: targets)
        return TrainingLoss(loss: loss, metrics: [MetricName.bitsPerCharacter: Double(loss.scalar) / log(2.0)])
    }

    /// Sums over windows of the mean NLL per token (so the split means are per token) and
    /// of the same in bits.
    func nextTokenEvaluationSums(logits: Tensor, targets: IndexTensor) -> [String: Double] {
        let perToken = crossEntropy(logits: logits, labels: targets, reduction: .none)
        let nll = Double(perToken.mean(alongAxis: 1).sum().scalar)
        return [MetricName.nll: nll, MetricName.bitsPerCharacter: nll / log(2.0)]
    }

    /// `nll` (nats per token), then `bits-per-char`.
    public var evaluationMetrics: [String] { [MetricName.nll, MetricName.bitsPerCharacter] }

    /// The tokens generation starts from: the prompt, or for an empty prompt a line break
    /// (or the first token), as text does.
    func startTokens(_ prompt: [Int32]) -> [Int32] {
        prompt.isEmpty ? [(try? vocabulary.encode("\n"))?.first ?? 0] : prompt
    }

    /// The last position's logits of `[1, T, V]` logits, as an array for ``TextSampling``.
    func lastRow(_ logits: Tensor) -> [Float] {
        let v = logits.shape[2], t = logits.shape[1]
        return Array(logits.scalars[((t - 1) * v)..<(t * v)])
    }

    /// `count` sequences of 200 tokens from an empty prompt, as token ids `[count, 200]`.
    public func sample(count: Int, generator: inout RandomGenerator) -> Tensor {
        let rows = (0..<count).flatMap { _ in generate(prompt: [], count: 200, sampling: TextSampling(), generator: &generator) }
        return Tensor(shape: [count, 200], scalars: rows.map(Float.init))
    }
}
