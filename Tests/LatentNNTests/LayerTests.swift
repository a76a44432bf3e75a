import Foundation
import LatentCore
import LatentNN
import LatentTestSupport
import Testing

/// Shapes, state names, modes, descriptions and parameter counts of the layers.
@Suite struct LayerTests {
    func network(_ g: inout RandomGenerator) -> Sequential {
        Sequential(Conv2d(1, 4, kernelSize: 3, padding: 1, generator: &g), BatchNorm2d(4), ReLU(),
                   ResidualBlock(4, 8, stride: 2, generator: &g), Flatten(), Dropout(probability: 0.1, generator: &g),
                   SpectralNorm(wrapping: Linear(32, 3, generator: &g), generator: &g))
    }

    @Test func moduleTreeDescription() {
        var g = RandomGenerator(seed: 0)
        let net = network(&g)
        #expect(net.description == """
            Sequential
              (0): Conv2d(1 → 4, kernelSize: 3, padding: 1)  [40 params]
              (1): BatchNorm2d(4)  [8 params]
              (2): ReLU
              (3): ResidualBlock(4 → 8, stride: 2)
                (conv1): Conv2d(4 → 8, kernelSize: 3, stride: 2, padding: 1, bias: false)  [288 params]
                (norm1): BatchNorm2d(8)  [16 params]
                (conv2): Conv2d(8 → 8, kernelSize: 3, padding: 1, bias: false)  [576 params]
                (norm2): BatchNorm2d(8)  [16 params]
                (shortcut): Sequential
                  (0): Conv2d(4 → 8, kernelSize: 1, stride: 2, bias: false)  [32 params]
                  (1): BatchNorm2d(8)  [16 params]
                (activation): ReLU
              (4): Flatten
              (5): Dropout(probability: 0.1)
              (6): SpectralNorm(Linear(32 → 3))  [99 params]
            Total parameters: 1091 (trainable: 1091)
            """)
        #expect(net(Tensor.zeros([2, 1, 4, 4])).shape == [2, 3])
    }

    /// Paths use PyTorch's state-dict names: Sequential inlines its layers, BatchNorm and
    /// the wrappers rename their tensors.
    @Test func stateNamesMatchPyTorch() {
        var g = RandomGenerator(seed: 0)
        let keys = Set(network(&g).state().keys)
        for key in ["0.weight", "0.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
                    "3.conv1.weight", "3.norm1.weight", "3.shortcut.0.weight", "3.shortcut.1.running_var",
                    "6.weight_orig", "6.bias", "6.weight_u", "6.weight_v"] {
            #expect(keys.contains(key), "\(key)")
        }
        #expect(keys.count == 2 + 5 + 1 + 5 + 1 + 5 + 1 + 5 + 4)
        let w = WeightNorm(wrapping: Linear(3, 2, generator: &g))
        #expect(Set(w.state().keys) == ["weight_g", "weight_v", "bias"])
        #expect(w.state()["weight_g"]!.shape == [2, 1])
        #expect(Set(MaskedLinear(2, 2, mask: .ones([2, 2]), generator: &g).state().keys) == ["weight", "bias", "mask"])
    }

    /// A wrapper shares its weight with the wrapped layer; optimisers see one parameter.
    @Test func wrappersShareTheWrappedWeight() {
        var g = RandomGenerator(seed: 1)
        let linear = Linear(3, 2, generator: &g)
        let sn = SpectralNorm(wrapping: linear, powerIterations: 30, generator: &g)
        sn.weightOriginal = Tensor(shape: [2, 3], scalars: [3, 0, 0, 0, 1, 0])
        #expect(linear.weight.scalars == [3, 0, 0, 0, 1, 0])
        #expect(sn.namedParameters().map(\.path) == ["weight_orig", "bias"])
        // σ = 3 after the power method converges: W_SN = W / 3.
        expectClose(sn.normalizedWeight(), linear.weight / 3, relative: 1e-5, absolute: 1e-6)
        let x = Tensor(shape: [1, 3], scalars: [1, 2, 3])
        expectClose(sn(x), linear(x, weight: linear.weight / 3))
        // WeightNorm leaves the function unchanged at creation.
        let plain = Linear(3, 4, generator: &g)
        let before = plain(x)
        let wn = WeightNorm(wrapping: plain)
        expectClose(wn(x), before, relative: 1e-5, absolute: 1e-6)
    }

    @Test func spectralNormUpdatesVectorsOnlyInTraining() {
        var g = RandomGenerator(seed: 2)
        let sn = SpectralNorm(wrapping: Conv2d(2, 3, kernelSize: 3, generator: &g), generator: &g)
        #expect(sn.u.shape == [3] && sn.v.shape == [18])
        let x = Tensor.zeros([1, 2, 3, 3])
        sn.eval()
        let u0 = sn.u
        _ = sn(x)
        #expect(sn.u.scalars == u0.scalars)
        sn.train()
        let (_, grads) = valueAndGradient(of: sn) { $0(x).sum() }
        #expect(sn.u.scalars != u0.scalars && !sn.u.isRecorded && !sn.v.isRecorded)
        #expect(Set(grads.keys) == ["weight_orig", "bias"])
    }

    @Test func linearAcceptsAnyLeadingAxes() {
        var g = RandomGenerator(seed: 3)
        let l = Linear(4, 2, generator: &g)
        let x = g.normal([2, 3, 4])
        let y = l(x)
        #expect(y.shape == [2, 3, 2])
        expectClose(y.reshaped(to: [6, 2]), matmul(x.reshaped(to: [6, 4]), l.weight.transposed()) + l.bias!)
        #expect(l(g.normal([4])).shape == [2])
        #expect(throws: ShapeError(op: "linear", "input of shape [2, 3] for weight of shape [2, 4]")) {
            try validateLinearShapes(input: [2, 3], weight: [2, 4], bias: [2])
        }
    }

    @Test func convolutionOutputShapes() {
        var g = RandomGenerator(seed: 4)
        #expect(Conv1d(3, 5, kernelSize: 3, stride: 2, padding: 1, generator: &g)(.zeros([2, 3, 9])).shape == [2, 5, 5])
        #expect(Conv2d(3, 5, kernelSize: 3, stride: 2, padding: 1, generator: &g)(.zeros([2, 3, 8, 8])).shape == [2, 5, 4, 4])
        #expect(ConvTranspose2d(5, 3, kernelSize: 4, stride: 2, padding: 1, generator: &g)(.zeros([2, 5, 4, 4])).shape
                == [2, 3, 8, 8])
        #expect(MaskedConv2d(3, 6, kernelSize: 7, maskType: .a, generator: &g)(.zeros([1, 3, 5, 5])).shape == [1, 6, 5, 5])
        #expect(ResidualBlock(4, 4, normalization: .group(2), generator: &g)(.zeros([1, 4, 3, 3])).shape == [1, 4, 3, 3])
        #expect(ResidualBlock(4, 4, normalization: .none, generator: &g).shortcut == nil)
    }

    /// PixelCNN: with type A then type B layers, output pixel (i, j) depends only on the
    /// pixels before it in raster order (and, with colour groups, on earlier channels).
    @Test func maskedConvolutionIsCausal() {
        var g = RandomGenerator(seed: 5)
        let a = MaskedConv2d(3, 6, kernelSize: 3, maskType: .a, channelGroups: 3, generator: &g)
        let b = MaskedConv2d(6, 3, kernelSize: 3, maskType: .b, channelGroups: 3, generator: &g)
        let x = g.normal([1, 3, 4, 4])
        // Gradient of output (channel c, pixel (2, 1)) with respect to the input.
        for c in 0..<3 {
            let grad = gradient(at: x) { b(a($0))[0, c, 2, 1] }
            for ch in 0..<3 { for i in 0..<4 { for j in 0..<4 {
                let before = i < 2 || (i == 2 && j < 1)
                let sameEarlierChannel = i == 2 && j == 1 && ch < c
                if !(before || sameEarlierChannel) {
                    #expect(grad[element: [0, ch, i, j]] == 0, "channel \(c) sees input \(ch) at (\(i), \(j))")
                }
            } } }
            #expect(grad[element: [0, 0, 2, 0]] != 0 && grad[element: [0, 2, 1, 1]] != 0)
        }
        // Centre taps: type A single-group excludes the centre, type B includes it.
        let maskA = MaskedConv2d.mask(inputChannels: 1, outputChannels: 1, kernelSize: 3, type: .a)
        let maskB = MaskedConv2d.mask(inputChannels: 1, outputChannels: 1, kernelSize: 3, type: .b)
        #expect(maskA.scalars == [1, 1, 1, 1, 0, 0, 0, 0, 0])
        #expect(maskB.scalars == [1, 1, 1, 1, 1, 0, 0, 0, 0])
    }

    @Test func batchNormModes() {
        let bn = BatchNorm1d(2)
        let x = Tensor(shape: [4, 2], scalars: [1, 10, 2, 20, 3, 30, 4, 40])
        let y = bn(x)
        expectClose(y.mean(alongAxis: 0), .zeros([2]), absolute: 1e-6)
        expectClose(bn.runningMean!, Tensor([0.25, 2.5]))
        // Unbiased running variance: var([1,2,3,4]) · 4/3 = 5/3.
        expectClose(bn.runningVariance!, Tensor([0.9 + 0.1 * 5 / 3, 0.9 + 0.1 * 500 / 3]), relative: 1e-5)
        bn.eval()
        let mean = bn.runningMean!
        let z = bn(x)
        #expect(bn.runningMean!.scalars == mean.scalars && bn.numBatchesTracked == 1)
        expectClose(z, (x - bn.runningMean!) / (bn.runningVariance! + 1e-5).sqrt(), relative: 1e-5)
        // Without running statistics, batch statistics are used in both modes.
        let free = BatchNorm1d(2, trackRunningStatistics: false)
        free.eval()
        expectClose(free(x), y)
        #expect(free.state().keys.sorted() == ["bias", "weight"])
    }

    @Test func dropoutModule() {
        var g = RandomGenerator(seed: 6)
        let d = Dropout(probability: 0.5, generator: &g)
        let x = Tensor.ones([1000])
        let y1 = d(x), y2 = d(x)
        #expect(y1.scalars != y2.scalars)   // the stream advances
        #expect(Set(y1.scalars) == [0, 2])
        #expect(abs(y1.mean().scalar - 1) < 0.1)
        // Reproducible from the seed.
        var g2 = RandomGenerator(seed: 6)
        #expect(Dropout(probability: 0.5, generator: &g2)(x).scalars == y1.scalars)
        // Caller-supplied streams.
        var s1 = RandomGenerator(seed: 9), s2 = RandomGenerator(seed: 9)
        #expect(d(x, generator: &s1).scalars == d(x, generator: &s2).scalars)
        d.eval()
        #expect(d(x).scalars == x.scalars)
        #expect(d.state().isEmpty)
    }

    @Test func containers() {
        var g = RandomGenerator(seed: 7)
        let inner = Sequential(Linear(3, 3, generator: &g), Tanh())
        let residual = Residual(inner)
        let x = g.normal([2, 3])
        expectClose(residual(x), x + inner(x))
        #expect(residual.namedParameters().map(\.path) == ["block.0.weight", "block.0.bias"])
        #expect(Identity()(x).scalars == x.scalars)
        #expect(inner.count == 2 && inner[1] is Tanh)
        // Nested Sequentials inline at every level, as in PyTorch.
        let nested = Sequential(inner, Linear(3, 1, generator: &g))
        #expect(nested.namedParameters().map(\.path) == ["0.0.weight", "0.0.bias", "1.weight", "1.bias"])
        // train()/eval() reach inlined layers.
        nested.eval()
        #expect(!inner[0].isTraining)
    }

    /// Parameter counts equal PyTorch's for the same architectures (fixture metadata).
    @Test func parameterCountsMatchPyTorch() {
        var g = RandomGenerator(seed: 8)
        #expect(Linear(784, 512, generator: &g).parameterCount == 784 * 512 + 512)
        #expect(Conv2d(3, 64, kernelSize: 7, stride: 2, padding: 3, bias: false, generator: &g).parameterCount == 9408)
        #expect(ConvTranspose2d(64, 32, kernelSize: 4, groups: 2, generator: &g).parameterCount == 64 * 16 * 16 + 32)
        #expect(BatchNorm2d(64).parameterCount == 128 && LayerNorm([4, 5]).parameterCount == 40)
        #expect(GroupNorm(groups: 4, channels: 16).parameterCount == 32 && Embedding(count: 10, dimension: 3, generator: &g).parameterCount == 30)
        #expect(WeightNorm(wrapping: Conv2d(3, 8, kernelSize: 3, generator: &g)).parameterCount == 8 + 8 * 27 + 8)
    }

    @Test func activationsAreParameterFree() {
        let layers: [any Layer] = [ReLU(), LeakyReLU(), ELU(), GELU(), SiLU(), Tanh(), Sigmoid(), Softplus(), Flatten(), Identity()]
        #expect(layers.allSatisfy { $0.parameterCount == 0 && $0.state().isEmpty })
        #expect(LeakyReLU(negativeSlope: 0.2).summary == "LeakyReLU(negativeSlope: 0.2)")
    }
}
