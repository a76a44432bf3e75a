import LatentCore
import LatentNN

/// A masked autoencoder for distribution estimation (Germain et al. 2015): an MLP whose
/// masked weights make output block d depend only on inputs 0..<d (in the given order).
///
/// Inputs get degrees 1…D, hidden units degrees in 1…D−1 (cycled), and each of the D
/// output blocks (`parametersPerDimension` outputs each, laid out `[D, P]`) has degree d:
/// a hidden unit of degree m sees inputs of degree ≤ m, output block d sees hidden
/// units of degree < d. A context vector, when given, enters the first hidden layer
/// through an unmasked linear map (it may inform every output).
public final class MADE: Module {
    public let layers: [MaskedLinear]
    /// Unmasked context → first hidden layer (nil without context).
    public let contextLayer: Linear?
    public let dimension: Int
    public let parametersPerDimension: Int

    /// - Parameters:
    ///   - dimension: D, the number of autoregressive inputs.
    ///   - hidden: Hidden layer widths (each ≥ D − 1 for full connectivity).
    ///   - parametersPerDimension: P outputs per input coordinate.
    ///   - contextSize: Size of the context vector (0 for none).
    ///   - outputBias: Initial output bias, `D·P` values laid out `[D, P]` (zeros if nil).
    ///   - generator: Random stream for the initial weights.
    public init(dimension: Int, hidden: [Int], parametersPerDimension: Int, contextSize: Int = 0,
                outputBias: [Float]? = nil, generator: inout RandomGenerator) {
        ensure(dimension >= 1 && !hidden.isEmpty, "MADE: needs a positive dimension and at least one hidden layer")
        self.dimension = dimension
        self.parametersPerDimension = parametersPerDimension
        let inputDegrees = (1...dimension).map { $0 }
        var degrees = [inputDegrees]
        for width in hidden {
            degrees.append((0..<width).map { dimension == 1 ? 1 : ($0 % (dimension - 1)) + 1 })
        }
        var layers: [MaskedLinear] = []
        for l in 0..<hidden.count {
            let input = degrees[l], output = degrees[l + 1]
            let mask = Tensor(shape: [output.count, input.count]) { p, _ in
                for o in 0..<output.count { for i in 0..<input.count { p[o * input.count + i] = output[o] >= input[i] ? 1 : 0 } }
            }
            layers.append(MaskedLinear(input.count, output.count, mask: mask, generator: &generator))
        }
        let outputDegrees = (0..<(dimension * parametersPerDimension)).map { $0 / parametersPerDimension + 1 }
        let lastHidden = degrees.last!
        let mask = Tensor(shape: [outputDegrees.count, lastHidden.count]) { p, _ in
            for o in 0..<outputDegrees.count { for i in 0..<lastHidden.count { p[o * lastHidden.count + i] = outputDegrees[o] > lastHidden[i] ? 1 : 0 } }
        }
        let last = MaskedLinear(lastHidden.count, outputDegrees.count, mask: mask, generator: &generator)
        last.weight = Tensor.zeros(last.weight.shape)
        last.biasParameter?.wrappedValue = Tensor(shape: [outputDegrees.count],
                                                  scalars: outputBias ?? [Float](repeating: 0, count: outputDegrees.count))
        layers.append(last)
        self.layers = layers
        self.contextLayer = contextSize > 0 ? Linear(contextSize, hidden[0], bias: false, generator: &generator) : nil
    }

    /// Outputs `[B, D, P]` for inputs `[B, D]` (and context `[B, contextSize]`).
    public func callAsFunction(_ x: Tensor, context: Tensor?) -> Tensor {
        var h = layers[0](x)
        if let contextLayer {
            guard let context else { fatalError("MADE: this network needs a context") }
            h = h + contextLayer(context)
        }
        for layer in layers.dropFirst() { h = layer(h.relu()) }
        return h.reshaped(to: Array(x.shape.dropLast()) + [dimension, parametersPerDimension])
    }
}
