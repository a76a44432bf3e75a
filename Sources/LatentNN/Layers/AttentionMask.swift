import LatentCore

/// A mask on attention scores `[L, S]` (query positions × key positions), in one of the
/// two forms PyTorch accepts.
public enum AttentionMask: Sendable {
    /// Added to the scores before the softmax: 0 leaves a position as it is, `-.infinity`
    /// forbids it, other values bias it.
    case additive(Tensor)
    /// 0/1 values, 1 where attention is *not* allowed (PyTorch's boolean `attn_mask` of
    /// `nn.MultiheadAttention`, where `True` masks a position out).
    case boolean(Tensor)

    /// The mask as an additive tensor: itself, or `-∞` where the boolean mask is 1.
    public var additive: Tensor {
        switch self {
        case .additive(let t): return t
        case .boolean(let t): return Tensor.zeros(t.shape).maskedFill(t.detached(), value: -.infinity)
        }
    }

    /// The mask's shape.
    public var shape: [Int] {
        switch self {
        case .additive(let t), .boolean(let t): return t.shape
        }
    }
}
