import Foundation
import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

@Suite struct DiscreteDistributionTests {
    // MARK: - Golden values (SciPy)

    @Test func bernoulliAgainstSciPy() {
        let f = DiscreteFixture.section("bernoulliLogits")
        let b = Bernoulli(logits: f.tensor("logits"))
        expectClose(b.logProb(Tensor.zeros([6])), f.tensor("logProb0"), relative: 1e-5, absolute: 1e-6)
        expectClose(b.logProb(Tensor.ones([6])), f.tensor("logProb1"), relative: 1e-5, absolute: 1e-6)
        expectClose(b.entropy(), f.tensor("entropy"), relative: 1e-4, absolute: 1e-6)
        let g = DiscreteFixture.section("bernoulliProbabilities")
        let p = Bernoulli(probabilities: g.tensor("probabilities"))
        expectClose(p.logProb(Tensor.zeros([5])), g.tensor("logProb0"), relative: 1e-4, absolute: 1e-6)
        expectClose(p.logProb(Tensor.ones([5])), g.tensor("logProb1"), relative: 1e-4, absolute: 1e-6)
        expectClose(p.entropy(), g.tensor("entropy"), relative: 1e-4, absolute: 1e-6)
        let values = g.floats("cdfValues")
        let cdf = g.tensor("cdf", [values.count, 5])
        for (i, v) in values.enumerated() {
            expectClose(p.cdf(Tensor(v)), cdf.sliced(alongAxis: 0, range: i..<(i + 1)).reshaped(to: [5]), absolute: 1e-6)
        }
        expectClose(p.mean, g.tensor("probabilities"))
        expectClose(p.variance, g.tensor("probabilities") * (1 - g.tensor("probabilities")))
    }

    @Test func categoricalAgainstSciPy() {
        let f = DiscreteFixture.section("categorical")
        let c = Categorical(logits: f.tensor("logits", [2, 4]))
        #expect(c.batchShape == [2] && c.eventShape == [] && c.categoryCount == 4)
        let expected = f.tensor("logProb", [2, 4])
        for k in 0..<4 {
            let column = expected.sliced(alongAxis: 1, range: k..<(k + 1)).reshaped(to: [2])
            expectClose(c.logProb(IndexTensor([k, k])), column, relative: 1e-5, absolute: 1e-6)
            expectClose(c.logProb(Tensor([Float(k), Float(k)])), column, relative: 1e-5, absolute: 1e-6)
        }
        // Broadcasting: a sample axis in front.
        #expect(c.logProb(IndexTensor(shape: [3, 2], scalars: [0, 1, 2, 3, 1, 1])).shape == [3, 2])
        expectClose(c.entropy(), f.tensor("entropy"), relative: 1e-5)
        let values = f.floats("cdfValues")
        let cdf = f.tensor("cdf", [values.count, 2])
        for (i, v) in values.enumerated() {
            expectClose(c.cdf(Tensor(v)), cdf.sliced(alongAxis: 0, range: i..<(i + 1)).reshaped(to: [2]), absolute: 1e-6)
        }
        // Probabilities are normalised; zero-probability classes are impossible but harmless.
        let z = Categorical(probabilities: [[2, 0, 2]])
        expectClose(z.probabilities, [[0.5, 0, 0.5]])
        #expect(z.entropy().scalars[0].isFinite)
        expectClose(z.entropy(), Tensor([Float(log(2.0))]), relative: 1e-6)
    }

    @Test func binomialAgainstSciPy() {
        for case_ in DiscreteFixture.list("binomial") {
            let n = case_["count"] as! Int
            let values = case_.tensor("values")
            let b = Binomial(count: n, probabilities: Tensor(case_.float("probability")))
            let tag = "n = \(n), p = \(case_.float("probability"))"
            expectClose(b.logProb(values), case_.tensor("logProb"), relative: 2e-4, absolute: 2e-4, tag)
            expectClose(b.entropy(), Tensor(case_.float("entropy")), relative: 1e-4, absolute: 1e-5, tag)
            expectClose(b.cdf(values), case_.tensor("cdf"), relative: 1e-4, absolute: 1e-5, tag)
            let viaLogits = Binomial(count: n, logits: b.logits)
            expectClose(viaLogits.logProb(values), case_.tensor("logProb"), relative: 2e-4, absolute: 2e-4, tag)
        }
    }

