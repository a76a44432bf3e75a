import LatentCore
import LatentNN

/// A convolutional generative network for `[C, H, W]` images (`H`, `W` divisible by 4):
/// a linear map from the (conditioned) latent to `channels[1] × H/4 × W/4` features, a
/// nonlinearity, then two stride-2 `4×4` transposed convolutions (padding 1, doubling the
/// size), the first followed by the nonlinearity, the last producing `C·P` channels.
///
/// Inputs `[..., Z]` (leading sample axes are flattened, e.g. `[K, B, Z]` of IWAE); the output
/// `[..., C·H·W·P]` is laid out dimension-major (pixel `d` of the flattened image owns
/// outputs `d·P ..< (d+1)·P`), as ``ObservationModel`` reads it.
public final class ConvolutionalDecoder: Module, Layer {
    /// Latent to the smallest feature map.
    public let input: Linear
    /// The two stride-2 transposed convolutions.
    public let convolutions: [ConvTranspose2d]
    /// `[C, H, W]`.
    public let imageShape: [Int]
    /// Output channels `[c₁, c₂]` of the encoder this mirrors (`c₂` at the smallest map).
    public let channels: [Int]
    /// Outputs per pixel value `P`.
    public let parametersPerDimension: Int
    /// The nonlinearity.
    public let activation: MultilayerPerceptron.Activation

    /// - Parameters:
    ///   - inputSize: Width of the (conditioned) latent.
    ///   - imageShape: `[C, H, W]` with `H`, `W` divisible by 4.
    ///   - channels: `[c₁, c₂]`: `c₂` channels at `H/4 × W/4`, `c₁` at `H/2 × W/2`.
    ///   - parametersPerDimension: `P` outputs per pixel value.
    ///   - activation: The nonlinearity.
    ///   - generator: Draws the initial weights.
    public init(inputSize: Int, imageShape: [Int], channels: [Int], parametersPerDimension: Int,
                activation: MultilayerPerceptron.Activation = .relu, generator: inout RandomGenerator) {
        ConvolutionalEncoder.checkGeometry(imageShape: imageShape, channels: channels, op: "ConvolutionalDecoder")
        self.imageShape = imageShape
        self.channels = channels
        self.parametersPerDimension = parametersPerDimension
        self.activation = activation
        input = Linear(inputSize, channels[1] * (imageShape[1] / 4) * (imageShape[2] / 4), generator: &generator)
        convolutions = [
            ConvTranspose2d(channels[1], channels[0], kernelSize: 4, stride: 2, padding: 1, generator: &generator),
            ConvTranspose2d(channels[0], imageShape[0] * parametersPerDimension, kernelSize: 4, stride: 2, padding: 1,
                            generator: &generator),
        ]
    }

    public func callAsFunction(_ z: Tensor) -> Tensor {
        let leading = Array(z.shape.dropLast())
        let n = leading.reduce(1, *)
        let (c, height, width) = (imageShape[0], imageShape[1], imageShape[2])
        var h = activation(input(z.reshaped(to: [n, z.shape.last!])))
            .reshaped(to: [n, channels[1], height / 4, width / 4])
        h = activation(convolutions[0](h))
        h = convolutions[1](h)                                            // [N, C·P, H, W]
        let p = parametersPerDimension
        if p > 1 {
            h = h.reshaped(to: [n, c, p, height * width]).transposed(2, 3)   // [N, C, H·W, P]
        }
        return h.reshaped(to: leading + [c * height * width * p])
    }

    public override var summary: String { "ConvolutionalDecoder(\(activation.rawValue))" }
}
