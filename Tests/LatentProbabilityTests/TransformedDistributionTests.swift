import Foundation
import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

@Suite struct TransformedDistributionTests {
    static let standard = Normal(loc: Tensor(0), scale: Tensor(1))

    @Test func logNormalMatchesClosedForm() {
        let base = Normal(loc: [0.3, -1], scale: [0.8, 1.5])
        let d = TransformedDistribution(base: base, transforms: [Exp()])
        #expect(d.batchShape == [2] && d.eventShape == [] && d.hasRSample && d.support == .positive)
        let y: Tensor = [[0.5, 2], [3, 0.1]]
        let expected = base.logProb(y.log()) - y.log()
        expectClose(d.logProb(y), expected, relative: 1e-5, absolute: 1e-6)
    }

    @Test func crossChecksWithContinuousDistributions() {
        // exp(Normal) is LogNormal; logit(Uniform(0, 1)) is the standard Logistic.
        let logNormal = TransformedDistribution(base: Normal(loc: [0.3, -1], scale: [0.8, 1.5]), transforms: [Exp()])
        let y: Tensor = [[0.5, 2], [3, 0.1]]
        expectClose(logNormal.logProb(y), LogNormal(loc: [0.3, -1], scale: [0.8, 1.5]).logProb(y), relative: 1e-5, absolute: 1e-5)
        let logistic = TransformedDistribution(base: Uniform(low: 0, high: 1), transforms: [Logit()])
        let x: Tensor = [-6, -1, 0, 0.3, 4]
        expectClose(logistic.logProb(x), Logistic(loc: 0, scale: 1).logProb(x), relative: 1e-4, absolute: 1e-5)
        // σ(Logistic(ℓ/τ, 1/τ)) is the relaxed Bernoulli.
        let (tau, logit): (Float, Float) = (0.7, 1.3)
        let relaxed = TransformedDistribution(base: Logistic(loc: Tensor(logit / tau), scale: Tensor(1 / tau)), transforms: [Sigmoid()])
        let u: Tensor = [0.02, 0.3, 0.5, 0.9, 0.99]
        expectClose(relaxed.logProb(u), RelaxedBernoulli(temperature: Tensor(tau), logits: Tensor(logit)).logProb(u), relative: 1e-4, absolute: 1e-4)
        // Affine(μ, σ) of a standard normal, through Independent events.
        let vector = TransformedDistribution(base: Normal(loc: Tensor.zeros([3]), scale: Tensor.ones([3])).independent(reinterpretedBatchDimensions: 1),
                                             transforms: [Affine(shift: [1, 2, 3], scale: [0.5, 2, 1], eventRank: 1)])
        #expect(vector.batchShape == [] && vector.eventShape == [3])
        let v: Tensor = [[0, 1, 2], [1, 2, 3]]
        expectClose(vector.logProb(v), Normal(loc: [1, 2, 3], scale: [0.5, 2, 1]).logProb(v).sum(alongAxis: -1), relative: 1e-5, absolute: 1e-5)
    }

    @Test func affineFlowIsANormal() {
        let d = TransformedDistribution(base: Normal(loc: Tensor.zeros([3]), scale: Tensor.ones([3])),
                                        transforms: [Affine(shift: [1, -2, 0.5], scale: [2, 0.5, -3])])
        let y: Tensor = [[0.1, -1, 4], [2, 2, 2]]
        let normal = Normal(loc: [1, -2, 0.5], scale: [2, 0.5, 3])
        expectClose(d.logProb(y), normal.logProb(y), relative: 1e-5, absolute: 1e-6)
    }

