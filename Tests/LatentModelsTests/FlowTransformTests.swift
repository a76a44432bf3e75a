import LatentCore
import LatentNN
import LatentProbability
import LatentTestSupport
import LatentModels
import Testing

/// Gives every parameter of `module` random values (a freshly built flow is the
/// identity, which would test nothing).
func randomize(_ module: Module, scale: Float = 0.5, seed: UInt64 = 7) {
    var rng = RandomGenerator(seed: seed)
    for (_, p) in module.namedParameters() {
        p.wrappedValue = rng.normal(p.wrappedValue.shape) * scale
    }
}

@Suite struct FlowTransformTests {
    @Test func affineAndAdditiveCouplings() {
        var rng = RandomGenerator(seed: 1)
        let x = rng.normal([4, 5])
        for kind in [ElementwiseTransform.affine(), .additive] {
            for first in [false, true] {
                let c = Coupling(dimension: 5, hidden: [8], transform: kind, transformsFirstPart: first, generator: &rng)
                randomize(c)
                checkBijector(c, inputs: x, "\(kind) first: \(first)")
            }
        }
    }

    @Test func splineCouplingIncludingTails() {
        var rng = RandomGenerator(seed: 2)
        // Values beyond the bound B = 3 exercise the linear tails and the boundaries.
        let x = rng.normal([4, 4]) * 2.5
        let c = Coupling(dimension: 4, hidden: [8], transform: .spline(binCount: 5, bound: 3), generator: &rng)
        // Moderate parameters: extreme ones make bins of width ~1e-3 where float32 round trips lose digits.
        randomize(c, scale: 0.25)
        checkBijector(c, inputs: x)
        let edge = Tensor(shape: [2, 4], scalars: [-3, 3, 3, -3, 3, -3, 2.9999, 3.0001])
        checkBijector(c, inputs: edge, "at the boundary")
    }

    @Test func maskedAutoregressiveTransforms() {
        var rng = RandomGenerator(seed: 3)
        let x = rng.normal([3, 4])
        for inverted in [false, true] {
            for kind in [ElementwiseTransform.affine(), .spline(binCount: 4, bound: 3)] {
                let t = MaskedAutoregressiveTransform(dimension: 4, hidden: [12, 12], transform: kind, inverted: inverted, generator: &rng)
                randomize(t, scale: 0.3)
                checkBijector(t, inputs: x, "\(kind) inverted: \(inverted)")
            }
        }
    }

    @Test func madeIsAutoregressive() {
        var rng = RandomGenerator(seed: 4)
        let made = MADE(dimension: 5, hidden: [16, 16], parametersPerDimension: 2, generator: &rng)
        randomize(made)
        let x = rng.normal([1, 5])
        // Output block d must not depend on inputs d...
        for d in 0..<5 {
            let g = gradient(at: x) { made($0, context: nil).sliced(alongAxis: 1, range: d..<(d + 1)).sum() }
            let row = g.scalars
            for j in d..<5 { #expect(row[j] == 0, "output \(d) depends on input \(j)") }
            if d > 0 { #expect(row[0..<d].contains { $0 != 0 }) }
        }
    }

    @Test func actNormPermutationAndBatchNorm() {
        var rng = RandomGenerator(seed: 5)
        let x = rng.normal([6, 3]) * 2 + 1
        let a = ActNorm(featureCount: 3)
        a.initialize(from: x)
        randomize(a, scale: 0.2)
        checkBijector(a, inputs: x)
        let (z, _) = ActNorm(featureCount: 3).inverseAndLogAbsDetJacobian(x)   // initialises on first use
        expectClose(z.mean(alongAxis: 0), Tensor.zeros([3]), absolute: 1e-4)
        checkBijector(FlowPermutation.random(3, generator: &rng), inputs: x)
        checkBijector(FlowPermutation.reversal(3), inputs: x)
        let b = BatchNormFlow(featureCount: 3)
        _ = b.inverseAndLogAbsDetJacobian(x)          // training mode: updates the running statistics
        randomize(b, scale: 0.2)
        b.eval()
        checkBijector(b, inputs: x)
        let images = rng.normal([2, 3, 2, 2])
        let a4 = ActNorm(featureCount: 3, eventRank: 3)
        a4.initialize(from: images)
        randomize(a4, scale: 0.3)
        checkBijector(a4, inputs: images)
    }

    @Test func conditionalTransformsUseTheContext() {
        var rng = RandomGenerator(seed: 6)
        let x = rng.normal([3, 4]), c1 = rng.normal([3, 2]), c2 = rng.normal([3, 2])
        let transforms: [any FlowTransform] = [
            Coupling(dimension: 4, hidden: [8], contextSize: 2, generator: &rng),
            MaskedAutoregressiveTransform(dimension: 4, hidden: [8], contextSize: 2, generator: &rng),
            MaskedAutoregressiveTransform(dimension: 4, hidden: [8], inverted: true, contextSize: 2, generator: &rng),
        ]
        for t in transforms {
            randomize(t)
            let (y, l) = t.forwardAndLogAbsDetJacobian(x, context: c1)
            let (back, lb) = t.inverseAndLogAbsDetJacobian(y, context: c1)
            expectClose(back, x, relative: 1e-4, absolute: 1e-4)
            expectClose(lb, -l, relative: 1e-4, absolute: 1e-4)
            #expect(!isClose(t.forwardAndLogAbsDetJacobian(x, context: c2).0, y, relative: 1e-3, absolute: 1e-3))
        }
    }

    @Test func planarAndRadialFlows() {
        var rng = RandomGenerator(seed: 8)
        let x = rng.normal([5, 3])
        let planar = PlanarFlow(dimension: 3, generator: &rng)
        randomize(planar, scale: 1)
        checkBijector(planar, inputs: x)
        let radial = RadialFlow(dimension: 3, generator: &rng)
        randomize(radial, scale: 1)
        checkBijector(radial, inputs: x)
        // A contracting radial flow (β < 0) as well.
        radial.betaParameter = Tensor([-3])
        checkBijector(radial, inputs: x, "contracting")
    }
}
