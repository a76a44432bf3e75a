import Foundation
import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

@Suite struct RelaxedDistributionTests {
    @Test func relaxedBernoulliAgainstSciPy() {
        let f = DiscreteFixture.section("relaxedBernoulli")
        let d = RelaxedBernoulli(temperature: Tensor(f.float("temperature")), logits: f.tensor("logits", [3, 1]))
        let y = f.tensor("values")
        expectClose(d.logProb(y), f.tensor("logProb", [3, 5]), relative: 1e-5, absolute: 1e-5)
    }

    @Test func relaxedOneHotAgainstFormula() {
        let f = DiscreteFixture.section("relaxedOneHot")
        let d = RelaxedOneHotCategorical(temperature: Tensor(f.float("temperature")), logits: f.tensor("logits"))
        #expect(d.batchShape == [] && d.eventShape == [3])
        expectClose(d.logProb(f.tensor("values", [3, 3])), f.tensor("logProb"), relative: 1e-5, absolute: 1e-5)
    }

    @Test func relaxedBernoulliNormalises() {
        // τ = 2: bounded density, midpoint rule on (0, 1).
        let (y, dy) = midpointGrid(0, 1, count: 20_000)
        let d = RelaxedBernoulli(temperature: Tensor(2), logits: [[-1.5], [0.4], [3]])
        expectClose(d.logProb(y).exp().sum(alongAxis: 1) * dy, Tensor.ones([3]), absolute: 1e-3)
        // τ = 0.6: the density has integrable spikes at 0 and 1; integrate in logit space,
        // ∫ p(y) dy = ∫ p(σ(x)) σ′(x) dx. (Float32 cannot resolve y within 6e−8 of 0 or 1,
        // |logit y| > 15.9: the parameters keep the mass out there below 10⁻³.)
        let (x, dx) = midpointGrid(-40, 40, count: 16_000)
        let s = x.sigmoid()
        let sharp = RelaxedBernoulli(temperature: Tensor(0.6), logits: [[-1.5], [0.4], [1]])
        let integrand = (sharp.logProb(s) + x.logSigmoid() + (-x).logSigmoid()).exp()
        expectClose(integrand.sum(alongAxis: 1) * dx, Tensor.ones([3]), absolute: 2e-3)
    }

    @Test func relaxedOneHotNormalisesOnTheSimplex() {
        // K = 3, τ = 1.5: midpoint rule over the triangle y₁ + y₂ < 1 (y₃ = 1 − y₁ − y₂).
        let n = 120
        var points: [Float] = []
        points.reserveCapacity(3 * n * n)
        let h = 1 / Float(n)
        for i in 0..<n {
            for j in 0..<(n - i - 1) {
                let a = (Float(i) + 1 / 3) * h, b = (Float(j) + 1 / 3) * h
                points += [a, b, 1 - a - b]
                let c = (Float(i) + 2 / 3) * h, e = (Float(j) + 2 / 3) * h
                points += [c, e, 1 - c - e]
            }
            // The lower triangle on the diagonal.
            let a = (Float(i) + 1 / 3) * h, b = (Float(n - i - 1) + 1 / 3) * h
            points += [a, b, 1 - a - b]
        }
        let y = Tensor(shape: [points.count / 3, 3], scalars: points)
        let d = RelaxedOneHotCategorical(temperature: Tensor(1.5), logits: [0.3, -0.7, 1.1])
        let integral = d.logProb(y).exp().sum().scalar * h * h / 2
        #expect(Swift.abs(integral - 1) < 5e-3, "∫ p = \(integral)")
    }

    @Test func twoCategoriesMatchRelaxedBernoulli() {
        let y1: Tensor = [0.05, 0.3, 0.5, 0.9]
        let y = stack([y1, 1 - y1], alongAxis: 1)
        let oneHot = RelaxedOneHotCategorical(temperature: Tensor(0.7), logits: [1.2, -0.5])
        let binary = RelaxedBernoulli(temperature: Tensor(0.7), logits: Tensor(1.7))
        expectClose(oneHot.logProb(y), binary.logProb(y1), relative: 1e-4, absolute: 1e-4)
    }

