import Foundation
import LatentCore
import LatentData
import LatentNN

/// A character-level GPT (Radford et al. 2018/2019; Karpathy's nanoGPT): `latent train
/// char-transformer`.
///
///     h⁰ = E[x] + P[0 ..< T],   hˡ = Blockˡ(hˡ⁻¹) (pre-LayerNorm, causal),
///     p(xₜ₊₁ | x≤ₜ) = softmax(LN(hᴸₜ) Eᵀ)
///
/// The output projection is the token embedding matrix transposed (weight tying, Press &
/// Wolf 2017). Defaults are nanoGPT's small CPU configuration (4 layers, 4 heads, width
/// 128, context 64). Embeddings and positions start from `N(0, 0.02²)` as in GPT-2.
/// Training reads shuffled windows of `context` tokens; sampling keeps a key–value cache
/// per block, so each new token costs one position. When the context is full the model
/// keeps the last half of it and reads that again (positions restart at 0).
public final class CharacterTransformer: Module, SingleLossModel, TextGenerativeModel {
    public static let modelName = "char-transformer"
    public static let abstract = "Character-level GPT: causal pre-LayerNorm Transformer with learned positions and tied output weights."

    static let layers = ModelOption<Int>("layers", default: 4, bounds: .within(1...48), help: "Transformer blocks.")
    static let heads = ModelOption<Int>("heads", default: 4, bounds: .within(1...64), help: "Attention heads (must divide width).")
    static let width = ModelOption<Int>("width", default: 128, bounds: .within(1...8192), help: "Width of the residual stream and the embeddings.")
    static let context = ModelOption<Int>("context", default: 64, bounds: .within(1...4096), help: "Tokens the model sees (training window and sampling context).")
    static let dropout = ModelOption<Float>("dropout", default: 0, bounds: .halfOpen(0, 1), help: "Dropout probability on embeddings, attention weights and residual branches.")
    public static var options: [any DeclaredOption] { [layers, heads, width, context, dropout] }

    public let tokenEmbedding: Embedding
    public let positions: LearnedPositionalEmbedding
    public let blocks: [TransformerBlock]
    public let finalNorm: LayerNorm
    public let vocabulary: TokenVocabulary
    public let contextLength: Int
    public let dropoutProbability: Float

    public init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        let vocabulary = try Self.textVocabulary(of: data)
        let d = options[Self.width], h = options[Self.heads]
        guard d % h == 0 else { throw ModelOptionError("\(Self.modelName): width \(d) must be a multiple of heads \(h)") }
        self.vocabulary = vocabulary
        contextLength = options[Self.context]
        dropoutProbability = options[Self.dropout]
        tokenEmbedding = Embedding(count: vocabulary.count, dimension: d, generator: &generator)
        tokenEmbedding.weight = generator.normal([vocabulary.count, d]) * 0.02
        positions = LearnedPositionalEmbedding(maxLength: contextLength, dimension: d, standardDeviation: 0.02, generator: &generator)
        blocks = (0..<options[Self.layers]).map { _ in
            TransformerBlock(dimension: d, headCount: h, dropout: options[Self.dropout], generator: &generator)
        }
        finalNorm = LayerNorm(d)
        super.init()
    }

    public func dataset(_ name: String, split: DataSplit, store: DatasetStore) throws -> AnyDataset<TokenBatch> {
        try textDataset(name, split: split, store: store, contextLength: contextLength, vocabulary: vocabulary)
    }

    /// Tied output: `LN(h) Eᵀ`.
    func head(_ h: Tensor) -> Tensor { linear(finalNorm(h), weight: tokenEmbedding.weight, bias: nil) }

    /// Logits `[N, T, V]` for `inputs` `[N, T]` (T ≤ context), dropout from `generator`.
    public func logits(_ inputs: IndexTensor, generator: inout RandomGenerator) -> Tensor {
        let t = inputs.shape[1]
        ensure(t <= contextLength, "\(Self.modelName): \(t) tokens exceed the context of \(contextLength)")
        var h = (tokenEmbedding(inputs) + positions.embeddings(length: t))
            .dropout(probability: dropoutProbability, generator: &generator, isTraining: isTraining)
        for block in blocks { h = block(h, generator: &generator) }
        return head(h)
    }

    /// Logits `[N, L, V]` of `inputs` `[N, L]` that follow the positions in `caches` (one
    /// per block), appending theirs (evaluation mode).
    public func logits(_ inputs: IndexTensor, caches: inout [KeyValueCache]) -> Tensor {
        let l = inputs.shape[1], offset = caches[0].count
        ensure(offset + l <= contextLength, "\(Self.modelName): \(offset + l) tokens exceed the context of \(contextLength)")
        var h = tokenEmbedding(inputs) + positions.embeddings(length: l, offset: offset)
        for (i, block) in blocks.enumerated() { h = block(h, cache: &caches[i]) }
        return head(h)
    }

    public func trainingLoss(_ batch: TokenBatch, progress: TrainingProgress, generator: inout RandomGenerator) -> TrainingLoss {
        nextTokenLoss(logits: logits(batch.inputs, generator: &generator), targets: batch.targets)
    }

    public func evaluationSums(_ batch: TokenBatch, generator: inout RandomGenerator) -> [String: Double] {
        nextTokenEvaluationSums(logits: logits(batch.inputs, generator: &generator), targets: batch.targets)
    }

    public func generate(prompt: [Int32], count: Int, sampling: TextSampling, generator: inout RandomGenerator) -> [Int32] {
        generate(prompt: prompt, count: count, sampling: sampling, generator: &generator, cached: true)
    }

    /// Generation with the key–value cache or, with `cached` false, by recomputing the
    /// whole visible window for every token (the reference the cache must equal).
    public func generate(prompt: [Int32], count: Int, sampling: TextSampling, generator: inout RandomGenerator,
                         cached: Bool) -> [Int32] {
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        var tokens = startTokens(prompt), out: [Int32] = []
        var start = max(0, tokens.count - contextLength)          // first visible token
        var caches = [KeyValueCache](repeating: KeyValueCache(), count: blocks.count)
        var pending = Array(tokens[start...])                      // visible tokens not yet cached
        for _ in 0..<count {
            let row: [Float] = withoutDerivative {
                if cached {
                    return lastRow(logits(IndexTensor(shape: [1, pending.count], scalars: pending), caches: &caches))
                }
                let visible = Array(tokens[start...])
                return lastRow(logits(IndexTensor(shape: [1, visible.count], scalars: visible), generator: &generator))
            }
            let next = sampling.draw(row, generator: &generator)
            tokens.append(next)
            out.append(next)
            if tokens.count - start > contextLength {
                start = tokens.count - max(1, contextLength / 2)
                caches = [KeyValueCache](repeating: KeyValueCache(), count: blocks.count)
                pending = Array(tokens[start...])
            } else {
                pending = [next]
            }
        }
        return out
    }
}