    @Test func poissonAgainstSciPy() {
        for case_ in DiscreteFixture.list("poisson") {
            let values = case_.tensor("values")
            let p = Poisson(rate: Tensor(case_.float("rate")))
            let tag = "rate \(case_.float("rate"))"
            expectClose(p.logProb(values), case_.tensor("logProb"), relative: 2e-4, absolute: 2e-4, tag)
            expectClose(p.entropy(), Tensor(case_.float("entropy")), relative: 1e-4, absolute: 1e-5, tag)
            expectClose(p.cdf(values), case_.tensor("cdf"), relative: 1e-4, absolute: 1e-5, tag)
        }
        // Rate 0: all mass at 0.
        let zero = Poisson(rate: [0])
        #expect(zero.logProb([0]).scalars == [0] && zero.logProb([2]).scalars == [-.infinity])
    }

    // MARK: - KL divergences

    @Test func klAgainstSummation() throws {
        let b = DiscreteFixture.section("klBernoulli")
        expectClose(try klDivergence(Bernoulli(probabilities: b.tensor("p")), Bernoulli(probabilities: b.tensor("q"))),
                    b.tensor("kl"), relative: 1e-4, absolute: 1e-6)
        let c = DiscreteFixture.section("klCategorical")
        let (cp, cq) = (Categorical(logits: c.tensor("p", [2, 5])), Categorical(logits: c.tensor("q", [2, 5])))
        expectClose(try klDivergence(cp, cq), c.tensor("kl"), relative: 1e-4, absolute: 1e-6)
        expectClose(try klDivergence(OneHotCategorical(cp), OneHotCategorical(cq)), c.tensor("kl"), relative: 1e-4, absolute: 1e-6)
        let p = DiscreteFixture.section("klPoisson")
        expectClose(try klDivergence(Poisson(rate: p.tensor("p")), Poisson(rate: p.tensor("q"))), p.tensor("kl"), relative: 1e-4, absolute: 1e-5)
        let n = DiscreteFixture.section("klBinomial")
        let count = Tensor(Float(n["count"] as! Int))
        expectClose(try klDivergence(Binomial(count: count, probabilities: n.tensor("p")), Binomial(count: count, probabilities: n.tensor("q"))),
                    n.tensor("kl"), relative: 1e-4, absolute: 1e-5)
        #expect(KLDivergence.analytic(Binomial(count: 3, logits: [0]), Binomial(count: 4, logits: [0])) == nil)
        #expect(KLDivergence.analytic(Bernoulli(logits: [0]), Poisson(rate: [1])) == nil)
        // Extreme logits stay finite.
        let kl = try klDivergence(Bernoulli(logits: [100, -100, 100]), Bernoulli(logits: [-100, 100, 100]))
        #expect(kl.scalars.allSatisfy { $0.isFinite })
        expectClose(kl, [100, 100, 0], relative: 1e-4, absolute: 1e-4)
    }

    @Test func klAgainstMonteCarlo() throws {
        var rng = RandomGenerator(seed: 21)
        let n = 10_000
        func check(_ p: any Distribution, _ q: any Distribution, _ tag: String) {
            let analytic = try! klDivergence(p, q)
            let mc = monteCarloKLDivergence(p, q, sampleCount: n, generator: &rng)
            // Standard error of the mean of log p − log q, from the same draws.
            var g = rng
            let x = p.sample([n], generator: &g)
            let spread = (p.logProb(x) - q.logProb(x)).standardDeviation(alongAxis: 0)
            for (a, (m, s)) in zip(analytic.scalars, zip(mc.scalars, spread.scalars)) {
                #expect(Swift.abs(a - m) <= 5 * s / Float(n).squareRoot() + 1e-4, "\(tag): analytic \(a) vs Monte Carlo \(m)")
            }
        }
        check(Bernoulli(probabilities: [0.1, 0.6]), Bernoulli(probabilities: [0.3, 0.5]), "Bernoulli")
        check(Categorical(logits: [[0.5, -1, 2], [0, 0, 0]]), Categorical(logits: [[1, 1, -1], [2, 0, -1]]), "Categorical")
        check(OneHotCategorical(logits: [[0.5, -1, 2]]), OneHotCategorical(logits: [[1, 1, -1]]), "OneHotCategorical")
        check(Poisson(rate: [2.5, 30]), Poisson(rate: [4, 25]), "Poisson")
        check(Binomial(count: 10, probabilities: [0.2, 0.7]), Binomial(count: 10, probabilities: [0.4, 0.6]), "Binomial")
    }

