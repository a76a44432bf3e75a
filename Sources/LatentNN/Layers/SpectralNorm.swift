import LatentCore

/// Spectral normalisation of a layer's weight (Miyato et al., "Spectral Normalization for
/// Generative Adversarial Networks", 2018), as `torch.nn.utils.spectral_norm`:
///
///     W_SN = W / σ(W),   σ(W) ≈ uᵀ W v
///
/// with `W` viewed as a matrix `[out, rest]` (output axis first). In training mode each
/// call first runs `powerIterations` steps of the power method, without gradient,
///
///     v ← Wᵀu / ‖Wᵀu‖,   u ← Wv / ‖Wv‖      (norms floored at ε)
///
/// and stores `u`, `v`; in evaluation mode the stored vectors are used as they are. `σ`
/// is then computed with `u`, `v` held constant, so gradients flow through `W` in both
/// places (as in PyTorch). `u` and `v` start as normalised Gaussian vectors.
///
/// The wrapped layer's forward runs with `W_SN` in place of its weight (see
/// ``WeightedLayer``). State names are PyTorch's: `weight_orig` (the wrapped layer's
/// weight, shared with it), `bias`, and buffers `weight_u`, `weight_v`, so a module saved
/// by PyTorch after `spectral_norm(...)` loads unchanged. The wrapped layer may hold only
/// a weight and a bias.
public final class SpectralNorm<Wrapped: WeightedLayer>: Module, Layer {
    /// The unnormalised weight `W` (the wrapped layer's weight).
    @Parameter public var weightOriginal: Tensor
    private let _bias: Parameter?
    /// The left singular vector estimate `u`, `[out]`.
    @Buffer public var u: Tensor
    /// The right singular vector estimate `v`, `[rest]`.
    @Buffer public var v: Tensor
    private let wrapped: Unreflected<Wrapped>

    /// Power-method steps per training-mode call.
    public let powerIterations: Int
    /// Floor for the norms in the power method.
    public let epsilon: Float

    public override class var stateKeys: [String: String] {
        ["weightOriginal": "weight_orig", "u": "weight_u", "v": "weight_v"]
    }

    /// - Parameters:
    ///   - layer: The layer to normalise (`Linear`, a convolution…); it keeps owning its weight.
    ///   - powerIterations: Power-method steps per training-mode call (≥ 1).
    ///   - epsilon: Floor for the norms.
    ///   - generator: Random stream for the initial `u`, `v` (advanced).
    public init(wrapping layer: Wrapped, powerIterations: Int = 1, epsilon: Float = 1e-12,
                generator: inout RandomGenerator) {
        ensure(powerIterations >= 1, "SpectralNorm: powerIterations must be at least 1, got \(powerIterations)")
        preconditionOnlyWeightAndBias(layer, wrapper: "SpectralNorm")
        wrapped = Unreflected(value: layer)
        self.powerIterations = powerIterations
        self.epsilon = epsilon
        _weightOriginal = layer.weightParameter
        _bias = layer.biasParameter
        let shape = Self.matrixShape(layer.weightParameter.wrappedValue.shape, outputAxis: layer.outputAxis)
        _u = Buffer(Self.normalize(generator.normal([shape.rows]), epsilon))
        _v = Buffer(Self.normalize(generator.normal([shape.columns]), epsilon))
    }

    /// The wrapped layer.
    public var layer: Wrapped { wrapped.value }

    /// The bias of the wrapped layer.
    public var bias: Tensor? { _bias?.wrappedValue }

    /// The spectrally normalised weight `W / (uᵀWv)`; in training mode it first advances
    /// the power method (updating `u` and `v`).
    public func normalizedWeight() -> Tensor {
        let w = weightOriginal
        let matrix = Self.matrix(w, outputAxis: layer.outputAxis)
        if isTraining {
            withoutDerivative {
                let m = matrix.detached()
                var (u, v) = (self.u, self.v)
                for _ in 0..<powerIterations {
                    v = Self.normalize(matmul(m.transposed(), u.reshaped(to: [-1, 1])).reshaped(to: [-1]), epsilon)
                    u = Self.normalize(matmul(m, v.reshaped(to: [-1, 1])).reshaped(to: [-1]), epsilon)
                }
                self.u = u
                self.v = v
            }
        }
        let sigma = (u * matmul(matrix, v.reshaped(to: [-1, 1])).reshaped(to: [-1])).sum()
        return w / sigma
    }

    /// The wrapped layer's forward pass with the normalised weight.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        layer(x, weight: normalizedWeight())
    }

    public override var summary: String { "SpectralNorm(\(layer.summary))" }

    static func matrixShape(_ shape: [Int], outputAxis: Int) -> (rows: Int, columns: Int) {
        let rows = shape[outputAxis]
        return (rows, Shape.count(shape) / rows)
    }

    /// The weight as `[out, rest]` with the output axis moved first.
    static func matrix(_ w: Tensor, outputAxis: Int) -> Tensor {
        var x = w
        if outputAxis != 0 {
            var axes = Array(0..<w.rank)
            axes.remove(at: outputAxis)
            x = w.permuted([outputAxis] + axes)
        }
        return x.reshaped(to: [w.shape[outputAxis], -1])
    }

    /// `x / max(‖x‖, ε)`.
    static func normalize(_ x: Tensor, _ epsilon: Float) -> Tensor {
        x / maximum(x.square().sum().sqrt(), epsilon)
    }
}
