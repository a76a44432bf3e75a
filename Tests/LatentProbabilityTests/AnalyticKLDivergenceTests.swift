import Foundation
import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

/// Analytic KL divergences against numerical integration (SciPy) and against Monte-Carlo
/// estimates (bounded by their standard error).
@Suite struct AnalyticKLDivergenceTests {
    let fixture = ContinuousFixture.shared

    @Test func univariateMatchNumericalIntegration() throws {
        #expect(fixture.kl.count == 11)
        for c in fixture.kl {
            let kl = try klDivergence(makeUnivariate(c.distribution, c.p), makeUnivariate(c.distribution, c.q))
            #expect(kl.shape == [])
            if let expected = c.kl {
                expectClose(kl, Tensor(Float(expected)), relative: 1e-5, absolute: 2e-6, "\(c.distribution) \(c.p) ‖ \(c.q)")
            } else {
                #expect(kl.scalar == .infinity, "\(c.distribution) \(c.p) ‖ \(c.q)")
            }
        }
    }

    @Test func multivariateMatchClosedForms() throws {
        for c in fixture.klMultivariate {
            let d = c.dimension
            let kl: Tensor
            switch c.distribution {
            case "MultivariateNormal":
                func make(_ p: [String: [Double]]) -> MultivariateNormal {
                    MultivariateNormal(loc: tensor(p["loc"]!), scaleTril: tensor(p["scaleTril"]!, shape: [d, d]))
                }
                kl = try klDivergence(make(c.p), make(c.q))
            default:
                kl = try klDivergence(Dirichlet(concentration: tensor(c.p["concentration"]!)),
                                  Dirichlet(concentration: tensor(c.q["concentration"]!)))
            }
            expectClose(kl, Tensor(Float(c.kl)), relative: 1e-5, absolute: 1e-5, "\(c.distribution) d=\(d)")
        }
    }

