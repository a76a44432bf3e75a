import LatentCore

/// Batch normalisation over the channel axis 1 (the shared base of ``BatchNorm1d`` and
/// ``BatchNorm2d``, as PyTorch's `_BatchNorm`; Ioffe & Szegedy,
/// "Batch Normalization: Accelerating Deep Network Training by Reducing Internal
/// Covariate Shift", 2015).
///
/// In training mode each channel is normalised with the batch mean and *biased* batch
/// variance, and the running statistics move toward the batch's (the running variance
/// toward the *unbiased* batch variance) with momentum 0.1; in evaluation mode the running
/// statistics are used. `weight` starts at ones, `bias` at zeros, `running_mean` at
/// zeros, `running_var` at ones. Buffers use PyTorch's state-dict names
/// (`running_mean`, `running_var`, `num_batches_tracked`) so its checkpoints load
/// unchanged.
public class BatchNormLayer: Module, Layer {
    private let _weight: Parameter?
    private let _bias: Parameter?
    private let _runningMean: Buffer?
    private let _runningVariance: Buffer?
    private let _numBatchesTracked: Buffer?

    public override class var stateKeys: [String: String] {
        ["runningMean": "running_mean", "runningVariance": "running_var", "numBatchesTracked": "num_batches_tracked"]
    }

    /// Number of channels `C`.
    public let featureCount: Int
    /// Added to the variance.
    public let epsilon: Float
    /// Weight of the newest batch in the running statistics; `nil` for a cumulative average.
    public private(set) var momentum: Float?

    /// - Parameters:
    ///   - featureCount: Number of channels `C`.
    ///   - epsilon: Added to the variance.
    ///   - momentum: Weight of each new batch in the running statistics (`nil`: cumulative average).
    ///   - affine: Learn a per-channel scale and shift.
    ///   - trackRunningStatistics: Keep running statistics for evaluation (otherwise batch
    ///     statistics are used in both modes).
    public init(_ featureCount: Int, epsilon: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true,
                trackRunningStatistics: Bool = true) {
        ensure(featureCount > 0, "\(Self.layerName): feature count must be positive, got \(featureCount)")
        self.featureCount = featureCount
        self.epsilon = epsilon
        self.momentum = momentum
        _weight = affine ? Parameter(.ones([featureCount])) : nil
        _bias = affine ? Parameter(.zeros([featureCount])) : nil
        _runningMean = trackRunningStatistics ? Buffer(.zeros([featureCount])) : nil
        _runningVariance = trackRunningStatistics ? Buffer(.ones([featureCount])) : nil
        _numBatchesTracked = trackRunningStatistics ? Buffer(Tensor(0)) : nil
    }

    /// Per-channel scale (`nil` when not affine).
    public var weight: Tensor? { _weight?.wrappedValue }
    /// Per-channel shift (`nil` when not affine).
    public var bias: Tensor? { _bias?.wrappedValue }
    /// Running mean per channel (`nil` when not tracked).
    public var runningMean: Tensor? { _runningMean?.wrappedValue }
    /// Running (unbiased) variance per channel (`nil` when not tracked).
    public var runningVariance: Tensor? { _runningVariance?.wrappedValue }
    /// Number of training batches seen (`nil` when not tracked).
    public var numBatchesTracked: Int? { _numBatchesTracked.map { Int($0.wrappedValue.scalar) } }

    /// The layer's name in messages.
    class var layerName: String { "BatchNorm" }
    /// Accepted input ranks and their description for messages.
    class var inputLayout: (ranks: Set<Int>, description: String) { ([2, 3, 4], "[N, C, ...]") }

    /// Normalises `x`; in training mode also updates the running statistics.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let layout = Self.inputLayout
        ensure(layout.ranks.contains(x.rank) && x.shape[1] == featureCount,
                     "\(Self.layerName): expected \(layout.description) with C = \(featureCount), got \(shapeString(x.shape))")
        return batchNormalize(x, weight: weight, bias: bias, runningMean: _runningMean, runningVariance: _runningVariance,
                              numBatchesTracked: _numBatchesTracked, momentum: momentum, epsilon: epsilon,
                              isTraining: isTraining)
    }

    /// Replaces the running statistics with the plain average of the batch statistics of
    /// the batches `body` passes through this layer ("standing statistics"); the layer is in
    /// training mode meanwhile, and its mode and momentum are restored afterwards.
    public func recomputeRunningStatistics(_ body: () throws -> Void) rethrows {
        try Self.recomputeRunningStatistics(of: [self], body)
    }

    /// ``recomputeRunningStatistics(_:)`` for several layers at once (e.g. every batch norm
    /// of a generator whose parameters were replaced by their moving average).
    public static func recomputeRunningStatistics(of layers: [BatchNormLayer], _ body: () throws -> Void) rethrows {
        let saved = layers.map { ($0.momentum, $0.isTraining) }
        for layer in layers {
            layer.momentum = nil
            layer._runningMean?.wrappedValue = .zeros([layer.featureCount])
            layer._runningVariance?.wrappedValue = .ones([layer.featureCount])
            layer._numBatchesTracked?.wrappedValue = Tensor(0)
            layer.train(true)
        }
        defer {
            for (layer, (momentum, training)) in zip(layers, saved) {
                layer.momentum = momentum
                layer.train(training)
            }
        }
        try body()
    }

    public override var summary: String {
        batchNormSummary(Self.layerName, features: featureCount, epsilon: epsilon, momentum: momentum,
                         affine: _weight != nil, tracks: _runningMean != nil)
    }
}
