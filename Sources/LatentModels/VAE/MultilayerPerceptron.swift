import LatentCore
import LatentNN

/// A stack of ``Linear`` layers with a nonlinearity between them (and optionally after the
/// last one): `h₀ = x`, `hᵢ = act(Wᵢ hᵢ₋₁ + bᵢ)`.
///
/// Used for the encoders and decoders of the VAE family. Inputs may carry extra leading
/// axes (`[K, B, D]`); every layer acts on the last axis.
public final class MultilayerPerceptron: Module, Layer {
    /// The nonlinearity between layers.
    public enum Activation: String, Sendable, CaseIterable {
        case relu, tanh, softplus, elu

        func callAsFunction(_ x: Tensor) -> Tensor {
            switch self {
            case .relu: return x.relu()
            case .tanh: return x.tanh()
            case .softplus: return x.softplus()
            case .elu: return x.elu()
            }
        }
    }

    /// The affine layers, input first.
    public let layers: [Linear]
    /// The nonlinearity.
    public let activation: Activation
    /// Whether the nonlinearity also follows the last layer.
    public let activateOutput: Bool

    public override class var stateKeys: [String: String] { ["layers": ""] }

    /// - Parameters:
    ///   - sizes: Widths, input first: `[784, 512, 256]` is two layers.
    ///   - activation: The nonlinearity between layers.
    ///   - activateOutput: Whether to apply it after the last layer too.
    ///   - generator: Draws the initial weights.
    public init(sizes: [Int], activation: Activation = .relu, activateOutput: Bool = false,
                generator: inout RandomGenerator) {
        ensure(sizes.count >= 1, "MultilayerPerceptron: needs at least the input size")
        var layers: [Linear] = []
        for (a, b) in zip(sizes, sizes.dropFirst()) { layers.append(Linear(a, b, generator: &generator)) }
        self.layers = layers
        self.activation = activation
        self.activateOutput = activateOutput
    }

    /// Width of the output (the input width when there are no layers).
    public var outputSize: Int { layers.last?.outputSize ?? 0 }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h)
            if i < layers.count - 1 || activateOutput { h = activation(h) }
        }
        return h
    }

    public override var summary: String { "MultilayerPerceptron(\(activation.rawValue))" }
}
