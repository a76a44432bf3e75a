import LatentCore

/// Group normalisation (Wu & He, "Group Normalization", 2018; PyTorch's `nn.GroupNorm`):
/// the channels of each sample are split into `groups` contiguous groups, each
/// normalised with its own mean and biased variance (over its channels and all spatial
/// positions), then scaled and shifted per channel. Independent of the batch size; the
/// same in training and evaluation. `weight` starts at ones, `bias` at zeros.
public final class GroupNorm: Module, Layer {
    private let _weight: Parameter?
    private let _bias: Parameter?

    /// Number of groups `G`.
    public let groups: Int
    /// Number of channels `C` (divisible by `G`).
    public let channels: Int
    /// Added to the variance.
    public let epsilon: Float

    /// - Parameters:
    ///   - groups: Number of groups `G`.
    ///   - channels: Number of channels `C`, divisible by `G`.
    ///   - epsilon: Added to the variance.
    ///   - affine: Learn a per-channel scale and shift.
    public init(groups: Int, channels: Int, epsilon: Float = 1e-5, affine: Bool = true) {
        ensure(groups > 0 && channels > 0 && channels % groups == 0,
                     "GroupNorm: \(channels) channels are not divisible into \(groups) groups")
        self.groups = groups
        self.channels = channels
        self.epsilon = epsilon
        _weight = affine ? Parameter(.ones([channels])) : nil
        _bias = affine ? Parameter(.zeros([channels])) : nil
    }

    /// Per-channel scale (`nil` when not affine).
    public var weight: Tensor? { _weight?.wrappedValue }
    /// Per-channel shift (`nil` when not affine).
    public var bias: Tensor? { _bias?.wrappedValue }

    /// Normalises `x` of shape `[N, C, ...]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        ensure(x.rank >= 2 && x.shape[1] == channels,
                     "GroupNorm: expected [N, \(channels), ...], got \(shapeString(x.shape))")
        let batch = x.shape[0]
        var y = x.reshaped(to: [batch, groups, x.scalarCount / max(batch * groups, 1)])
            .normalized(keepingAxes: 0..<2, epsilon: epsilon).reshaped(to: x.shape)
        let broadcastShape = [1, channels] + [Int](repeating: 1, count: x.rank - 2)
        if let weight { y = y * weight.reshaped(to: broadcastShape) }
        if let bias { y = y + bias.reshaped(to: broadcastShape) }
        return y
    }

    public override var summary: String {
        "GroupNorm(groups: \(groups), channels: \(channels)\(_weight == nil ? ", affine: false" : ""))"
    }
}
