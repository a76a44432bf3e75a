import LatentCore
import LatentNN

/// A small residual CNN producing per-pixel coupling parameters for image flows:
/// 3×3 conv → ReLU → `blocks` × (3×3 conv → ReLU → 3×3 conv, plus the skip) → ReLU →
/// 3×3 conv with zero-initialised weights and bias (so couplings start at the identity).
/// A context vector, when given, is added per channel after the first convolution.
public final class ConvolutionalConditioner: Module {
    public let input: Conv2d
    public let blocks: [Conv2d]
    public let output: Conv2d
    public let contextLayer: Linear?

    public init(inputChannels: Int, hiddenChannels: Int, outputChannels: Int, blocks: Int = 1, contextSize: Int = 0,
                generator: inout RandomGenerator) {
        input = Conv2d(inputChannels, hiddenChannels, kernelSize: (3, 3), padding: (1, 1), generator: &generator)
        var convs: [Conv2d] = []
        for _ in 0..<(2 * blocks) {
            convs.append(Conv2d(hiddenChannels, hiddenChannels, kernelSize: (3, 3), padding: (1, 1), generator: &generator))
        }
        self.blocks = convs
        output = Conv2d(hiddenChannels, outputChannels, kernelSize: (3, 3), padding: (1, 1), generator: &generator)
        output.weight = Tensor.zeros(output.weight.shape)
        output.biasParameter?.wrappedValue = Tensor.zeros([outputChannels])
        contextLayer = contextSize > 0 ? Linear(contextSize, hiddenChannels, generator: &generator) : nil
    }

    public func callAsFunction(_ x: Tensor, context: Tensor?) -> Tensor {
        var h = input(x)
        if let contextLayer {
            guard let context else { fatalError("ConvolutionalConditioner: this conditioner needs a context") }
            h = h + contextLayer(context).reshaped(to: [x.shape[0], contextLayer.outputSize, 1, 1])
        }
        h = h.relu()
        var i = 0
        while i < blocks.count {
            h = (h + blocks[i + 1](blocks[i](h).relu())).relu()
            i += 2
        }
        return output(h)
    }
}
