import LatentCore

/// Weight normalisation (Salimans & Kingma, "Weight Normalization: A Simple
/// Reparameterization to Accelerate Training of Deep Neural Networks", 2016), as
/// `torch.nn.utils.weight_norm`: the weight is computed on every call as
///
///     w = g · v / ‖v‖
///
/// with the norm taken over every axis except `axis` (one norm per output feature for the
/// default `axis = 0`; over the whole tensor for `axis = nil`). Both the magnitude `g`
/// (shaped like the weight with size 1 on the other axes) and the direction `v` are
/// trained. At creation `v` is the layer's weight and `g = ‖v‖`, so the layer's function
/// is unchanged.
///
/// State names are PyTorch's: `weight_g`, `weight_v` (the wrapped layer's weight, shared
/// with it) and `bias`. The wrapped layer may hold only a weight and a bias.
public final class WeightNorm<Wrapped: WeightedLayer>: Module, Layer {
    /// The magnitude `g`.
    @Parameter public var magnitude: Tensor
    /// The direction `v` (the wrapped layer's weight).
    @Parameter public var direction: Tensor
    private let _bias: Parameter?
    private let wrapped: Unreflected<Wrapped>

    /// The axis kept by the norm (`nil`: one norm for the whole weight).
    public let axis: Int?

    public override class var stateKeys: [String: String] { ["magnitude": "weight_g", "direction": "weight_v"] }

    /// - Parameters:
    ///   - layer: The layer to reparameterise; it keeps owning its weight (as `v`).
    ///   - axis: The axis with one norm per index (0: output features of `Linear` and
    ///     `Conv2d`, PyTorch's default); `nil` for a single norm.
    public init(wrapping layer: Wrapped, axis: Int? = 0) {
        preconditionOnlyWeightAndBias(layer, wrapper: "WeightNorm")
        let v = layer.weightParameter.wrappedValue
        if let axis { ensure(axis >= 0 && axis < v.rank, "WeightNorm: axis \(axis) out of range for weight \(shapeString(v.shape))") }
        wrapped = Unreflected(value: layer)
        self.axis = axis
        _direction = layer.weightParameter
        _bias = layer.biasParameter
        _magnitude = Parameter(Self.norm(v, axis: axis).detached())
    }

    /// The wrapped layer.
    public var layer: Wrapped { wrapped.value }

    /// The bias of the wrapped layer.
    public var bias: Tensor? { _bias?.wrappedValue }

    /// `g · v / ‖v‖`.
    public func normalizedWeight() -> Tensor {
        direction * (magnitude / Self.norm(direction, axis: axis))
    }

    /// The wrapped layer's forward pass with the normalised weight.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        layer(x, weight: normalizedWeight())
    }

    public override var summary: String { "WeightNorm(\(layer.summary))" }

    /// `‖v‖` over every axis but `axis`, keeping dimensions (a scalar for `nil`).
    static func norm(_ v: Tensor, axis: Int?) -> Tensor {
        guard let axis else { return v.square().sum().sqrt() }
        let others = (0..<v.rank).filter { $0 != axis }
        return v.square().sum(alongAxes: others, keepDims: true).sqrt()
    }
}
