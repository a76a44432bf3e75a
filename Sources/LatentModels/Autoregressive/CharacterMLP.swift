import Foundation
import LatentCore
import LatentData
import LatentNN

/// A character-level neural n-gram language model (Bengio et al. 2003, "A Neural
/// Probabilistic Language Model"; the MLP of Karpathy's makemore): `latent train char-mlp`.
///
///     p(xₜ | xₜ₋ₖ₊₁ … xₜ) = softmax(W₂ tanh(W₁ [e(xₜ₋ₖ₊₁); …; e(xₜ)] + b₁) + b₂)
///
/// It trains on windows of `window` tokens of a text dataset and predicts every next
/// token from the `context` tokens before it (a padding token stands for positions before
/// the window). The evaluation reports `nll` in nats per token and `bits-per-char`.
/// It is also the smallest example of a single-loss text family: options, a loss, an
/// evaluation and a sampler (see docs/Design.md).
public final class CharacterMLP: Module, SingleLossModel, TextGenerativeModel {
    public static let modelName = "char-mlp"
    public static let abstract = "Character-level neural n-gram language model (Bengio et al. 2003): embeddings of the last k tokens, a tanh MLP, softmax."

    static let context = ModelOption<Int>("context", default: 8, bounds: .within(1...256), help: "Tokens k the prediction sees.")
    static let embedding = ModelOption<Int>("embedding", default: 24, bounds: .positive, help: "Dimension of each token's embedding.")
    static let hidden = ModelOption<Int>("hidden", default: 256, bounds: .positive, help: "Width of the tanh hidden layer.")
    static let window = ModelOption<Int>("window", default: 64, bounds: .within(1...100_000), help: "Tokens per training and evaluation sequence.")
    public static var options: [any DeclaredOption] { [context, embedding, hidden, window] }

    public let embeddings: Embedding
    public let network: Sequential
    public let vocabulary: TokenVocabulary
    public let contextLength: Int
    public let window: Int

    public init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        let vocabulary = try Self.textVocabulary(of: data)
        self.vocabulary = vocabulary
        contextLength = options[Self.context]
        window = options[Self.window]
        let e = options[Self.embedding], h = options[Self.hidden], v = vocabulary.count
        embeddings = Embedding(count: v + 1, dimension: e, generator: &generator)   // the last row pads
        network = Sequential(Linear(contextLength * e, h, generator: &generator), Tanh(), Linear(h, v, generator: &generator))
        super.init()
    }

    public func dataset(_ name: String, split: DataSplit, store: DatasetStore) throws -> AnyDataset<TokenBatch> {
        try textDataset(name, split: split, store: store, contextLength: window, vocabulary: vocabulary)
    }

    /// Next-token logits at every position of `inputs` `[B, T]`: `[B, T, V]`.
    public func logits(_ inputs: IndexTensor) -> Tensor {
        let b = inputs.shape[0], t = inputs.shape[1], k = contextLength, pad = Int32(vocabulary.count)
        let ids = inputs.scalars
        var context = [Int32](repeating: pad, count: b * t * k)
        for row in 0..<b {
            for position in 0..<t {
                for j in 0..<k where position - (k - 1) + j >= 0 {
                    context[(row * t + position) * k + j] = ids[row * t + position - (k - 1) + j]
                }
            }
        }
        let e = embeddings(IndexTensor(shape: [b, t, k], scalars: context))
        return network(e.reshaped(to: [b, t, k * embeddings.dimension]))
    }

    public func trainingLoss(_ batch: TokenBatch, progress: TrainingProgress, generator: inout RandomGenerator) -> TrainingLoss {
        nextTokenLoss(logits: logits(batch.inputs), targets: batch.targets)
    }

    public func evaluationSums(_ batch: TokenBatch, generator: inout RandomGenerator) -> [String: Double] {
        nextTokenEvaluationSums(logits: logits(batch.inputs), targets: batch.targets)
    }

    public func generate(prompt: [Int32], count: Int, sampling: TextSampling, generator: inout RandomGenerator) -> [Int32] {
        var tokens = startTokens(prompt), out: [Int32] = []
        for _ in 0..<count {
            let recent = Array(tokens.suffix(contextLength))
            let row = withoutDerivative { logits(IndexTensor(shape: [1, recent.count], scalars: recent)) }
            let next = sampling.draw(lastRow(row), generator: &generator)
            tokens.append(next)
            out.append(next)
        }
        return out
    }
}
