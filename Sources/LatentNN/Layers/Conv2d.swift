import LatentCore

/// A 2-D convolution layer over `[N, C, H, W]` (PyTorch's `nn.Conv2d`), with stride,
/// zero padding, dilation and channel groups.
///
/// The weight is `[outputChannels, inputChannels/groups, kH, kW]`; weight and bias are
/// initialised from `U(−1/√fanIn, 1/√fanIn)` with `fanIn = inputChannels/groups · kH · kW`,
/// as in PyTorch. See ``conv2d(_:weight:bias:stride:padding:dilation:groups:)``.
public final class Conv2d: Module, WeightedLayer {
    /// `[outputChannels, inputChannels/groups, kH, kW]`.
    @Parameter public var weight: Tensor
    private let _bias: Parameter?

    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let dilation: (Int, Int)
    public let groups: Int

    /// - Parameters:
    ///   - inputChannels: `C` of the input.
    ///   - outputChannels: Number of filters.
    ///   - kernelSize: `(kH, kW)`.
    ///   - stride: Step between windows.
    ///   - padding: Zeros added on each side.
    ///   - dilation: Spacing between kernel taps.
    ///   - groups: Channel groups; both channel counts must be divisible by it.
    ///   - bias: Whether to add a learned bias.
    ///   - generator: Random stream for the initial values (advanced).
    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
                generator: inout RandomGenerator) {
        ensure(groups > 0 && inputChannels % groups == 0 && outputChannels % groups == 0,
                     "Conv2d: \(inputChannels) → \(outputChannels) channels are not divisible into \(groups) groups")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        let fanIn = inputChannels / groups * kernelSize.0 * kernelSize.1
        let bound = 1 / Float(fanIn).squareRoot()
        _weight = Parameter(generator.uniform([outputChannels, inputChannels / groups, kernelSize.0, kernelSize.1],
                                              low: -bound, high: bound))
        _bias = bias ? Parameter(generator.uniform([outputChannels], low: -bound, high: bound)) : nil
    }

    /// A convolution with the same options along both axes.
    public convenience init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1,
                            padding: Int = 0, dilation: Int = 1, groups: Int = 1, bias: Bool = true,
                            generator: inout RandomGenerator) {
        self.init(inputChannels, outputChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), dilation: (dilation, dilation), groups: groups, bias: bias,
                  generator: &generator)
    }

    public var weightParameter: Parameter { $weight }
    public var biasParameter: Parameter? { _bias }
    public var outputAxis: Int { 0 }

    /// The convolution of `x` (`[N, inputChannels, H, W]`) with `weight`, plus the bias.
    public func callAsFunction(_ x: Tensor, weight: Tensor) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    public override var summary: String {
        var s = "Conv2d(\(inputChannels) → \(outputChannels), kernelSize: \(pairString(kernelSize))"
        if stride != (1, 1) { s += ", stride: \(pairString(stride))" }
        if padding != (0, 0) { s += ", padding: \(pairString(padding))" }
        if dilation != (1, 1) { s += ", dilation: \(pairString(dilation))" }
        if groups != 1 { s += ", groups: \(groups)" }
        if _bias == nil { s += ", bias: false" }
        return s + ")"
    }
}
