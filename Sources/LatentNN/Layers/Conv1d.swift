import LatentCore

/// A 1-D convolution layer over `[N, C, L]` (PyTorch's `nn.Conv1d`).
///
/// The weight is `[outputChannels, inputChannels/groups, k]`; weight and bias are
/// initialised from `U(−1/√fanIn, 1/√fanIn)` with `fanIn = inputChannels/groups · k`, as
/// in PyTorch. See ``conv1d(_:weight:bias:stride:padding:dilation:groups:)``.
public final class Conv1d: Module, WeightedLayer {
    /// `[outputChannels, inputChannels/groups, kernelSize]`.
    @Parameter public var weight: Tensor
    private let _bias: Parameter?

    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let dilation: Int
    public let groups: Int

    /// - Parameters:
    ///   - inputChannels: `C` of the input.
    ///   - outputChannels: Number of filters.
    ///   - kernelSize: Filter length `k`.
    ///   - stride: Step between windows.
    ///   - padding: Zeros added at each end.
    ///   - dilation: Spacing between kernel taps.
    ///   - groups: Channel groups; both channel counts must be divisible by it.
    ///   - bias: Whether to add a learned bias.
    ///   - generator: Random stream for the initial values (advanced).
    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true, generator: inout RandomGenerator) {
        ensure(groups > 0 && inputChannels % groups == 0 && outputChannels % groups == 0,
                     "Conv1d: \(inputChannels) → \(outputChannels) channels are not divisible into \(groups) groups")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        let bound = 1 / Float(inputChannels / groups * kernelSize).squareRoot()
        _weight = Parameter(generator.uniform([outputChannels, inputChannels / groups, kernelSize], low: -bound, high: bound))
        _bias = bias ? Parameter(generator.uniform([outputChannels], low: -bound, high: bound)) : nil
    }

    public var weightParameter: Parameter { $weight }
    public var biasParameter: Parameter? { _bias }
    public var outputAxis: Int { 0 }

    /// The convolution of `x` (`[N, inputChannels, L]`) with `weight`, plus the bias.
    public func callAsFunction(_ x: Tensor, weight: Tensor) -> Tensor {
        conv1d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    public override var summary: String {
        var s = "Conv1d(\(inputChannels) → \(outputChannels), kernelSize: \(kernelSize)"
        if stride != 1 { s += ", stride: \(stride)" }
        if padding != 0 { s += ", padding: \(padding)" }
        if dilation != 1 { s += ", dilation: \(dilation)" }
        if groups != 1 { s += ", groups: \(groups)" }
        if _bias == nil { s += ", bias: false" }
        return s + ")"
    }
}
