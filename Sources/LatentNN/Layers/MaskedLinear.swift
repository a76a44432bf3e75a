import LatentCore

/// A linear layer whose weight is multiplied by a fixed 0/1 mask: `y = x·(W ⊙ M)ᵀ + b`.
///
/// The building block of MADE (Germain et al., "MADE: Masked Autoencoder for
/// Distribution Estimation", 2015) and of masked autoregressive flows: the mask cuts
/// the connections that would break the autoregressive ordering. Masked weights get a
/// zero gradient. The mask is a buffer (`mask`, saved with the model); initialisation is
/// that of ``Linear``.
public final class MaskedLinear: Module, WeightedLayer {
    /// `[outputSize, inputSize]` (entries where the mask is 0 are unused).
    @Parameter public var weight: Tensor
    private let _bias: Parameter?
    /// `[outputSize, inputSize]` of zeros and ones.
    @Buffer public var mask: Tensor

    /// Number of input features.
    public let inputSize: Int
    /// Number of output features.
    public let outputSize: Int

    /// - Parameters:
    ///   - inputSize: Number of input features.
    ///   - outputSize: Number of output features.
    ///   - mask: `[outputSize, inputSize]`, 1 where output `i` may see input `j`.
    ///   - bias: Whether to add a learned bias.
    ///   - generator: Random stream for the initial values (advanced).
    public init(_ inputSize: Int, _ outputSize: Int, mask: Tensor, bias: Bool = true, generator: inout RandomGenerator) {
        ensure(mask.shape == [outputSize, inputSize],
                     "MaskedLinear: mask of shape \(shapeString(mask.shape)) for \(inputSize) → \(outputSize)")
        self.inputSize = inputSize
        self.outputSize = outputSize
        let bound = 1 / Float(inputSize).squareRoot()
        _weight = Parameter(generator.uniform([outputSize, inputSize], low: -bound, high: bound))
        _bias = bias ? Parameter(generator.uniform([outputSize], low: -bound, high: bound)) : nil
        _mask = Buffer(mask.detached())
    }

    public var weightParameter: Parameter { $weight }
    public var biasParameter: Parameter? { _bias }
    public var outputAxis: Int { 0 }

    /// `x·(weight ⊙ mask)ᵀ + bias`.
    public func callAsFunction(_ x: Tensor, weight: Tensor) -> Tensor {
        linear(x, weight: weight * mask, bias: bias)
    }

    public override var summary: String {
        "MaskedLinear(\(inputSize) → \(outputSize)\(_bias == nil ? ", bias: false" : ""))"
    }
}
