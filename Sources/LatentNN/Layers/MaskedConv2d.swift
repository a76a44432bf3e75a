import LatentCore

/// A 2-D convolution whose kernel is masked so that each output pixel sees only pixels
/// above it and to its left: the causal convolution of PixelCNN (van den Oord et al.,
/// "Pixel Recurrent Neural Networks" and "Conditional Image Generation with PixelCNN
/// Decoders", 2016).
///
/// For a `k × k` kernel with centre `(c, c)`, `c = k/2`, the mask keeps every tap in the
/// rows above the centre and the taps left of the centre in its row. At the centre tap:
/// - type ``MaskType/a`` (first layer) excludes the centre pixel, so a pixel never sees
///   itself;
/// - type ``MaskType/b`` (later layers) includes it.
///
/// With `channelGroups = G > 1` (e.g. 3 for R, G, B), channels are split into `G`
/// contiguous blocks (channel `j` of `C` is in block `⌊j·G/C⌋`) and the centre tap connects
/// input block `gᵢ` to output block `gₒ` only when `gᵢ < gₒ` (type A) or `gᵢ ≤ gₒ`
/// (type B), so colour channels are also predicted in order.
///
/// The mask is a buffer (`mask`, `[out, in, k, k]`); the weight is used as
/// `weight ⊙ mask`, so masked taps get zero gradient. Stride is 1 and the padding
/// defaults to `k/2`, keeping the image size. Initialisation is that of ``Conv2d``.
public final class MaskedConv2d: Module, WeightedLayer {
    /// Whether the centre pixel is visible.
    public enum MaskType: String, Sendable {
        /// Excludes the centre pixel (the first layer).
        case a = "A"
        /// Includes the centre pixel (later layers).
        case b = "B"
    }

    /// `[outputChannels, inputChannels, k, k]`.
    @Parameter public var weight: Tensor
    private let _bias: Parameter?
    /// `[outputChannels, inputChannels, k, k]` of zeros and ones.
    @Buffer public var mask: Tensor

    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Int
    public let padding: Int
    public let maskType: MaskType
    public let channelGroups: Int

    /// - Parameters:
    ///   - inputChannels: `C` of the input.
    ///   - outputChannels: Number of filters.
    ///   - kernelSize: Odd kernel size `k`.
    ///   - maskType: ``MaskType/a`` for the first layer, ``MaskType/b`` after it.
    ///   - channelGroups: Colour groups ordered at the centre tap (1: none).
    ///   - padding: Zeros on each side; `nil` means `k/2` (same size).
    ///   - bias: Whether to add a learned bias.
    ///   - generator: Random stream for the initial values (advanced).
    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, maskType: MaskType,
                channelGroups: Int = 1, padding: Int? = nil, bias: Bool = true, generator: inout RandomGenerator) {
        ensure(kernelSize > 0 && kernelSize % 2 == 1, "MaskedConv2d: kernel size \(kernelSize) must be odd")
        ensure(channelGroups > 0 && inputChannels % channelGroups == 0 && outputChannels % channelGroups == 0,
                     "MaskedConv2d: \(inputChannels) → \(outputChannels) channels are not divisible into \(channelGroups) groups")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.padding = padding ?? kernelSize / 2
        self.maskType = maskType
        self.channelGroups = channelGroups
        let bound = 1 / Float(inputChannels * kernelSize * kernelSize).squareRoot()
        _weight = Parameter(generator.uniform([outputChannels, inputChannels, kernelSize, kernelSize],
                                              low: -bound, high: bound))
        _bias = bias ? Parameter(generator.uniform([outputChannels], low: -bound, high: bound)) : nil
        _mask = Buffer(Self.mask(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: kernelSize,
                                 type: maskType, channelGroups: channelGroups))
    }

    /// The PixelCNN mask `[outputChannels, inputChannels, k, k]` (see the type's documentation).
    public static func mask(inputChannels: Int, outputChannels: Int, kernelSize k: Int, type: MaskType,
                            channelGroups: Int = 1) -> Tensor {
        let c = k / 2
        var m = [Float](repeating: 0, count: outputChannels * inputChannels * k * k)
        for o in 0..<outputChannels {
            let go = o * channelGroups / outputChannels
            for i in 0..<inputChannels {
                let gi = i * channelGroups / inputChannels
                let centre: Bool
                if channelGroups == 1 { centre = type == .b } else { centre = type == .a ? gi < go : gi <= go }
                for y in 0..<k {
                    for x in 0..<k where y < c || (y == c && x < c) || (y == c && x == c && centre) {
                        m[((o * inputChannels + i) * k + y) * k + x] = 1
                    }
                }
            }
        }
        return Tensor(shape: [outputChannels, inputChannels, k, k], scalars: m)
    }

    public var weightParameter: Parameter { $weight }
    public var biasParameter: Parameter? { _bias }
    public var outputAxis: Int { 0 }

    /// The convolution of `x` (`[N, inputChannels, H, W]`) with `weight ⊙ mask`, plus the bias.
    public func callAsFunction(_ x: Tensor, weight: Tensor) -> Tensor {
        conv2d(x, weight: weight * mask, bias: bias, stride: 1, padding: padding)
    }

    public override var summary: String {
        var s = "MaskedConv2d(\(inputChannels) → \(outputChannels), kernelSize: \(kernelSize), mask: \(maskType.rawValue)"
        if channelGroups != 1 { s += ", channelGroups: \(channelGroups)" }
        if padding != kernelSize / 2 { s += ", padding: \(padding)" }
        if _bias == nil { s += ", bias: false" }
        return s + ")"
    }
}
