import LatentCore

/// A batch of examples from a tensor dataset.
public struct TensorBatch: Sendable {
    /// The examples' features, `[B] + featureShape`.
    public var features: Tensor
    /// The examples' class labels, `[B]`, when the dataset has labels.
    public var labels: IndexTensor?
    /// The labels as one-hot rows `[B, classCount]`, set by
    /// ``BatchTransform/oneHotLabels(classCount:)`` (for conditional models).
    public var oneHotLabels: Tensor?
    /// The dataset positions of the examples, in batch order.
    public var indices: [Int]

    public init(features: Tensor, labels: IndexTensor? = nil, oneHotLabels: Tensor? = nil, indices: [Int]) {
        ensure(features.rank >= 1 && features.shape[0] == indices.count,
                     "TensorBatch: features of shape \(features.shape) for \(indices.count) indices")
        ensure(labels.map { $0.shape == [indices.count] } ?? true,
                     "TensorBatch: labels of shape \(labels?.shape ?? []) for \(indices.count) examples")
        self.features = features
        self.labels = labels
        self.oneHotLabels = oneHotLabels
        self.indices = indices
    }

    /// Number of examples in the batch.
    public var count: Int { indices.count }
}
