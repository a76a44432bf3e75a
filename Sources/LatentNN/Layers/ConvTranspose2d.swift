import LatentCore

/// A 2-D transposed convolution layer over `[N, C, H, W]` (PyTorch's
/// `nn.ConvTranspose2d`), the usual upsampling layer of decoders and generators.
///
/// The weight is `[inputChannels, outputChannels/groups, kH, kW]`, as in PyTorch. Weight
/// and bias are initialised from `U(−1/√fan, 1/√fan)` with PyTorch's fan for this shape,
/// `fan = outputChannels/groups · kH · kW`. Output size
/// `Ho = (H − 1)·sH − 2pH + dH·(kH − 1) + opH + 1`. See
/// ``convTranspose2d(_:weight:bias:stride:padding:outputPadding:dilation:groups:)``.
public final class ConvTranspose2d: Module, WeightedLayer {
    /// `[inputChannels, outputChannels/groups, kH, kW]`.
    @Parameter public var weight: Tensor
    private let _bias: Parameter?

    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let outputPadding: (Int, Int)
    public let dilation: (Int, Int)
    public let groups: Int

    /// - Parameters:
    ///   - inputChannels: `C` of the input.
    ///   - outputChannels: Channels of the output.
    ///   - kernelSize: `(kH, kW)`.
    ///   - stride: Stride of the convolution this is the transpose of (the upsampling factor).
    ///   - padding: Padding of that convolution (removed from the output).
    ///   - outputPadding: Extra rows and columns at the end of the output (less than the stride or dilation).
    ///   - dilation: Spacing between kernel taps.
    ///   - groups: Channel groups; both channel counts must be divisible by it.
    ///   - bias: Whether to add a learned bias.
    ///   - generator: Random stream for the initial values (advanced).
    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
                groups: Int = 1, bias: Bool = true, generator: inout RandomGenerator) {
        ensure(groups > 0 && inputChannels % groups == 0 && outputChannels % groups == 0,
                     "ConvTranspose2d: \(inputChannels) → \(outputChannels) channels are not divisible into \(groups) groups")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
        self.groups = groups
        let fan = outputChannels / groups * kernelSize.0 * kernelSize.1
        let bound = 1 / Float(fan).squareRoot()
        _weight = Parameter(generator.uniform([inputChannels, outputChannels / groups, kernelSize.0, kernelSize.1],
                                              low: -bound, high: bound))
        _bias = bias ? Parameter(generator.uniform([outputChannels], low: -bound, high: bound)) : nil
    }

    /// A transposed convolution with the same options along both axes.
    public convenience init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1,
                            padding: Int = 0, outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1,
                            bias: Bool = true, generator: inout RandomGenerator) {
        self.init(inputChannels, outputChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), outputPadding: (outputPadding, outputPadding),
                  dilation: (dilation, dilation), groups: groups, bias: bias, generator: &generator)
    }

    public var weightParameter: Parameter { $weight }
    public var biasParameter: Parameter? { _bias }
    public var outputAxis: Int { 1 }

    /// The transposed convolution of `x` (`[N, inputChannels, H, W]`) with `weight`, plus the bias.
    public func callAsFunction(_ x: Tensor, weight: Tensor) -> Tensor {
        convTranspose2d(x, weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                        dilation: dilation, groups: groups)
    }

    public override var summary: String {
        var s = "ConvTranspose2d(\(inputChannels) → \(outputChannels), kernelSize: \(pairString(kernelSize))"
        if stride != (1, 1) { s += ", stride: \(pairString(stride))" }
        if padding != (0, 0) { s += ", padding: \(pairString(padding))" }
        if outputPadding != (0, 0) { s += ", outputPadding: \(pairString(outputPadding))" }
        if dilation != (1, 1) { s += ", dilation: \(pairString(dilation))" }
        if groups != 1 { s += ", groups: \(groups)" }
        if _bias == nil { s += ", bias: false" }
        return s + ")"
    }
}
