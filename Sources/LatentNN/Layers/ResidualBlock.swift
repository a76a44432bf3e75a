import LatentCore

/// The basic two-convolution residual block of ResNet (He et al., "Deep Residual Learning
/// for Image Recognition", 2016), laid out as torchvision's `BasicBlock`:
///
///     h = act(norm₁(conv₁(x)));   y = act(norm₂(conv₂(h)) + shortcut(x))
///
/// with 3×3 convolutions (padding 1; the first has the block's stride). The shortcut is the
/// identity when the shape is kept, and a 1×1 convolution with the block's stride followed
/// by a normalisation when the channel count or the stride changes. Convolutions have no
/// bias when followed by a normalisation. Parameters: `conv1`, `norm1`, `conv2`, `norm2`,
/// `shortcut.0` (projection conv) and `shortcut.1` (its normalisation).
public final class ResidualBlock: Module, Layer {
    /// The normalisation after each convolution.
    public enum Normalization: Sendable, Equatable {
        /// ``BatchNorm2d``.
        case batch
        /// ``GroupNorm`` with the given number of groups.
        case group(Int)
        /// None (convolutions get a bias instead).
        case none
    }

    public let conv1: Conv2d
    public let norm1: any Layer
    public let conv2: Conv2d
    public let norm2: any Layer
    /// The projection of the skip path (`nil`: identity).
    public let shortcut: Sequential?
    /// The nonlinearity (shared, parameter-free).
    public let activation: any Layer

    /// - Parameters:
    ///   - inputChannels: Channels of the input.
    ///   - outputChannels: Channels of the output.
    ///   - stride: Stride of the first convolution (2 halves the resolution).
    ///   - normalization: Normalisation after each convolution.
    ///   - activation: The nonlinearity (``ReLU`` by default).
    ///   - generator: Random stream for the initial values (advanced).
    public init(_ inputChannels: Int, _ outputChannels: Int, stride: Int = 1, normalization: Normalization = .batch,
                activation: any Layer = ReLU(), generator: inout RandomGenerator) {
        let bias = normalization == .none
        func norm() -> any Layer {
            switch normalization {
            case .batch: return BatchNorm2d(outputChannels)
            case .group(let g): return GroupNorm(groups: g, channels: outputChannels)
            case .none: return Identity()
            }
        }
        conv1 = Conv2d(inputChannels, outputChannels, kernelSize: 3, stride: stride, padding: 1, bias: bias,
                       generator: &generator)
        norm1 = norm()
        conv2 = Conv2d(outputChannels, outputChannels, kernelSize: 3, padding: 1, bias: bias, generator: &generator)
        norm2 = norm()
        if inputChannels != outputChannels || stride != 1 {
            shortcut = Sequential(Conv2d(inputChannels, outputChannels, kernelSize: 1, stride: stride, bias: bias,
                                         generator: &generator), norm())
        } else {
            shortcut = nil
        }
        self.activation = activation
    }

    /// The block applied to `x` of shape `[N, inputChannels, H, W]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = activation(norm1(conv1(x)))
        let skip = shortcut.map { $0(x) } ?? x
        return activation(norm2(conv2(h)) + skip)
    }

    public override var summary: String {
        "ResidualBlock(\(conv1.inputChannels) → \(conv1.outputChannels)\(conv1.stride.0 != 1 ? ", stride: \(conv1.stride.0)" : ""))"
    }
}
