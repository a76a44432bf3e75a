import LatentCore

/// A tensor dataset whose batches pass through a list of ``BatchTransform``s in order,
/// all drawing from the batch's generator.
public struct TransformedDataset<Base: Dataset>: Dataset where Base.Batch == TensorBatch {
    public let base: Base
    public let transforms: [BatchTransform]

    public init(_ base: Base, transforms: [BatchTransform]) {
        self.base = base
        self.transforms = transforms
    }

    public var count: Int { base.count }

    public func batch(at indices: [Int], generator: inout RandomGenerator) -> TensorBatch {
        var batch = base.batch(at: indices, generator: &generator)
        for t in transforms { batch = t(batch, generator: &generator) }
        return batch
    }

    /// The same base with one more transform.
    public func transformed(_ transform: BatchTransform) -> TransformedDataset<Base> {
        TransformedDataset(base, transforms: transforms + [transform])
    }
}

/// How ``Dataset/binarized(_:)`` turns values in [0, 1] into 0 or 1.
public enum Binarization: Sendable {
    /// A new Bernoulli draw each time (``BatchTransform/dynamicBinarization``).
    case dynamic
    /// One Bernoulli draw per example, fixed by the seed (``BatchTransform/fixedBinarization(seed:)``).
    case fixed(seed: UInt64)
    /// `x > threshold` (``BatchTransform/thresholdBinarization(_:)``).
    case threshold(Float)
}

extension Dataset where Batch == TensorBatch {
    /// This dataset with a transform applied to every batch.
    public func transformed(_ transform: BatchTransform) -> TransformedDataset<Self> {
        TransformedDataset(self, transforms: [transform])
    }

    /// Binarised features (dynamic by default).
    public func binarized(_ mode: Binarization = .dynamic) -> TransformedDataset<Self> {
        switch mode {
        case .dynamic: transformed(.dynamicBinarization)
        case .fixed(let seed): transformed(.fixedBinarization(seed: seed))
        case .threshold(let t): transformed(.thresholdBinarization(t))
        }
    }

    /// `(x − mean) / standardDeviation`.
    public func normalized(mean: Float, standardDeviation: Float) -> TransformedDataset<Self> {
        transformed(.normalized(mean: mean, standardDeviation: standardDeviation))
    }

    /// Per-channel `(x − mean[c]) / standardDeviation[c]`.
    public func normalized(mean: [Float], standardDeviation: [Float]) -> TransformedDataset<Self> {
        transformed(.normalized(mean: mean, standardDeviation: standardDeviation))
    }

    /// Uniformly dequantised features (see ``BatchTransform/dequantized(levels:)``).
    public func dequantized(levels: Int = 256) -> TransformedDataset<Self> {
        transformed(.dequantized(levels: levels))
    }

    /// Logit-transformed features (see ``BatchTransform/logit(alpha:)``).
    public func logitTransformed(alpha: Float = 1e-6) -> TransformedDataset<Self> {
        transformed(.logit(alpha: alpha))
    }

    /// Images flipped left–right at random.
    public func randomHorizontalFlips(probability: Float = 0.5) -> TransformedDataset<Self> {
        transformed(.randomHorizontalFlip(probability: probability))
    }

    /// Batches carrying one-hot labels.
    public func oneHotLabels(classCount: Int) -> TransformedDataset<Self> {
        transformed(.oneHotLabels(classCount: classCount))
    }

    /// Features flattened to `[B, D]`.
    public func flattened() -> TransformedDataset<Self> { transformed(.flattened) }
}

extension TransformedDataset {
    public func binarized(_ mode: Binarization = .dynamic) -> TransformedDataset<Base> {
        switch mode {
        case .dynamic: transformed(.dynamicBinarization)
        case .fixed(let seed): transformed(.fixedBinarization(seed: seed))
        case .threshold(let t): transformed(.thresholdBinarization(t))
        }
    }
    public func normalized(mean: Float, standardDeviation: Float) -> TransformedDataset<Base> {
        transformed(.normalized(mean: mean, standardDeviation: standardDeviation))
    }
    public func normalized(mean: [Float], standardDeviation: [Float]) -> TransformedDataset<Base> {
        transformed(.normalized(mean: mean, standardDeviation: standardDeviation))
    }
    public func dequantized(levels: Int = 256) -> TransformedDataset<Base> { transformed(.dequantized(levels: levels)) }
    public func logitTransformed(alpha: Float = 1e-6) -> TransformedDataset<Base> { transformed(.logit(alpha: alpha)) }
    public func randomHorizontalFlips(probability: Float = 0.5) -> TransformedDataset<Base> {
        transformed(.randomHorizontalFlip(probability: probability))
    }
    public func oneHotLabels(classCount: Int) -> TransformedDataset<Base> { transformed(.oneHotLabels(classCount: classCount)) }
    public func flattened() -> TransformedDataset<Base> { transformed(.flattened) }
}
