import LatentCore
import LatentNN

/// A multilayer perceptron that maps the conditioning coordinates (and an optional
/// context vector, concatenated to them) to the parameters of a coupling layer.
///
/// Hidden layers use ReLU. The output layer starts with zero weights and an
/// identity-giving bias, so a freshly built flow is (close to) the identity map — the
/// usual initialisation of RealNVP and Glow couplings.
public final class DenseConditioner: Module {
    public let layers: [Linear]
    /// Size of the context vector (0: unconditional).
    public let contextSize: Int

    /// - Parameters:
    ///   - inputSize: Number of conditioning coordinates.
    ///   - contextSize: Size of the context vector (0 for none).
    ///   - hidden: Hidden layer widths.
    ///   - outputSize: Number of outputs.
    ///   - outputBias: Initial output bias (`outputSize` values; zeros if nil).
    ///   - generator: Random stream for the initial weights.
    public init(inputSize: Int, contextSize: Int = 0, hidden: [Int], outputSize: Int, outputBias: [Float]? = nil,
                generator: inout RandomGenerator) {
        var sizes = [inputSize + contextSize] + hidden
        var layers: [Linear] = []
        for i in 0..<(sizes.count - 1) { layers.append(Linear(sizes[i], sizes[i + 1], generator: &generator)) }
        sizes.append(outputSize)
        let last = Linear(sizes[sizes.count - 2], outputSize, generator: &generator)
        last.weight = Tensor.zeros([outputSize, sizes[sizes.count - 2]])
        last.biasParameter?.wrappedValue = Tensor(shape: [outputSize], scalars: outputBias ?? [Float](repeating: 0, count: outputSize))
        layers.append(last)
        self.layers = layers
        self.contextSize = contextSize
    }

    /// The outputs `[B, outputSize]` for conditioning coordinates `[B, inputSize]` and
    /// context `[B, contextSize]`.
    public func callAsFunction(_ x: Tensor, context: Tensor?) -> Tensor {
        var h = x
        if contextSize > 0 {
            guard let context else { fatalError("DenseConditioner: this conditioner needs a context of size \(contextSize)") }
            h = concatenate([h, context], alongAxis: -1)
        }
        for (i, layer) in layers.enumerated() {
            h = layer(h)
            if i < layers.count - 1 { h = h.relu() }
        }
        return h
    }
}
