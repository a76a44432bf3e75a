import Foundation
import LatentCore
import LatentData

/// How the next token is drawn from a language model's logits: temperature, then top-k,
/// then top-p (nucleus) truncation, then a categorical draw (Holtzman et al. 2020 for
/// top-p; Fan et al. 2018 for top-k).
public struct TextSampling: Sendable, Equatable {
    /// Divides the logits; below 1 sharpens, above 1 flattens. Must be positive.
    public var temperature: Float = 1
    /// Keep only the k most probable tokens (nil: all).
    public var topK: Int?
    /// Keep the smallest set of most probable tokens whose probability reaches p, in (0, 1] (nil: all).
    public var topP: Float?

    public init(temperature: Float = 1, topK: Int? = nil, topP: Float? = nil) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
    }

    /// Checks the settings; the error names the flag and the valid range.
    public func validate() throws(TrainingError) {
        guard temperature > 0, temperature.isFinite else { throw TrainingError("--temperature must be a positive number, got \(temperature)") }
        if let topK, topK < 1 { throw TrainingError("--top-k must be at least 1, got \(topK)") }
        if let topP, !(topP > 0 && topP <= 1) { throw TrainingError("--top-p must be in (0, 1], got \(topP)") }
    }

    /// Draws one token from a row of logits.
    public func draw(_ logits: [Float], generator: inout RandomGenerator) -> Int32 {
        let scaled = logits.map { Double($0) / Double(temperature) }
        var order = Array(scaled.indices).sorted { scaled[$0] > scaled[$1] || (scaled[$0] == scaled[$1] && $0 < $1) }
        if let topK { order = Array(order.prefix(topK)) }
        let top = scaled[order[0]]
        var weights = order.map { Foundation.exp(scaled[$0] - top) }
        if let topP {
            let total = weights.reduce(0, +)
            var cumulative = 0.0, keep = weights.count
            for (i, w) in weights.enumerated() {
                cumulative += w / total
                if cumulative >= Double(topP) { keep = i + 1; break }
            }
            order = Array(order.prefix(keep))
            weights = Array(weights.prefix(keep))
        }
        let total = weights.reduce(0, +)
        let u = Double(generator.uniform([1]).scalars[0]) * total
        var cumulative = 0.0
        for (i, w) in weights.enumerated() {
            cumulative += w
            if u < cumulative { return Int32(order[i]) }
        }
        return Int32(order[order.count - 1])
    }
}

/// A family that models text and can continue a prompt (`latent sample` prints its text).
public protocol TextGenerativeModel: GenerativeModel where Batch == TokenBatch {
    /// The vocabulary the model was built for.
    var vocabulary: TokenVocabulary { get }
    /// `count` tokens following `prompt` (which may be empty).
    func generate(prompt: [Int32], count: Int, sampling: TextSampling, generator: inout RandomGenerator) -> [Int32]
}

extension TextGenerativeModel {
    /// Continues `prompt` by `count` tokens and returns the prompt and its continuation as
    /// text. A prompt with characters outside the vocabulary is an error naming them.
    public func continueText(_ prompt: String, count: Int, sampling: TextSampling, generator: inout RandomGenerator) throws -> String {
        try sampling.validate()
        let tokens: [Int32]
        do { tokens = try vocabulary.encode(prompt) } catch {
            throw TrainingError("--prompt: \(error.reason)")
        }
        return prompt + vocabulary.decode(generate(prompt: tokens, count: count, sampling: sampling, generator: &generator))
    }
}

extension GenerativeModel where Batch == TokenBatch {
    /// Windows of `contextLength` tokens (and their next tokens) of a text dataset's split.
    public func textDataset(_ name: String, split: DataSplit, store: DatasetStore, contextLength: Int,
                            vocabulary: TokenVocabulary) throws -> AnyDataset<TokenBatch> {
        let corpus = try textCorpus(name, store: store, vocabulary: vocabulary)
        let windows = corpus.sequences(split, length: contextLength)
        guard windows.count > 0 else {
            throw TrainingError("dataset '\(name)': the \(split) split has \(corpus.tokens(split).count) tokens, fewer than one window of \(contextLength) + 1; use a smaller context")
        }
        return AnyDataset(windows)
    }

    /// The text corpus of a catalogued dataset, checked to use `vocabulary`.
    public func textCorpus(_ name: String, store: DatasetStore, vocabulary: TokenVocabulary) throws -> TextCorpus {
        let corpus = try DatasetCatalog.corpus(name, store: store)
        guard corpus.vocabulary == vocabulary else {
            throw TrainingError("dataset '\(name)': its vocabulary (\(corpus.vocabulary.count) \(corpus.vocabulary.kindName)) is not the one the model was built for (\(vocabulary.count))")
        }
        return corpus
    }
}