    @Test func sampleAndLogProbAgreeWithLogProb() {
        var rng = RandomGenerator(seed: 12)
        var p = RandomGenerator(seed: 13)
        let spline = RationalQuadraticSpline(widths: p.normal([3, 6]), heights: p.normal([3, 6]), derivatives: p.normal([3, 5]), bound: 2.5)
        let d = TransformedDistribution(base: Normal(loc: Tensor.zeros([3]), scale: Tensor.ones([3])),
                                        transforms: [Affine(shift: 0.2, scale: 1.3), spline, Permute([1, 2, 0]), Tanh()])
        #expect(d.batchShape == [] && d.eventShape == [3])
        let (y, logProb) = d.sampleAndLogProb([50], generator: &rng)
        #expect(y.shape == [50, 3] && logProb.shape == [50])
        expectClose(d.logProb(y), logProb, relative: 1e-3, absolute: 2e-3)
        // Draws from sample and rsample with the same generator state agree.
        var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 1)
        expectClose(d.sample([4], generator: &a), d.rsample([4], generator: &b))
    }

    @Test func eventDimensionsFromTransforms() {
        // Elementwise base with batch [4, 3]; a permutation makes the last axis one event.
        let base = Normal(loc: Tensor.zeros([4, 3]), scale: Tensor.full([4, 3], 2))
        let scale: Tensor = [1.5, -0.5, 2]
        let d = TransformedDistribution(base: base, transforms: [Permute([2, 0, 1]), Affine(shift: 1, scale: scale)])
        #expect(d.batchShape == [4] && d.eventShape == [3])
        var rng = RandomGenerator(seed: 2)
        let y = rng.normal([5, 4, 3])
        let x = Permute([2, 0, 1]).inverse((y - 1) / scale)
        let expected = base.logProb(x).sum(alongAxis: -1) - scale.abs().log().sum()
        expectClose(d.logProb(y), expected, relative: 1e-5, absolute: 1e-5)
        // Base events of higher rank than the transforms: elementwise log-dets are summed.
        let vectorBase = TransformedDistribution(base: Normal(loc: Tensor.zeros([2, 3]), scale: Tensor.ones([2, 3])),
                                                 transforms: [Permute([0, 2, 1])])
        let elementwise = TransformedDistribution(base: vectorBase, transforms: [Exp()])
        #expect(elementwise.batchShape == [2] && elementwise.eventShape == [3])
        let z = rng.normal([2, 3]).exp()
        expectClose(elementwise.logProb(z), vectorBase.logProb(z.log()) - z.log().sum(alongAxis: -1), relative: 1e-5, absolute: 1e-5)
        // A reshape to image-like events.
        let image = TransformedDistribution(base: Normal(loc: Tensor.zeros([2, 6]), scale: Tensor.ones([2, 6])),
                                            transforms: [Reshape(inputEventShape: [6], outputEventShape: [2, 3])])
        #expect(image.batchShape == [2] && image.eventShape == [2, 3])
        #expect(image.sample([7], generator: &rng).shape == [7, 2, 2, 3])
        expectClose(image.logProb(Tensor.zeros([2, 2, 3])), Tensor.full([2], -3 * Float(log(2 * Double.pi))), relative: 1e-6)
    }

    @Test func splineFlowDensityIntegratesToOne() {
        var p = RandomGenerator(seed: 31)
        let spline = RationalQuadraticSpline(widths: p.normal([8]), heights: p.normal([8]), derivatives: p.normal([7]), bound: 3)
        let d = TransformedDistribution(base: Self.standard, transforms: [spline, Affine(shift: 0.5, scale: 0.7)])
        let (y, dy) = midpointGrid(-12, 12, count: 24_000)
        let integral = d.logProb(y).exp().sum().scalar * dy
        #expect(Swift.abs(integral - 1) < 1e-3, "∫ p = \(integral)")
        // Squashed into (−1, 1) by tanh.
        let squashed = TransformedDistribution(base: Normal(loc: Tensor(0.3), scale: Tensor(0.6)), transforms: [spline, Tanh()])
        let (u, du) = midpointGrid(-1, 1, count: 20_000)
        let mass = squashed.logProb(u).exp().sum().scalar * du
        #expect(Swift.abs(mass - 1) < 2e-3, "∫ p = \(mass)")
    }

    @Test func twoDimensionalFlowIntegratesToOne() {
        var p = RandomGenerator(seed: 32)
        let base = Normal(loc: Tensor.zeros([2]), scale: Tensor.ones([2]))
        let d = TransformedDistribution(base: base, transforms: [
            RationalQuadraticSpline(widths: 0.4 * p.normal([2, 5]), heights: 0.4 * p.normal([2, 5]), derivatives: 0.4 * p.normal([2, 4]), bound: 2),
            Permute([1, 0]),
            Affine(shift: [0.3, -0.2], scale: [0.8, 1.4], eventRank: 1),
            RationalQuadraticSpline(widths: 0.4 * p.normal([2, 5]), heights: 0.4 * p.normal([2, 5]), derivatives: 0.4 * p.normal([2, 4]), bound: 2),
        ])
        #expect(d.eventShape == [2])
        // Midpoint rule; the grid must resolve the density's narrowest peaks (flat spline bins).
        let n = 220
        let (axis, step) = midpointGrid(-8, 8, count: n)
        let a = axis.reshaped(to: [n, 1, 1]).broadcast(to: [n, n, 1])
        let b = axis.reshaped(to: [1, n, 1]).broadcast(to: [n, n, 1])
        let grid = concatenate([a, b], alongAxis: 2)
        let integral = d.logProb(grid).exp().sum().scalar * step * step
        #expect(Swift.abs(integral - 1) < 5e-3, "∫∫ p = \(integral)")
    }

    @Test func gradientsFlowToFlowParameters() {
        var p = RandomGenerator(seed: 33)
        let w = p.normal([2, 4]), h = p.normal([2, 4]), dv = p.normal([2, 3])
        // Maximum likelihood gradient (inverse pass) and reparameterised gradient (forward pass).
        let data: Tensor = [[0.5, -1.2], [3.5, 0.1], [-2.9, 2.2]]
        let grads = gradient(at: [w, h, dv]) { q in
            let d = TransformedDistribution(base: Normal(loc: Tensor.zeros([2]), scale: Tensor.ones([2])),
                                            transforms: [RationalQuadraticSpline(widths: q[0], heights: q[1], derivatives: q[2], bound: 3)])
            var rng = RandomGenerator(seed: 0)
            let (_, lp) = d.sampleAndLogProb([8], generator: &rng)
            return -d.logProb(data).sum() + lp.sum()
        }
        for g in grads { #expect(g.scalars.allSatisfy { $0.isFinite } && g.scalars.contains { $0 != 0 }) }
        expectGradient(at: [w, h, dv], tolerance: 3e-2) { q in
            TransformedDistribution(base: Normal(loc: Tensor.zeros([2]), scale: Tensor.ones([2])),
                                    transforms: [RationalQuadraticSpline(widths: q[0], heights: q[1], derivatives: q[2], bound: 3)])
                .logProb(data)
        }
    }

    @Test func transformParametersBroadcastTheBase() {
        var rng = RandomGenerator(seed: 3)
        let d = TransformedDistribution(base: Self.standard, transforms: [Affine(shift: [1, -1, 3], scale: [0.5, 1, 2])])
        #expect(d.batchShape == [3] && d.eventShape == [])
        let s = d.sample([10_000], generator: &rng)
        #expect(s.shape == [10_000, 3])
        expectClose(s.mean(alongAxis: 0), [1, -1, 3], absolute: 0.06)
        expectClose(d.logProb([0, 0, 0]), Normal(loc: [1, -1, 3], scale: [0.5, 1, 2]).logProb([0, 0, 0]), relative: 1e-5)
    }

    @Test func transformsNeedEnoughBaseDimensions() {
        #expect(Compose([Permute([0, 1])]).eventRank == 1)
        #expect(TransformedDistribution(base: Self.standard, transforms: []).eventShape == [])
    }
}
