import LatentCore

/// An in-memory dataset: a features tensor whose first axis indexes the examples, and
/// optional integer labels.
///
/// Batches are gathered by copying each example's row into one new tensor (one
/// allocation per batch, `memcpy` per row).
///
/// ```swift
/// let data = TensorDataset(features: x, labels: y)     // x: [N, 1, 28, 28], y: [N]
/// let batch = data.batch(at: [3, 1, 4])                // features [3, 1, 28, 28]
/// ```
public struct TensorDataset: Dataset {
    /// All features, `[count] + featureShape`.
    public let features: Tensor
    /// All labels, `[count]`.
    public let labels: IndexTensor?

    /// - Parameters:
    ///   - features: At least 1-D; the first axis indexes examples. Detached from any graph.
    ///   - labels: One label per example, or nil.
    public init(features: Tensor, labels: IndexTensor? = nil) {
        ensure(features.rank >= 1, "TensorDataset: features need an example axis, got shape \(features.shape)")
        if let labels {
            ensure(labels.shape == [features.shape[0]],
                         "TensorDataset: \(features.shape[0]) examples but labels of shape \(labels.shape)")
        }
        self.features = features.detached()
        self.labels = labels
    }

    public var count: Int { features.shape[0] }

    /// The shape of one example's features.
    public var featureShape: [Int] { Array(features.shape.dropFirst()) }

    /// Elements per example.
    public var featureCount: Int { features.shape.dropFirst().reduce(1, *) }

    public func batch(at indices: [Int], generator: inout RandomGenerator) -> TensorBatch {
        checkIndices(indices, "TensorDataset.batch")
        let row = featureCount
        let source = features.storage.pointer
        let gathered = Tensor(shape: [indices.count] + featureShape) { p, _ in
            for (j, i) in indices.enumerated() { (p + j * row).update(from: source + i * row, count: row) }
        }
        let gatheredLabels = labels.map { all in
            all.scalars.withUnsafeBufferPointer { l in IndexTensor(shape: [indices.count], scalars: indices.map { l[$0] }) }
        }
        return TensorBatch(features: gathered, labels: gatheredLabels, indices: indices)
    }

    /// One example: its features (`featureShape`) and label.
    public func example(at index: Int) -> (features: Tensor, label: Int?) {
        let b = batch(at: [index])
        return (b.features.reshaped(to: featureShape), b.labels.map { Int($0.scalars[0]) })
    }

    /// A new dataset of the examples at `indices`, in that order (a copy).
    public func subset(_ indices: [Int]) -> TensorDataset {
        let b = batch(at: indices)
        return TensorDataset(features: b.features, labels: b.labels)
    }

    /// A new dataset of a contiguous range of examples (a copy).
    public func subset(_ range: Range<Int>) -> TensorDataset { subset(Array(range)) }

    /// The same examples with features of a different shape (e.g. `[784]` for `[1, 28, 28]`;
    /// one size may be `-1`); shares storage.
    public func reshapedFeatures(to shape: [Int]) -> TensorDataset {
        TensorDataset(features: features.reshaped(to: [count] + shape), labels: labels)
    }

    /// Number of examples with each label `0…max` (empty without labels).
    public func labelCounts() -> [Int] {
        guard let labels, let top = labels.scalars.max() else { return [] }
        var counts = [Int](repeating: 0, count: Int(top) + 1)
        for l in labels.scalars where l >= 0 { counts[Int(l)] += 1 }
        return counts
    }
}
