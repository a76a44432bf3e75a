import LatentCore

/// A residual connection around a layer: `y = x + f(x)` (He et al., "Deep Residual
/// Learning for Image Recognition", 2016). `f` must keep the shape of its input.
///
/// The wrapped layer's parameters are under `block.` (`block.0.weight` for a
/// ``Sequential``).
public final class Residual: Module, Layer {
    /// The residual branch `f`.
    public let block: any Layer

    /// `x + block(x)`.
    public init(_ block: any Layer) {
        self.block = block
    }

    /// `x + block(x)`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let fx = block(x)
        ensure(fx.shape == x.shape,
                     "Residual: block maps \(shapeString(x.shape)) to \(shapeString(fx.shape)); the shapes must agree")
        return x + fx
    }
}
