import LatentCore

/// A lookup table of learned vectors, one row per id (PyTorch's `nn.Embedding`).
///
/// The weight is `[count, dimension]`, initialised from `N(0, 1)` as in PyTorch. The
/// gradient index-adds into the rows that were looked up. See ``embedding(_:_:)``.
public final class Embedding: Module {
    /// `[count, dimension]`.
    @Parameter public var weight: Tensor

    /// Number of rows (ids `0..<count`).
    public let count: Int
    /// Length of each vector.
    public let dimension: Int

    /// - Parameters:
    ///   - count: Number of ids.
    ///   - dimension: Length of each vector.
    ///   - generator: Random stream for the initial values (advanced).
    public init(count: Int, dimension: Int, generator: inout RandomGenerator) {
        ensure(count > 0 && dimension > 0, "Embedding: count and dimension must be positive, got \(count), \(dimension)")
        self.count = count
        self.dimension = dimension
        _weight = Parameter(generator.normal([count, dimension]))
    }

    /// The rows of the table for `ids` (any shape), giving `ids.shape + [dimension]`.
    public func callAsFunction(_ ids: IndexTensor) -> Tensor {
        embedding(weight, ids)
    }

    public override var summary: String { "Embedding(\(count), \(dimension))" }
}
