import Foundation
import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

@Suite struct MixtureTests {
    static let weights: Tensor = [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]
    static let locs: Tensor = [[-2, 0, 3], [1, 1.5, -1]]
    static let scales: Tensor = [[0.5, 1, 2], [0.3, 0.8, 1.2]]

    static var gaussianMixture: MixtureSameFamily {
        MixtureSameFamily(mixing: Categorical(probabilities: weights), components: Normal(loc: locs, scale: scales))
    }

    @Test func gaussianMixtureLogProbMeanVariance() {
        let m = Self.gaussianMixture
        #expect(m.batchShape == [2] && m.eventShape == [])
        let x: Tensor = [[0.3, -1], [2, 5], [-2, 1]]
        var expected = [Float]()
        for row in x.array2D {
            for b in 0..<2 {
                var p = 0.0
                for k in 0..<3 {
                    let (w, mu, s) = (Double(Self.weights.array2D[b][k]), Double(Self.locs.array2D[b][k]), Double(Self.scales.array2D[b][k]))
                    p += w * exp(-0.5 * pow((Double(row[b]) - mu) / s, 2)) / (s * (2 * Double.pi).squareRoot())
                }
                expected.append(Float(log(p)))
            }
        }
        expectClose(m.logProb(x), Tensor(shape: [3, 2], scalars: expected), relative: 1e-5, absolute: 1e-5)
        let mean = (Self.weights * Self.locs).sum(alongAxis: -1)
        expectClose(m.mean, mean, relative: 1e-5)
        let second = (Self.weights * (Self.scales.square() + Self.locs.square())).sum(alongAxis: -1)
        expectClose(m.variance, second - mean.square(), relative: 1e-5)
        // CDF: the weighted component CDFs; at ±∞-ish it is 0 and 1.
        expectClose(m.cdf(Tensor([-30, 30]).reshaped(to: [2, 1]).broadcast(to: [2, 2])), [[0, 0], [1, 1]], absolute: 1e-6)
        // The density integrates to 1.
        let (grid, step) = midpointGrid(-15, 15, count: 6000)
        expectClose(m.logProb(grid.reshaped(to: [6000, 1])).exp().sum(alongAxis: 0) * step, Tensor.ones([2]), absolute: 1e-4)
    }

    @Test func samplesMatchMoments() {
        var rng = RandomGenerator(seed: 40)
        let m = Self.gaussianMixture
        let s = m.sample([20_000], generator: &rng)
        #expect(s.shape == [20_000, 2])
        let sd = m.variance.sqrt()
        let error = (s.mean(alongAxis: 0) - m.mean).abs() / (sd / Float(20_000).squareRoot())
        #expect(error.scalars.allSatisfy { $0 < 4 }, "mean off by \(error.scalars) standard errors")
        expectClose(s.variance(alongAxis: 0), m.variance, relative: 0.05)
        // Fraction below 0 against the CDF.
        let below = (s .< 0).mean(alongAxis: 0)
        expectClose(below, m.cdf(Tensor.zeros([2])), absolute: 0.015)
    }

    @Test func vectorComponentsAndDiscreteComponents() {
        // Components with event shape [2] (a permuted Gaussian flow), batch [3] + [K = 2].
        var rng = RandomGenerator(seed: 41)
        let locs = rng.normal([3, 2, 2])
        let components = TransformedDistribution(base: Normal(loc: locs, scale: Tensor.ones([3, 2, 2])),
                                                  transforms: [Permute([1, 0])])
        let mixing = Categorical(logits: rng.normal([3, 2]))
        let m = MixtureSameFamily(mixing: mixing, components: components)
        #expect(m.batchShape == [3] && m.eventShape == [2])
        let x = rng.normal([5, 3, 2])
        let perComponent = components.logProb(x.unsqueezed(axis: 2))          // [5, 3, 2]
        expectClose(m.logProb(x), (perComponent + mixing.logits).logSumExp(alongAxis: -1), relative: 1e-5, absolute: 1e-5)
        #expect(m.sample([4], generator: &rng).shape == [4, 3, 2])
        // A mixture of Bernoullis (batch [2], K = 2): P(1) = Σ πₖ pₖ.
        let bern = MixtureSameFamily(mixing: Categorical(probabilities: [[0.3, 0.7], [0.5, 0.5]]),
                                     components: Bernoulli(probabilities: [[0.9, 0.2], [0.1, 0.4]]))
        expectClose(bern.logProb([1, 1]).exp(), [0.3 * 0.9 + 0.7 * 0.2, 0.5 * 0.1 + 0.5 * 0.4], relative: 1e-5)
        let draws = bern.sample([20_000], generator: &rng)
        expectClose(draws.mean(alongAxis: 0), [0.41, 0.25], absolute: 0.015)
    }

    @Test func mixtureGradientsAndValidation() {
        expectGradient(at: [Tensor([[0.1, -0.3, 0.8]]), Tensor([[-1, 0.5, 2]]), Tensor([[0.7, 1.1, 0.4]])]) { p in
            MixtureSameFamily(mixing: Categorical(logits: p[0]), components: Normal(loc: p[1], scale: p[2]))
                .logProb([[0.2], [1.5]])
        }
        #expect(throws: ShapeError(op: "MixtureSameFamily", "components of batch shape [2, 4] must have batch shape [2, 3] (the mixing batch shape and 3 components)")) {
            try MixtureSameFamily.validate(mixingBatch: [2], categories: 3, componentBatch: [2, 4])
        }
    }
}
