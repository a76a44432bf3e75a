import LatentCore
import LatentTestSupport
import Testing

/// The fused first-order GELU backward against the composed one (used when the gradient
/// is recorded) and against finite differences.
@Suite struct GELUGradientTests {
    @Test func fusedBackwardMatchesComposedBits() {
        var rng = RandomGenerator(seed: 3)
        // 16 · 13 + 5 elements: whole vectors and a tail.
        let x = rng.normal([213]) * 3
        let u = rng.normal([213])
        let fused = gradient(at: x) { ($0.gelu() * u).sum() }
        let composed = gradient(at: x, createGraph: true) { ($0.gelu() * u).sum() }
        #expect(fused.scalars == composed.scalars)
    }

    @Test func fusedBackwardMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 4)
        expectGradient(at: [rng.normal([3, 7]) * 2]) { $0[0].gelu().square().sum() }
    }
}