    /// The Monte-Carlo estimate E_p[ln p − ln q] is within 5 standard errors of the
    /// analytic value, for each batch element.
    func expectMonteCarloAgreement(_ p: any Distribution, _ q: any Distribution, _ label: String, samples: Int = 20_000,
                                   seed: UInt64 = 9, sourceLocation: SourceLocation = #_sourceLocation) {
        let analytic = try! klDivergence(p, q)
        var rng = RandomGenerator(seed: seed)
        let x = p.sample([samples], generator: &rng)
        let ratios = p.logProb(x) - q.logProb(x)                       // [samples] + batch
        let mean = ratios.mean(alongAxis: 0)
        let standardError = (ratios.variance(alongAxis: 0, unbiased: true) / Float(samples)).sqrt()
        #expect(analytic.shape == mean.shape, "\(label): shapes \(analytic.shape) vs \(mean.shape)", sourceLocation: sourceLocation)
        for (a, (m, se)) in zip(analytic.scalars, zip(mean.scalars, standardError.scalars)) {
            #expect(abs(a - m) <= 5 * se + 1e-5 * abs(a), "\(label): analytic \(a), Monte Carlo \(m) ± \(se)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func analyticAgreesWithMonteCarlo() {
        expectMonteCarloAgreement(Normal(loc: Tensor([0, 1]), scale: Tensor([1, 0.5])), Normal(loc: 0.5, scale: 1.5), "Normal")
        expectMonteCarloAgreement(LogNormal(loc: 0.3, scale: 0.6), LogNormal(loc: 0, scale: 1), "LogNormal")
        expectMonteCarloAgreement(Laplace(loc: Tensor([0, 2]), scale: 1.5), Laplace(loc: 0.5, scale: 0.8), "Laplace")
        expectMonteCarloAgreement(Exponential(rate: Tensor([0.5, 3])), Exponential(rate: 1.2), "Exponential")
        expectMonteCarloAgreement(Uniform(low: 0.2, high: 0.7), Uniform(low: 0, high: 2), "Uniform")
        expectMonteCarloAgreement(Gamma(concentration: Tensor([0.5, 4]), rate: 2), Gamma(concentration: 1.5, rate: 1), "Gamma")
        expectMonteCarloAgreement(Beta(concentration1: Tensor([0.7, 3]), concentration0: 2),
                                  Beta(concentration1: 1.5, concentration0: 0.9), "Beta")
        expectMonteCarloAgreement(Dirichlet(concentration: Tensor([[0.5, 1, 2], [3, 3, 1]])),
                                  Dirichlet(concentration: Tensor([1, 2, 1])), "Dirichlet")
        let p = MultivariateNormal(loc: Tensor([0.5, -1]), scaleTril: Tensor([[1, 0], [0.6, 0.7]]))
        let q = MultivariateNormal(loc: Tensor([0, 0]), covariance: Tensor([[2, 0.3], [0.3, 1]]))
        expectMonteCarloAgreement(p, q, "MultivariateNormal")
        let lowRank = LowRankMultivariateNormal(loc: Tensor([0.2, 0.1]), covarianceFactor: Tensor([[0.8], [-0.5]]),
                                                covarianceDiagonal: Tensor([0.4, 0.9]))
        expectMonteCarloAgreement(lowRank, q, "LowRank ‖ MVN")
        expectMonteCarloAgreement(p, lowRank, "MVN ‖ LowRank")
        expectMonteCarloAgreement(lowRank.expand([3]), LowRankMultivariateNormal(loc: Tensor([0, 1]), covarianceFactor: Tensor([[0.3], [0.6]]), covarianceDiagonal: Tensor([1, 0.5])), "LowRank ‖ LowRank")
    }

    @Test func independentAndExpandedKL() throws {
        let p = Normal(loc: Tensor([[0, 1, 2], [1, 1, 1]]), scale: Tensor([0.5, 1, 2]))
        let q = Normal(loc: 0.5, scale: 1.2).expand([2, 3])
        let elementwise = try klDivergence(p, q)
        #expect(elementwise.shape == [2, 3])
        let independent = try klDivergence(p.independent(reinterpretedBatchDimensions: 1), q.independent(reinterpretedBatchDimensions: 1))
        expectClose(independent, elementwise.sum(alongAxis: -1))
        let both = try klDivergence(p.independent(reinterpretedBatchDimensions: 2), q.independent(reinterpretedBatchDimensions: 2))
        expectClose(both, elementwise.sum())
        expectMonteCarloAgreement(p.independent(reinterpretedBatchDimensions: 1), q.independent(reinterpretedBatchDimensions: 1),
                                  "Independent")
        // The generic Expanded wrapper on either side.
        let wrapped = Expanded(Normal(loc: 0.5, scale: 1.2), batchShape: [2, 3])
        expectClose(try klDivergence(p, wrapped), elementwise)
        expectClose(try klDivergence(Expanded(Normal(loc: 0.5, scale: 1.2), batchShape: [4, 2, 3]), p),
                    try klDivergence(Normal(loc: 0.5, scale: 1.2), p).broadcast(to: [4, 2, 3]))
        // Independent over a type-erased expansion (a VAE prior of the usual form).
        let prior = Expanded(Normal(loc: 0, scale: 1), batchShape: [2, 3]).independent(reinterpretedBatchDimensions: 1)
        expectClose(try klDivergence(p.independent(reinterpretedBatchDimensions: 1), prior),
                    try klDivergence(p, Normal(loc: 0, scale: 1)).sum(alongAxis: -1))
    }

    @Test func gradientsOfAnalyticKL() {
        // Closed forms are differentiable; compare with central differences.
        expectGradient(at: [Tensor([0.3, -1]), Tensor([0.5, 2])], tolerance: 1e-2, epsilon: 1e-3) {
            try! klDivergence(Normal(loc: $0[0], scale: $0[1]), Normal(loc: 0, scale: 1))
        }
        expectGradient(at: [Tensor([0.7, 3]), Tensor([1.5, 0.4])], tolerance: 1e-2, epsilon: 1e-3) {
            try! klDivergence(Gamma(concentration: $0[0], rate: $0[1]), Gamma(concentration: 2, rate: 1))
        }
        expectGradient(at: [Tensor([0.6, 2, 1.1])], tolerance: 1e-2, epsilon: 1e-3) {
            try! klDivergence(Dirichlet(concentration: $0[0]), Dirichlet(concentration: Tensor([1, 1, 1])))
        }
        expectGradient(at: [Tensor([0.5, -1]), Tensor([[1, 0], [0.6, 0.7]])], tolerance: 1e-2, epsilon: 1e-3) {
            try! klDivergence(MultivariateNormal(loc: $0[0], scaleTril: $0[1].lowerTriangular()),
                         MultivariateNormal(loc: Tensor([0, 0]), scaleTril: Tensor([[1.5, 0], [0.2, 1]])))
        }
    }

    @Test func userRegisteredRule() throws {
        KLDivergence.register(Exponential.self, Gamma.self) { p, q in
            // Exponential(λ) = Gamma(1, λ).
            try! klDivergence(Gamma(concentration: Tensor(repeating: 1, shape: p.batchShape), rate: p.rate), q)
        }
        let kl = try klDivergence(Exponential(rate: 2), Gamma(concentration: 1.5, rate: 1))
        expectClose(kl, try klDivergence(Gamma(concentration: 1, rate: 2), Gamma(concentration: 1.5, rate: 1)))
    }
}
