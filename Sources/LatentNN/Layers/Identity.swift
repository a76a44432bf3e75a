import LatentCore

/// The layer that returns its input unchanged (a placeholder, e.g. for an optional
/// normalisation or a skip connection without projection).
public final class Identity: Module, Layer {
    public override init() {}

    /// Returns `x`.
    public func callAsFunction(_ x: Tensor) -> Tensor { x }
}
