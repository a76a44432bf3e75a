import LatentCore
import LatentTestSupport
import Testing

@Suite struct DropoutTests {
    let x = Tensor(shape: [4, 50], scalars: (0..<200).map { Float($0 % 17) / 4 - 1.5 })

    @Test func survivorsAreScaledAndDroppedAreZero() {
        var rng = RandomGenerator(seed: 1)
        let p: Float = 0.25
        let y = x.dropout(probability: p, generator: &rng)
        // The mask is the Bernoulli(1 − p) draw of the same stream.
        var reference = RandomGenerator(seed: 1)
        let keep = reference.bernoulli(x.shape, probability: 1 - p)
        expectClose(y, x * keep / (1 - p))
        #expect(rng == reference)
        // Inverted dropout keeps the mean: E[mask] = 1.
        var big = RandomGenerator(seed: 2)
        let ones = Tensor.ones([100_000]).dropout(probability: 0.4, generator: &big)
        let mean = Double(ones.mean().scalar)
        // Each element is 1/0.6 with probability 0.6: sd √(0.4/0.6) per element.
        #expect(abs(mean - 1) < 5 * (0.4 / 0.6 / 100_000).squareRoot())
    }

    @Test func identityAndZeroCases() {
        var rng = RandomGenerator(seed: 3)
        #expect(x.dropout(probability: 0, generator: &rng).scalars == x.scalars)
        #expect(x.dropout(probability: 0.5, generator: &rng, isTraining: false).scalars == x.scalars)
        #expect(rng.counter == 0)   // nothing drawn
        #expect(x.dropout(probability: 1, generator: &rng).scalars.allSatisfy { $0 == 0 })
        let g = gradient(at: x) { $0.dropout(probability: 0.5, generator: &rng, isTraining: false).sum() }
        expectClose(g, Tensor.ones(x.shape))
    }

    @Test func backwardReusesTheForwardMask() {
        var rng = RandomGenerator(seed: 4)
        var output = Tensor(0)
        let g = gradient(at: x) { x in
            let y = x.dropout(probability: 0.3, generator: &rng)
            output = y.detached()
            return (y * y).sum()
        }
        // ∂/∂x Σ y² = 2y · mask/(1 − p) = 2y²/x where the element survived.
        let mask = Tensor(shape: x.shape, scalars: zip(output.scalars, x.scalars).map { y, x in x == 0 ? 0 : y / x })
        expectClose(g, output * mask * 2, relative: 1e-5, absolute: 1e-5)
        #expect(Set(mask.scalars.map { ($0 * 1000).rounded() }).isSubset(of: [0, (1000 / 0.7).rounded()]))
    }

    @Test func gradientsWithAFixedGenerator() {
        // A fresh copy of the generator per evaluation gives the same mask every time,
        // so finite differences see a fixed function.
        let small = Tensor(shape: [3, 5], scalars: (0..<15).map { Float($0) / 7 - 1 })
        let start = RandomGenerator(seed: 5)
        expectGradient(at: [small]) { xs in
            var rng = start
            return xs[0].dropout(probability: 0.4, generator: &rng) * xs[0]
        }
        expectSecondOrderGradient(at: [small]) { xs in
            var rng = start
            return xs[0].dropout(probability: 0.4, generator: &rng) * xs[0] * xs[0]
        }
    }
}