    // MARK: - Sampling

    /// Sample mean and variance within `k` standard errors of the truth.
    func expectMoments(_ samples: Tensor, mean: Double, variance: Double, _ tag: String, k: Double = 4,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let n = Double(samples.scalarCount)
        let (m, v) = moments(samples)
        #expect(Swift.abs(m - mean) <= k * (variance / n).squareRoot(), "\(tag): mean \(m) vs \(mean)", sourceLocation: sourceLocation)
        // Var of the sample variance ≈ (μ₄ − σ⁴)/n; bound μ₄ by 3σ⁴ + σ² (Poisson/binomial excess kurtosis ≤ 1/σ²).
        let se = ((2 * variance * variance + variance) / n).squareRoot()
        #expect(Swift.abs(v - variance) <= k * se, "\(tag): variance \(v) vs \(variance)", sourceLocation: sourceLocation)
    }

    @Test func poissonSampleMoments() {
        var rng = RandomGenerator(seed: 1)
        for rate: Float in [0.3, 3.5, 9.9, 10, 47, 1000] {
            let s = Poisson(rate: Tensor(rate)).sample([20_000], generator: &rng)
            #expect(s.scalars.allSatisfy { $0 >= 0 && $0.rounded() == $0 })
            expectMoments(s, mean: Double(rate), variance: Double(rate), "Poisson \(rate)")
        }
        // Frequencies of PTRS draws against the mass function (rate 25).
        let d = Poisson(rate: Tensor(25))
        let s = d.sample([50_000], generator: &rng).scalars
        for k in [15, 20, 25, 30, 35] {
            let expected = Double(d.logProb(Tensor(Float(k))).exp().scalar)
            let frequency = Double(s.filter { $0 == Float(k) }.count) / 50_000
            #expect(Swift.abs(frequency - expected) <= 4 * (expected * (1 - expected) / 50_000).squareRoot(), "P(\(k)): \(frequency) vs \(expected)")
        }
        // Batches: shape sampleShape + batchShape.
        #expect(Poisson(rate: [1, 50]).sample([3], generator: &rng).shape == [3, 2])
    }

    @Test func binomialSampleMoments() {
        var rng = RandomGenerator(seed: 2)
        for (n, p) in [(20, 0.3), (200, 0.04), (200, 0.4), (1000, 0.9), (7, 1.0), (0, 0.5)] as [(Int, Float)] {
            let s = Binomial(count: n, probabilities: Tensor(p)).sample([20_000], generator: &rng)
            #expect(s.scalars.allSatisfy { $0 >= 0 && $0 <= Float(n) && $0.rounded() == $0 })
            let mean = Double(n) * Double(p), variance = mean * (1 - Double(p))
            if variance == 0 {
                #expect(s.scalars.allSatisfy { Double($0) == mean })
            } else {
                expectMoments(s, mean: mean, variance: variance, "Binomial(\(n), \(p))")
            }
        }
        #expect(Binomial(count: [3, 40], logits: [0, 1]).sample([5], generator: &rng).shape == [5, 2])
    }

