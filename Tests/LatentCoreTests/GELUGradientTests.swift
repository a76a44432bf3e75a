import LatentCore
import LatentTestSupport
import Testing

/// The fused first-order GELU backward against the composed one (used when the gradient
/// is recorded) and against finite differences.
@Suite struct GELUGradientTests {
    @Test func fusedBackwardMatchesComposed() {
        var rng = RandomGenerator(seed: 3)
        // 16 · 13 + 5 elements: whole vectors and a tail; zero, a tiny value and tails.
        let x = concatenate([rng.normal([213]) * 3, Tensor([0, 1e-30, -1e-25, -12, -30, 15])], alongAxis: 0)
        let u = concatenate([rng.normal([213]), Tensor([1, 1, 1, 1, 1, 1])], alongAxis: 0)
        let fused = gradient(at: x) { ($0.gelu() * u).sum() }
        let composed = gradient(at: x, createGraph: true) { ($0.gelu() * u).sum() }
        expectClose(fused, composed, relative: 1e-5, absolute: 1e-6)
        let tail = Array(fused.scalars.suffix(6))
        #expect(Array(tail.prefix(3)) == [0.5, 0.5, 0.5] && Array(tail.suffix(2)) == [0, 1])
    }

    @Test func fusedBackwardMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 4)
        expectGradient(at: [rng.normal([3, 7]) * 2]) { $0[0].gelu().square().sum() }
    }
}
