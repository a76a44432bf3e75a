import LatentCore
import LatentNN

/// A convolutional recognition network for `[C, H, W]` images (`H`, `W` divisible by 4):
/// two stride-2 `4×4` convolutions (padding 1, halving the size each time) with a
/// nonlinearity after each, then one linear head from the flattened features (and the
/// condition, if any) to the posterior parameters.
///
/// Input rows are flattened images followed by the condition, `[N, C·H·W + c]` (as the MLP
/// encoder takes them); output `[N, outputSize]`.
public final class ConvolutionalEncoder: Module, Layer {
    /// The two stride-2 convolutions.
    public let convolutions: [Conv2d]
    /// Flattened features (and condition) to the output.
    public let head: Linear
    /// `[C, H, W]`.
    public let imageShape: [Int]
    /// Width of the condition appended to the image rows.
    public let conditionDimension: Int
    /// The nonlinearity.
    public let activation: MultilayerPerceptron.Activation

    /// - Parameters:
    ///   - imageShape: `[C, H, W]` with `H`, `W` divisible by 4.
    ///   - channels: Output channels of the two convolutions.
    ///   - conditionDimension: Width of the condition appended to the input rows (0 = none).
    ///   - outputSize: Width of the head's output.
    ///   - activation: Nonlinearity after each convolution.
    ///   - generator: Draws the initial weights.
    public init(imageShape: [Int], channels: [Int], conditionDimension: Int = 0, outputSize: Int,
                activation: MultilayerPerceptron.Activation = .relu, generator: inout RandomGenerator) {
        Self.checkGeometry(imageShape: imageShape, channels: channels, op: "ConvolutionalEncoder")
        self.imageShape = imageShape
        self.conditionDimension = conditionDimension
        self.activation = activation
        convolutions = [Conv2d(imageShape[0], channels[0], kernelSize: 4, stride: 2, padding: 1, generator: &generator),
                        Conv2d(channels[0], channels[1], kernelSize: 4, stride: 2, padding: 1, generator: &generator)]
        let features = channels[1] * (imageShape[1] / 4) * (imageShape[2] / 4)
        head = Linear(features + conditionDimension, outputSize, generator: &generator)
    }

    /// Stops with a message unless the image shape and the two channel counts are usable.
    static func checkGeometry(imageShape: [Int], channels: [Int], op: String) {
        ensure(accepts(imageShape), "\(op): needs [C, H, W] with H, W divisible by 4, got \(imageShape)")
        ensure(channels.count == 2 && channels.allSatisfy { $0 > 0 }, "\(op): needs two positive channel counts, got \(channels)")
    }

    /// Whether `shape` is an image shape the convolutional networks handle.
    public static func accepts(_ shape: [Int]) -> Bool {
        shape.count == 3 && shape.allSatisfy { $0 > 0 } && shape[1] % 4 == 0 && shape[2] % 4 == 0
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let leading = Array(x.shape.dropLast())
        let n = leading.reduce(1, *)
        let d = imageShape.reduce(1, *)
        let rows = x.reshaped(to: [n, d + conditionDimension])
        let parts = conditionDimension > 0 ? rows.split(sizes: [d, conditionDimension], alongAxis: 1) : [rows]
        var h = parts[0].reshaped(to: [n] + imageShape)
        for convolution in convolutions { h = activation(convolution(h)) }
        var features = h.reshaped(to: [n, h.scalarCount / n])
        if conditionDimension > 0 { features = concatenate([features, parts[1]], alongAxis: 1) }
        let out = head(features)
        return out.reshaped(to: leading + [out.shape[1]])
    }

    public override var summary: String { "ConvolutionalEncoder(\(activation.rawValue))" }
}
