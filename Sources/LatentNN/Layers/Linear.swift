import LatentCore

/// A fully connected layer: `y = x·Wᵀ + b` over the last axis (PyTorch's `nn.Linear`).
///
/// The weight is `[outputSize, inputSize]`, as in PyTorch, so PyTorch state dicts
/// (`weight`, `bias`) load unchanged. Both are initialised from
/// `U(−1/√inputSize, 1/√inputSize)`, PyTorch's default (Kaiming uniform with `a = √5`).
public final class Linear: Module, WeightedLayer {
    /// `[outputSize, inputSize]`.
    @Parameter public var weight: Tensor
    private let _bias: Parameter?

    /// Number of input features.
    public let inputSize: Int
    /// Number of output features.
    public let outputSize: Int

    /// - Parameters:
    ///   - inputSize: Number of input features.
    ///   - outputSize: Number of output features.
    ///   - bias: Whether to add a learned bias.
    ///   - generator: Random stream for the initial values (advanced).
    public init(_ inputSize: Int, _ outputSize: Int, bias: Bool = true, generator: inout RandomGenerator) {
        ensure(inputSize > 0 && outputSize > 0, "Linear: sizes must be positive, got \(inputSize) → \(outputSize)")
        self.inputSize = inputSize
        self.outputSize = outputSize
        let bound = 1 / Float(inputSize).squareRoot()
        _weight = Parameter(generator.uniform([outputSize, inputSize], low: -bound, high: bound))
        _bias = bias ? Parameter(generator.uniform([outputSize], low: -bound, high: bound)) : nil
    }

    public var weightParameter: Parameter { $weight }
    public var biasParameter: Parameter? { _bias }
    public var outputAxis: Int { 0 }

    /// `x·weightᵀ + bias` for `x` of shape `[..., inputSize]`, giving `[..., outputSize]`.
    public func callAsFunction(_ x: Tensor, weight: Tensor) -> Tensor {
        linear(x, weight: weight, bias: bias)
    }

    public override var summary: String {
        "Linear(\(inputSize) → \(outputSize)\(_bias == nil ? ", bias: false" : ""))"
    }
}

/// Validates the shapes of ``linear(_:weight:bias:)``.
public func validateLinearShapes(input: [Int], weight: [Int], bias: [Int]?) throws(ShapeError) {
    guard weight.count == 2 else {
        throw ShapeError(op: "linear", "weight must be [out, in], got \(shapeString(weight))")
    }
    guard input.count >= 1, input.last == weight[1] else {
        throw ShapeError(op: "linear", "input of shape \(shapeString(input)) for weight of shape \(shapeString(weight))")
    }
    if let bias, bias != [weight[0]] {
        throw ShapeError(op: "linear", "bias of shape \(shapeString(bias)) for weight of shape \(shapeString(weight))")
    }
}

/// `y = x·Wᵀ + b` over the last axis of `x` (PyTorch's `F.linear`).
///
/// Leading axes are flattened into one batch of rows for a single matrix product.
///
/// - Parameters:
///   - x: `[..., in]` (any number of leading batch axes, or none).
///   - weight: `[out, in]`.
///   - bias: Optional `[out]`.
/// - Returns: `[..., out]`.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    checkShapes { () throws(ShapeError) in try validateLinearShapes(input: x.shape, weight: weight.shape, bias: bias?.shape) }
    let rows = x.scalarCount / weight.shape[1]
    // x·Wᵀ through the GEMM's transpose flag: no copy of W forward, none of the gradient backward.
    var y = matmul(x.reshaped(to: [rows, weight.shape[1]]), weight, transposeB: true)
    if let bias { y = y + bias }
    return y.reshaped(to: Array(x.shape.dropLast()) + [weight.shape[0]])
}
