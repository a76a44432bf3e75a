import LatentCore

/// A module that maps one tensor to one tensor: the element type of ``Sequential``.
///
/// Conform a ``Module`` subclass by giving it `callAsFunction(_:)`:
///
/// ```swift
/// final class Scale: Module, Layer {
///     @Parameter var factor: Tensor
///     override init() { _factor = Parameter(.ones([1])) }
///     func callAsFunction(_ x: Tensor) -> Tensor { x * factor }
/// }
/// ```
public protocol Layer: Module {
    /// The layer's forward pass.
    func callAsFunction(_ x: Tensor) -> Tensor
}

/// A layer whose forward pass is a function of one weight tensor that a wrapper may
/// replace on every call — the hook ``SpectralNorm`` and ``WeightNorm`` use to
/// reparameterise `Linear` and the convolutions.
public protocol WeightedLayer: Layer {
    /// The box holding the stored weight.
    var weightParameter: Parameter { get }
    /// The box holding the bias, if the layer has one.
    var biasParameter: Parameter? { get }
    /// The weight axis that indexes output features: 0 for `Linear` and the convolutions,
    /// 1 for the transposed convolutions (whose weight is `[in, out/groups, …]`).
    var outputAxis: Int { get }
    /// The forward pass with `weight` used in place of the stored weight (and the stored bias).
    func callAsFunction(_ x: Tensor, weight: Tensor) -> Tensor
}

extension WeightedLayer {
    /// The forward pass with the stored weight.
    public func callAsFunction(_ x: Tensor) -> Tensor { self(x, weight: weightParameter.wrappedValue) }

    /// The bias, or `nil` for a layer without one. Only an existing bias can be set.
    public var bias: Tensor? {
        get { biasParameter?.wrappedValue }
        set {
            guard let box = biasParameter, let newValue else {
                fatalError("\(type(of: self)): cannot add or remove the bias")
            }
            box.wrappedValue = newValue
        }
    }
}

/// The summary fragment for a pair of per-axis options, `3` or `3×5`.
func pairString(_ p: (Int, Int)) -> String { p.0 == p.1 ? "\(p.0)" : "\(p.0)×\(p.1)" }