    @Test func categoricalAndBernoulliFrequencies() {
        var rng = RandomGenerator(seed: 3)
        let c = Categorical(probabilities: [0.1, 0.2, 0.3, 0.4])
        let n = 40_000
        let s = c.sample([n], generator: &rng).scalars
        for k in 0..<4 {
            let p = Double(k + 1) / 10, f = Double(s.filter { $0 == Float(k) }.count) / Double(n)
            #expect(Swift.abs(f - p) <= 4 * (p * (1 - p) / Double(n)).squareRoot(), "category \(k): \(f) vs \(p)")
        }
        let oneHot = OneHotCategorical(probabilities: [0.1, 0.2, 0.3, 0.4]).sample([n], generator: &rng)
        #expect(oneHot.shape == [n, 4])
        expectClose(oneHot.mean(alongAxis: 0), [0.1, 0.2, 0.3, 0.4], absolute: 0.01)
        let b = Bernoulli(logits: [-1, 2]).sample([n], generator: &rng)
        expectClose(b.mean(alongAxis: 0), Tensor([-1, 2]).sigmoid(), absolute: 0.01)
    }

    @Test func samplingIsDeterministic() {
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        #expect(Poisson(rate: [3, 300]).sample([100], generator: &a).scalars == Poisson(rate: [3, 300]).sample([100], generator: &b).scalars)
        #expect(a == b)
    }

    // MARK: - Stability and gradients

    @Test func extremeLogitsAreFinite() {
        let logits: Tensor = [-100, -30, 30, 100]
        for v: Float in [0, 1] {
            #expect(Bernoulli(logits: logits).logProb(Tensor.full([4], v)).scalars.allSatisfy { $0.isFinite })
            #expect(Binomial(count: 5, logits: logits).logProb(Tensor.full([4], v * 5)).scalars.allSatisfy { $0.isFinite })
        }
        #expect(Bernoulli(logits: logits).entropy().scalars.allSatisfy { $0.isFinite })
        #expect(Categorical(logits: [[-100, 100, 0]]).logProb(IndexTensor([0])).scalars.allSatisfy { $0.isFinite })
        #expect(Categorical(logits: [[-100, 100, 0]]).entropy().scalars.allSatisfy { $0.isFinite })
        let g = gradient(at: logits) { Bernoulli(logits: $0).logProb([1, 0, 1, 0]).sum() }
        expectClose(g, Tensor([1, 0, 1, 0]) - logits.sigmoid(), absolute: 1e-6)
    }

    @Test func parameterGradients() {
        let k: Tensor = [0, 2, 5, 9]
        expectGradient(at: [Tensor([0.7, 3, 4.5, 12])]) { Poisson(rate: $0[0]).logProb(k) }
        expectGradient(at: [Tensor([0.7, 3, 4.5, 12])]) { Poisson(rate: $0[0]).entropy() }
        expectGradient(at: [Tensor([-1, 0.3, 2, -0.5])]) { Binomial(count: 10, logits: $0[0]).logProb(k) }
        expectGradient(at: [Tensor([-1, 0.3, 2, -0.5])]) { Binomial(count: 10, logits: $0[0]).cdf(k) }
        expectGradient(at: [Tensor([[0.2, -1, 1.5], [0, 0.5, 0.1]])]) { Categorical(logits: $0[0]).entropy() }
        expectGradient(at: [Tensor([[0.2, -1, 1.5], [0, 0.5, 0.1]])]) { Categorical(logits: $0[0]).logProb(IndexTensor([2, 0])) }
    }

    @Test func expandKeepsTypesAndBroadcasts() throws {
        let b: Bernoulli = Bernoulli(probabilities: [0.2, 0.7]).expand([3, 2])
        #expect(b.batchShape == [3, 2])
        expectClose(b.probabilities, Tensor([0.2, 0.7]).broadcast(to: [3, 2]))
        let c: Categorical = Categorical(logits: [0.1, 0.5, -1]).expand([4])
        #expect(c.batchShape == [4] && c.logProb(IndexTensor([0, 1, 2, 2])).shape == [4])
        let o: OneHotCategorical = OneHotCategorical(logits: [0.1, 0.5, -1]).expand([2])
        #expect(o.batchShape == [2] && o.eventShape == [3])
        let n: Binomial = Binomial(count: 5, logits: [0.3]).expand([2, 1])
        #expect(n.batchShape == [2, 1])
        let p: Poisson = Poisson(rate: [3]).expand([5])
        #expect(p.batchShape == [5])
        // Analytic KL survives expansion.
        expectClose(try klDivergence(Poisson(rate: [3]).expand([2]), Poisson(rate: [4, 5])),
                    try klDivergence(Poisson(rate: [3, 3]), Poisson(rate: [4, 5])))
        expectClose(try klDivergence(Bernoulli(logits: [0.3]), Expanded(Bernoulli(logits: [-1]), batchShape: [2])),
                    try klDivergence(Bernoulli(logits: [0.3, 0.3]), Bernoulli(logits: [-1, -1])))
    }

