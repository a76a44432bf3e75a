import LatentCore

/// A batch of token sequences for next-token prediction.
public struct TokenBatch: Sendable {
    /// Input tokens, `[B, length]`.
    public var inputs: IndexTensor
    /// The same sequences shifted by one (the next token at every position), `[B, length]`.
    public var targets: IndexTensor
    /// The example indices, in batch order.
    public var indices: [Int]

    /// Number of sequences in the batch.
    public var count: Int { indices.count }
}

extension TokenBatch {
    /// The windows `tokens[start ..< start + length]` (inputs) and the same shifted by one
    /// (targets), one row per start, labelled with `indices`.
    public init(tokens: [Int32], starts: [Int], length: Int, indices: [Int]) {
        var inputs = [Int32](), targets = [Int32]()
        inputs.reserveCapacity(starts.count * length)
        targets.reserveCapacity(starts.count * length)
        for start in starts {
            inputs.append(contentsOf: tokens[start..<(start + length)])
            targets.append(contentsOf: tokens[(start + 1)..<(start + length + 1)])
        }
        self.init(inputs: IndexTensor(shape: [starts.count, length], scalars: inputs),
                  targets: IndexTensor(shape: [starts.count, length], scalars: targets), indices: indices)
    }
}

/// Consecutive non-overlapping windows of a token stream, for training character-level
/// language models.
///
/// Example `i` is the window `tokens[i·length ..< i·length + length + 1]`: its first
/// `length` tokens are the inputs, its last `length` the targets. There are
/// `⌊(tokens.count − 1) / length⌋` examples; shuffling them in a ``DataLoader`` visits the
/// whole text once per epoch in a random order of windows.
public struct CharacterSequenceDataset: Dataset {
    /// The token stream.
    public let tokens: [Int32]
    /// Tokens per input sequence.
    public let length: Int

    public init(tokens: [Int32], length: Int) {
        ensure(length > 0, "CharacterSequenceDataset: length must be positive, got \(length)")
        self.tokens = tokens
        self.length = length
    }

    public var count: Int { tokens.count > length ? (tokens.count - 1) / length : 0 }

    public func batch(at indices: [Int], generator: inout RandomGenerator) -> TokenBatch {
        checkIndices(indices, "CharacterSequenceDataset.batch")
        return TokenBatch(tokens: tokens, starts: indices.map { $0 * length }, length: length, indices: indices)
    }
}
