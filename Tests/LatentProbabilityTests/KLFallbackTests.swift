import Foundation
import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

/// `klDivergence` never traps: analytic when a rule is known, else it throws (no
/// generator) or estimates by Monte Carlo (with one).
@Suite struct KLFallbackTests {
    let p = Laplace(loc: Tensor([0, 0.5]), scale: Tensor([0.8, 1.3]))
    let q = Normal(loc: 0, scale: 1)

    /// KL(Laplace(μ, b) ‖ N(0, 1)) = −1 − ln 2b + ½ ln 2π + ½ (μ² + 2b²).
    func exact(_ mu: Double, _ b: Double) -> Double {
        -1 - Foundation.log(2 * b) + 0.5 * Foundation.log(2 * Double.pi) + 0.5 * (mu * mu + 2 * b * b)
    }

    @Test func missingRuleThrowsInsteadOfTrapping() {
        #expect(throws: KLDivergenceError.self) { _ = try klDivergence(p, q) }
        do {
            _ = try klDivergence(p, q)
        } catch {
            #expect(error.description.contains("Laplace") && error.description.contains("Normal"))
        }
    }

    @Test func fallbackEstimatesByMonteCarlo() {
        var g = RandomGenerator(seed: 3)
        let kl = klDivergence(p, q, fallbackSamples: 40_000, generator: &g)
        #expect(kl.shape == [2])
        for (estimate, truth) in zip(kl.scalars, [exact(0, 0.8), exact(0.5, 1.3)]) {
            #expect(Swift.abs(Double(estimate) - truth) < 0.03, "Monte Carlo \(estimate) vs \(truth)")
        }
        // The fallback is exactly the Monte-Carlo estimator with the given count, and the
        // default count is the documented one.
        var g1 = RandomGenerator(seed: 4), g2 = RandomGenerator(seed: 4)
        expectClose(klDivergence(p, q, fallbackSamples: 100, generator: &g1),
                    monteCarloKLDivergence(p, q, sampleCount: 100, generator: &g2), relative: 0, absolute: 0)
        #expect(g1 == g2)
        var g3 = RandomGenerator(seed: 4), g4 = RandomGenerator(seed: 4)
        expectClose(klDivergence(p, q, generator: &g3),
                    monteCarloKLDivergence(p, q, sampleCount: KLDivergence.defaultMonteCarloSamples, generator: &g4),
                    relative: 0, absolute: 0)
    }

    @Test func analyticRuleWinsAndLeavesTheGeneratorAlone() throws {
        let a = Normal(loc: Tensor([0.3, -1]), scale: Tensor([0.5, 2]))
        var g = RandomGenerator(seed: 5)
        let before = g
        expectClose(klDivergence(a, q, generator: &g), try klDivergence(a, q))
        #expect(g == before)
    }

    @Test func fallbackIsDifferentiable() {
        // The estimate is reparameterised: its gradient in the scale is finite and points
        // towards the minimiser.
        var g = RandomGenerator(seed: 6)
        let scale = Tensor([3])
        let (_, gradient) = valueAndGradient(at: scale) { s in
            klDivergence(Laplace(loc: Tensor([0]), scale: s), Normal(loc: 0, scale: 1), fallbackSamples: 2_000,
                         generator: &g).sum()
        }
        #expect(gradient.scalars[0] > 0)
    }

    @Test func logVarianceParameterisationMatchesScale() throws {
        let loc = Tensor([0.3, -1, 2]), logVariance = Tensor([-0.7, 0.4, 1.5])
        let a = Normal(loc: loc, logVariance: logVariance)
        let b = Normal(loc: loc, scale: (logVariance * 0.5).exp())
        let x = Tensor([[0.1, 0.2, -3], [1, -1, 2.5]])
        expectClose(a.logProb(x), b.logProb(x), relative: 1e-5, absolute: 1e-5)
        expectClose(a.entropy(), b.entropy(), relative: 1e-5, absolute: 1e-6)
        expectClose(a.variance, b.variance, relative: 1e-5)
        let standard = Normal.standard([3])
        #expect(standard.isStandard && !a.isStandard && !b.isStandard)
        expectClose(try klDivergence(a, standard), try klDivergence(b, standard), relative: 1e-5, absolute: 1e-6)
        expectClose(standard.logProb(x), Normal(loc: Tensor([0.5]), scale: 1).logProb(x + 0.5), relative: 1e-6, absolute: 1e-6)
        var g1 = RandomGenerator(seed: 1), g2 = RandomGenerator(seed: 1)
        expectClose(a.rsample([4], generator: &g1), b.rsample([4], generator: &g2), relative: 1e-6, absolute: 1e-6)
    }

    @Test func recordedZeroMeanKeepsItsGradient() {
        // A trainable mean that happens to be zero is not treated as the constant N(0, 1).
        let (_, gradient) = valueAndGradient(at: Tensor([0, 0])) { mu in
            Normal(loc: mu, scale: Tensor([1, 1])).logProb(Tensor([1, -2])).sum()
        }
        expectClose(gradient, Tensor([1, -2]))
    }
}
