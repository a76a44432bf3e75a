import LatentCore

/// A chain of layers applied in order: `y = fₙ(⋯ f₂(f₁(x)))` (PyTorch's `nn.Sequential`).
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let mlp = Sequential(Linear(784, 256, generator: &rng), ReLU(), Linear(256, 10, generator: &rng))
/// ```
///
/// The layers are inlined into this module's namespace as PyTorch does: parameters are
/// `0.weight`, `0.bias`, `2.weight`, … (parameter-free layers such as activations keep
/// their index), so the state dict of the equivalent `nn.Sequential` loads unchanged.
public final class Sequential: Module, Layer {
    /// The layers, in order.
    public let layers: [any Layer]

    public override class var stateKeys: [String: String] { ["layers": ""] }

    /// A chain of `layers`.
    public init(_ layers: [any Layer]) {
        self.layers = layers
    }

    /// A chain of the given layers.
    public convenience init(_ layers: any Layer...) {
        self.init(layers)
    }

    /// Number of layers.
    public var count: Int { layers.count }

    /// The layer at `index`.
    public subscript(index: Int) -> any Layer { layers[index] }

    /// Applies every layer in turn.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        layers.reduce(x) { h, layer in layer(h) }
    }

    public override var summary: String { "Sequential" }
}
