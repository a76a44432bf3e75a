import LatentCore
import LatentNN
import LatentProbability
import LatentTestSupport
import LatentModels
import Testing

@Suite struct FlowImageTests {
    @Test func squeezeRoundTripAndLayout() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        #expect(x.spaceToDepth().shape == [1, 4, 1, 1])
        #expect(x.spaceToDepth().scalars == [1, 2, 3, 4])
        var rng = RandomGenerator(seed: 1)
        let y = rng.normal([2, 3, 4, 6])
        expectClose(y.spaceToDepth().unspaceToDepth(), y)
        checkBijector(Squeeze(), inputs: rng.normal([2, 8, 2, 3]))
    }

    @Test func invertibleConvolution() {
        var rng = RandomGenerator(seed: 2)
        let conv = InvertibleConvolution1x1(channels: 4, generator: &rng)
        // Starts as a rotation: |det W| = 1.
        #expect(abs(conv.logScale.sum().scalar) < 1e-4)
        randomize(conv, scale: 0.3)
        checkBijector(conv, inputs: rng.normal([2, 4, 2, 2]))
        expectClose(conv.weight().logAbsDeterminant(), conv.logScale.sum(), absolute: 1e-4)
    }

    @Test func imageCouplings() {
        var rng = RandomGenerator(seed: 3)
        let x = rng.normal([2, 4, 2, 2])
        for mask in [ImageCoupling.Mask.checkerboard(parity: 0), .checkerboard(parity: 1), .channel(parity: 0), .channel(parity: 1)] {
            let c = ImageCoupling(channels: 4, hiddenChannels: 4, mask: mask, generator: &rng)
            randomize(c, scale: 0.3)
            checkBijector(c, inputs: x, "\(mask)")
        }
    }

    @Test func multiScaleFlows() {
        var rng = RandomGenerator(seed: 4)
        let x = rng.normal([2, 1, 4, 4])
        for flow in [Flow.glow(imageShape: [1, 4, 4], levels: 2, steps: 1, hiddenChannels: 4, generator: &rng),
                     Flow.imageRealNVP(imageShape: [1, 4, 4], levels: 2, steps: 2, hiddenChannels: 4, generator: &rng)] {
            randomize(flow, scale: 0.2)
            flow.eval()
            checkBijector(flow.transforms[0], inputs: x)
            let (s, lp) = flow.sampleAndLogProb(3, generator: &rng)
            expectClose(flow.logProb(s), lp, relative: 1e-3, absolute: 1e-3)
        }
    }
}
