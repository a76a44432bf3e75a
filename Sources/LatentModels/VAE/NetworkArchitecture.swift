/// The encoder/decoder networks of the VAE family.
public enum NetworkArchitecture: String, Sendable, CaseIterable {
    /// Multilayer perceptrons on flattened inputs (``MultilayerPerceptron``).
    case mlp
    /// Stride-2 convolutions for `[C, H, W]` images with `H`, `W` divisible by 4
    /// (``ConvolutionalEncoder``, ``ConvolutionalDecoder``).
    case conv
}
