import LatentCore

// Minimal stand-ins for `Linear` and `LayerNorm`, which are being written on another
// branch (wt-nnlayers). They have PyTorch's parameter names (`weight`, `bias`) and
// initialisation, so swapping in the shared layers changes no state keys.

/// `y = x Wᵀ + b` over the last axis, `weight` `[out, in]` (PyTorch's `nn.Linear`).
final class SequenceLinear: Module {
    @Parameter var weight: Tensor
    let bias: Parameter?

    /// Weight and bias from `U(−1/√in, 1/√in)`, as PyTorch (or a zero bias with `zeroBias`).
    init(_ input: Int, _ output: Int, bias: Bool = true, zeroBias: Bool = false, generator: inout RandomGenerator) {
        let bound = 1 / Float(input).squareRoot()
        _weight = Parameter(generator.uniform([output, input], low: -bound, high: bound))
        self.bias = bias ? Parameter(zeroBias ? .zeros([output]) : generator.uniform([output], low: -bound, high: bound)) : nil
    }

    override var summary: String { "Linear(\(weight.shape[1]) → \(weight.shape[0]))" }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let y = project(x, weight: weight)
        return bias.map { y + $0.wrappedValue } ?? y
    }
}

/// Layer normalisation over the last axis with affine `weight`, `bias` (PyTorch's `nn.LayerNorm`).
final class SequenceLayerNorm: Module {
    @Parameter var weight: Tensor
    @Parameter var bias: Tensor
    let epsilon: Float

    init(_ dimension: Int, epsilon: Float = 1e-5) {
        _weight = Parameter(.ones([dimension]))
        _bias = Parameter(.zeros([dimension]))
        self.epsilon = epsilon
    }

    override var summary: String { "LayerNorm(\(weight.shape[0]))" }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let centred = x - x.mean(alongAxis: -1, keepDims: true)
        let variance = (centred * centred).mean(alongAxis: -1, keepDims: true)
        return centred * (variance + epsilon).rsqrt() * weight + bias
    }
}
