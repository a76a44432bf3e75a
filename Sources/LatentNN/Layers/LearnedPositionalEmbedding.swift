import LatentCore

/// A learned embedding of positions `0..<maxLength`, added to a sequence of vectors
/// (as GPT-2's `wpe`, or `nn.Embedding(maxLength, dimension)` indexed by `arange(T)`).
///
///     y[n, t] = x[n, t] + P[offset + t]
///
/// The table `weight` `[maxLength, dimension]` is initialised from `N(0, 1)` as
/// PyTorch's `nn.Embedding` (pass `standardDeviation: 0.02` for GPT-2's choice).
public final class LearnedPositionalEmbedding: Module, Layer {
    public let maxLength: Int
    public let dimension: Int
    @Parameter public var weight: Tensor

    /// - Parameters:
    ///   - maxLength: The number of positions.
    ///   - dimension: The size of each position's vector.
    ///   - standardDeviation: Of the normal initialisation.
    ///   - generator: The random stream for the initial table.
    public init(maxLength: Int, dimension: Int, standardDeviation: Float = 1, generator: inout RandomGenerator) {
        ensure(maxLength > 0 && dimension > 0, "LearnedPositionalEmbedding: sizes must be positive")
        self.maxLength = maxLength
        self.dimension = dimension
        _weight = Parameter(generator.normal([maxLength, dimension], standardDeviation: standardDeviation))
    }

    public override var summary: String { "LearnedPositionalEmbedding(\(maxLength), \(dimension))" }

    /// The vectors of positions `offset..<offset + length`, `[length, dimension]`.
    public func embeddings(length: Int, offset: Int = 0) -> Tensor {
        ensure(length >= 0 && offset >= 0 && offset + length <= maxLength,
                     "LearnedPositionalEmbedding: positions \(offset)..<\(offset + length) exceed maxLength \(maxLength)")
        return weight.sliced(alongAxis: 0, range: offset..<(offset + length))
    }

    /// `x` plus the embeddings of positions `0..<T`, as a ``Layer``.
    public func callAsFunction(_ x: Tensor) -> Tensor { self(x, offset: 0) }

    /// `x` plus the embeddings of its positions; `x` is `[..., T, dimension]`.
    public func callAsFunction(_ x: Tensor, offset: Int = 0) -> Tensor {
        ensure(x.rank >= 2 && x.shape[x.rank - 1] == dimension,
                     "LearnedPositionalEmbedding: input must be [..., T, \(dimension)], got \(shapeString(x.shape))")
        return x + embeddings(length: x.shape[x.rank - 2], offset: offset)
    }
}
