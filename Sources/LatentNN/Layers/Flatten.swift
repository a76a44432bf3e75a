import LatentCore

/// Merges a run of axes into one (PyTorch's `nn.Flatten`): by default every axis after
/// the batch axis, `[N, C, H, W] → [N, C·H·W]`, as between a convolutional trunk and a
/// linear head.
public final class Flatten: Module, Layer {
    /// First axis merged.
    public let startAxis: Int
    /// Last axis merged (negative counts from the end).
    public let endAxis: Int

    public init(startAxis: Int = 1, endAxis: Int = -1) {
        self.startAxis = startAxis
        self.endAxis = endAxis
    }

    /// `x` with axes `startAxis...endAxis` merged.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.flattened(startAxis: startAxis, endAxis: endAxis) }
}