    // MARK: - Validation

    @Test func invalidParametersTrapWithTheMessage() async {
        func stderr(_ result: ExitTest.Result?) -> String { String(decoding: result?.standardErrorContent ?? [], as: UTF8.self) }
        var r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Bernoulli(probabilities: [0.2, 1.5])
        }
        #expect(stderr(r).contains("Bernoulli: probabilities must be in [0, 1], found 1.5 at flat index 1"), "\(stderr(r))")
        r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Poisson(rate: [-1])
        }
        #expect(stderr(r).contains("Poisson: rate must be non-negative and finite, found -1.0 at flat index 0"), "\(stderr(r))")
        r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Binomial(count: -2, logits: [0])
        }
        #expect(stderr(r).contains("Binomial: count must be a non-negative integer, found -2.0"), "\(stderr(r))")
        r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Categorical(logits: [0, 1, 2]).logProb(Tensor([3]))
        }
        #expect(stderr(r).contains("Categorical.logProb: value 3.0 at flat index 0 is not a category index in 0..<3"), "\(stderr(r))")
    }

    @Test func validationMessages() {
        #expect(throws: DistributionParameterError("Bernoulli", "probabilities must be in [0, 1], found 1.5 at flat index 1")) {
            try Bernoulli.validate(probabilities: [0.5, 1.5])
        }
        #expect(throws: DistributionParameterError("Binomial", "probabilities must be in [0, 1], found -0.25 at flat index 0")) {
            try Binomial.validate(probabilities: [-0.25])
        }
        #expect(throws: DistributionParameterError("Poisson", "rate must be non-negative and finite, found -2.0 at flat index 1")) {
            try Poisson.validate(rate: [1, -2])
        }
        #expect(throws: DistributionParameterError("Binomial", "count must be a non-negative integer, found -3.0 at flat index 0")) {
            try Binomial.validate(count: [-3])
        }
        #expect(throws: DistributionParameterError("Binomial", "count must be a non-negative integer, found 2.5 at flat index 1")) {
            try Binomial.validate(count: [1, 2.5])
        }
        #expect(throws: DistributionParameterError("Categorical", "probabilities must be non-negative and finite, found -0.1 at flat index 2")) {
            try Categorical.validate(probabilities: [0.5, 0.6, -0.1])
        }
        #expect(throws: DistributionParameterError("Categorical", "probabilities of row 1 sum to zero")) {
            try Categorical.validate(probabilities: [[1, 0], [0, 0]])
        }
        #expect(throws: ShapeError(op: "Categorical", "parameters need a non-empty last axis of categories, got shape []")) {
            try Categorical.validateShape([])
        }
        #expect(throws: DistributionParameterError("RelaxedBernoulli", "temperature must be positive, found 0.0 at flat index 0")) {
            try RelaxedBernoulli.validate(temperature: [0])
        }
        #expect(throws: DistributionParameterError("RelaxedOneHotCategorical", "temperature must be positive, found -1.0")) {
            try RelaxedOneHotCategorical.validate(temperature: Tensor(-1))
        }
        #expect(throws: DistributionParameterError("Bernoulli.logProb", "value of shape [3] does not broadcast with the distribution's batch shape [2] and event shape []")) {
            _ = try DistributionValidation.valueShape("Bernoulli.logProb", [3], batchShape: [2], eventShape: [])
        }
    }
}
