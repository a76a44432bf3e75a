import LatentCore

/// A finite, indexable collection of examples that can be gathered into batches.
///
/// A dataset is batch-oriented: ``batch(at:generator:)`` gathers many examples at once
/// (copying rows, with no per-example tensor), which is what ``DataLoader`` calls. Any
/// randomness a dataset needs (dynamic binarisation, dequantisation noise, random flips)
/// comes from the `generator` argument, which the loader derives from its seed, the epoch
/// and the step, so batches are reproducible, with or without background prefetching.
///
/// Datasets are `Sendable` values so a loader can gather batches on a background thread.
public protocol Dataset<Batch>: Sendable {
    /// What ``batch(at:generator:)`` returns (``TensorBatch`` for tensor datasets).
    associatedtype Batch: Sendable

    /// Number of examples.
    var count: Int { get }

    /// Gathers the examples at `indices` (each in `0..<count`, in this order) into one batch.
    /// - Parameters:
    ///   - indices: Positions of the examples.
    ///   - generator: The source of any randomness, consumed in a fixed order.
    func batch(at indices: [Int], generator: inout RandomGenerator) -> Batch
}

extension Dataset {
    /// Gathers a batch with randomness from `RandomGenerator(seed: 0)`.
    public func batch(at indices: [Int]) -> Batch {
        var generator = RandomGenerator(seed: 0)
        return batch(at: indices, generator: &generator)
    }

    /// Traps with a message when an index is out of range.
    func checkIndices(_ indices: [Int], _ name: String) {
        for i in indices where i < 0 || i >= count {
            fatalError("\(name): index \(i) is out of range for \(count) examples")
        }
    }
}