    @Test func samplesLieInTheSupportAndApproachTheDiscreteLimit() {
        var rng = RandomGenerator(seed: 4)
        let logits: Tensor = [-1, 0.5, 2]
        let b = RelaxedBernoulli(temperature: Tensor(0.05), logits: logits).rsample([20_000], generator: &rng)
        #expect(b.scalars.allSatisfy { $0 > 0 && $0 < 1 })
        expectClose(b.mean(alongAxis: 0), logits.sigmoid(), absolute: 0.015)
        let c = RelaxedOneHotCategorical(temperature: Tensor(0.05), logits: [[0.2, 1, -0.5]]).rsample([20_000], generator: &rng)
        #expect(c.shape == [20_000, 1, 3])
        expectClose(c.sum(alongAxis: -1), Tensor.ones([20_000, 1]), absolute: 1e-5)
        expectClose(c.mean(alongAxis: 0), Tensor([[0.2, 1, -0.5]]).softmax(alongAxis: -1), absolute: 0.015)
    }

    @Test func straightThroughIsHardWithTheSoftGradient() {
        let logits: Tensor = [[-0.5, 1.0, 0.2], [2, -1, 0]]
        let weights: Tensor = [[1, -2, 3], [0.5, 4, -1]]
        func run(_ straightThrough: Bool, _ f: (Tensor) -> Tensor) -> (Tensor, Tensor) {
            var rng = RandomGenerator(seed: 5)
            var sample = Tensor(0)
            let g = gradient(at: logits) { l in
                sample = RelaxedOneHotCategorical(temperature: Tensor(0.5), logits: l, straightThrough: straightThrough)
                    .rsample([4], generator: &rng)
                return f(sample)
            }
            return (sample, g)
        }
        let (hard, gHard) = run(true) { ($0 * weights).sum() }
        let (soft, gSoft) = run(false) { ($0 * weights).sum() }
        #expect(hard.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        expectClose(hard.sum(alongAxis: -1), Tensor.ones([4, 2]))
        expectClose(hard.argmax(alongAxis: -1).asTensor, soft.argmax(alongAxis: -1).asTensor)
        expectClose(gHard, gSoft, relative: 1e-6, absolute: 1e-7)
        // Binary case.
        func runBinary(_ straightThrough: Bool) -> (Tensor, Tensor) {
            var rng = RandomGenerator(seed: 6)
            var sample = Tensor(0)
            let g = gradient(at: Tensor([-1, 0.5, 2])) { l in
                sample = RelaxedBernoulli(temperature: Tensor(0.3), logits: l, straightThrough: straightThrough).rsample([5], generator: &rng)
                return (sample * Tensor([1, -2, 3])).sum()
            }
            return (sample, g)
        }
        let (hb, gb) = runBinary(true), (sb, gs) = runBinary(false)
        #expect(hb.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        expectClose(hb, (sb .> 0.5))
        expectClose(gb, gs, relative: 1e-6, absolute: 1e-7)
    }

    @Test func extremeLogitsGiveFiniteLogProbabilities() {
        var rng = RandomGenerator(seed: 8)
        let logits: Tensor = [-100, -20, 20, 100]
        let b = RelaxedBernoulli(temperature: Tensor(0.5), logits: logits)
        let y = b.rsample([64], generator: &rng)
        #expect(b.logProb(y).scalars.allSatisfy { $0.isFinite })
        #expect(b.logProb(Tensor([0, 1, 0, 1])).scalars.allSatisfy { $0.isFinite })
        let c = RelaxedOneHotCategorical(temperature: Tensor(0.3), logits: [[-100, 0, 100], [100, -100, 0]])
        let z = c.rsample([64], generator: &rng)
        #expect(c.logProb(z).scalars.allSatisfy { $0.isFinite })
        #expect(c.logProb(Tensor([[1, 0, 0], [0, 0, 1]])).scalars.allSatisfy { $0.isFinite })
        // Reparameterised gradients stay finite too.
        let g = gradient(at: logits) { l in
            var r = RandomGenerator(seed: 1)
            let d = RelaxedBernoulli(temperature: Tensor(0.5), logits: l)
            return d.logProb(d.rsample([16], generator: &r)).sum()
        }
        #expect(g.scalars.allSatisfy { $0.isFinite })
    }

    @Test func logProbGradients() {
        expectGradient(at: [Tensor([-1, 0.5, 2]), Tensor([0.7, 1.2, 0.4])]) { p in
            RelaxedBernoulli(temperature: p[1], logits: p[0]).logProb([0.2, 0.6, 0.9])
        }
        expectGradient(at: [Tensor([[0.3, -0.7, 1.1]]), Tensor([0.8])]) { p in
            RelaxedOneHotCategorical(temperature: p[1], logits: p[0]).logProb([[0.2, 0.3, 0.5]])
        }
    }
}
