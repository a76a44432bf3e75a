import LatentCore

/// Layer normalisation over the trailing axes (Ba, Kiros & Hinton, "Layer
/// Normalization", 2016; PyTorch's `nn.LayerNorm`):
///
///     y = (x − μ) / √(σ² + ε) · w + b
///
/// with mean `μ` and biased variance `σ²` over the trailing `shape` axes of each sample.
/// Runs the fused ``layerNorm(_:normalizedShape:weight:bias:epsilon:)`` kernel. With
/// `elementwiseAffine`, `weight` starts at ones and `bias` at zeros (both `shape`).
public final class LayerNorm: Module, Layer {
    private let _weight: Parameter?
    private let _bias: Parameter?

    /// The trailing dimensions normalised together.
    public let shape: [Int]
    /// Added to the variance.
    public let epsilon: Float

    /// - Parameters:
    ///   - shape: The trailing dimensions normalised together, e.g. `[512]`.
    ///   - epsilon: Added to the variance.
    ///   - elementwiseAffine: Learn a per-element scale (and shift).
    ///   - bias: With `elementwiseAffine`, also learn the shift.
    public init(_ shape: [Int], epsilon: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        ensure(!shape.isEmpty && shape.allSatisfy { $0 > 0 }, "LayerNorm: invalid shape \(shapeString(shape))")
        self.shape = shape
        self.epsilon = epsilon
        _weight = elementwiseAffine ? Parameter(.ones(shape)) : nil
        _bias = elementwiseAffine && bias ? Parameter(.zeros(shape)) : nil
    }

    /// Layer norm over one trailing axis of `size` features.
    public convenience init(_ size: Int, epsilon: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        self.init([size], epsilon: epsilon, elementwiseAffine: elementwiseAffine, bias: bias)
    }

    /// The scale `w` (`nil` without elementwise affine).
    public var weight: Tensor? { _weight?.wrappedValue }
    /// The shift `b` (`nil` without it).
    public var bias: Tensor? { _bias?.wrappedValue }

    /// Normalises `x` of shape `[..., shape...]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        layerNorm(x, normalizedShape: shape, weight: weight, bias: bias, epsilon: epsilon)
    }

    public override var summary: String {
        var s = "LayerNorm(\(shape.count == 1 ? "\(shape[0])" : shapeString(shape))"
        if epsilon != 1e-5 { s += ", epsilon: \(epsilon)" }
        if _weight == nil { s += ", elementwiseAffine: false" } else if _bias == nil { s += ", bias: false" }
        return s + ")"
    }
}
