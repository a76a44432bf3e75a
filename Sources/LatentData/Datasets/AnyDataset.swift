import LatentCore

/// A dataset of any concrete type with batches of type `Batch`: what a model family's
/// ``Dataset`` view of a catalogued dataset is, whatever stores it (tensors, a text corpus).
public struct AnyDataset<Batch: Sendable>: Dataset {
    public let count: Int
    private let gather: @Sendable ([Int], inout RandomGenerator) -> Batch
    /// The wrapped dataset, for callers that need its concrete type.
    public let base: any Sendable

    public init<D: Dataset>(_ dataset: D) where D.Batch == Batch {
        count = dataset.count
        base = dataset
        gather = { indices, generator in dataset.batch(at: indices, generator: &generator) }
    }

    public func batch(at indices: [Int], generator: inout RandomGenerator) -> Batch {
        gather(indices, &generator)
    }
}
