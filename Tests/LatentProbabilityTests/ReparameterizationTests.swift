import Foundation
import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

/// Gradients of reparameterised samples.
///
/// Explicit reparameterisations (x = g(θ, ε)) are checked with common random numbers: the
/// Monte-Carlo average of f(x) with the same seed is a deterministic function of θ, so its
/// autodiff gradient must match its central differences. Implicit ones (Gamma, Beta,
/// Dirichlet and Student's t through its χ²) change the sample with θ at a fixed
/// quantile, not at fixed random bits, so they are checked in expectation: the mean of
/// per-sample gradients of f(x) must be within a few standard errors of the analytic
/// d/dθ E[f(x)].
@Suite struct ReparameterizationTests {
    /// d/dθ of (1/n) Σ f(xᵢ), xᵢ = rsample with a fixed seed, against central differences.
    func expectPathwiseGradient(_ parameters: [Tensor], samples: Int = 256, tolerance: Double = 1e-2,
                                _ label: String, sourceLocation: SourceLocation = #_sourceLocation,
                                f: @escaping (Tensor) -> Tensor = { $0.sin() },
                                _ make: @escaping ([Tensor]) -> any Distribution) {
        expectGradient(at: parameters, tolerance: tolerance, epsilon: 1e-3, label, sourceLocation: sourceLocation) { ps in
            var g = RandomGenerator(seed: 17)
            return f(make(ps).rsample([samples], generator: &g)).mean(alongAxis: 0)
        }
    }

    @Test func explicitReparameterisations() {
        expectPathwiseGradient([Tensor([0.3, -1]), Tensor([0.5, 2])], "Normal") { Normal(loc: $0[0], scale: $0[1]) }
        expectPathwiseGradient([Tensor(0.2), Tensor(0.4)], "LogNormal") { LogNormal(loc: $0[0], scale: $0[1]) }
        expectPathwiseGradient([Tensor(-1), Tensor(2)], "Uniform") { Uniform(low: $0[0], high: $0[1]) }
        expectPathwiseGradient([Tensor(0.5), Tensor(1.3)], "Laplace") { Laplace(loc: $0[0], scale: $0[1]) }
        expectPathwiseGradient([Tensor(0.5), Tensor(0.7)], "Logistic") { Logistic(loc: $0[0], scale: $0[1]) }
        expectPathwiseGradient([Tensor(0.2), Tensor(0.5)], "Cauchy") { Cauchy(loc: $0[0], scale: $0[1]) }
        expectPathwiseGradient([Tensor([1.7, 0.4])], "Exponential") { Exponential(rate: $0[0]) }
        expectPathwiseGradient([Tensor(0.3), Tensor(1.5)], "StudentT loc, scale") {
            StudentT(degreesOfFreedom: 4, loc: $0[0], scale: $0[1])
        }
        expectPathwiseGradient([Tensor([0.1, -0.4]), Tensor([[1.1, 0], [0.6, 0.7]])], "MultivariateNormal",
                               f: { $0.sin().sum(alongAxis: -1) }) {
            MultivariateNormal(loc: $0[0], scaleTril: $0[1].lowerTriangular())
        }
        expectPathwiseGradient([Tensor([0.1, -0.4, 0.2]), Tensor([[0.5], [-0.3], [0.8]]), Tensor([0.4, 1.2, 0.7])],
                               "LowRankMultivariateNormal", f: { $0.sin().sum(alongAxis: -1) }) {
            LowRankMultivariateNormal(loc: $0[0], covarianceFactor: $0[1], covarianceDiagonal: $0[2])
        }
        expectPathwiseGradient([Tensor([0.3, -1]), Tensor([0.5, 2])], "Independent Normal",
                               f: { $0.sin().sum(alongAxis: -1) }) {
            Normal(loc: $0[0], scale: $0[1]).independent(reinterpretedBatchDimensions: 1)
        }
        expectPathwiseGradient([Tensor([0.3, -1]), Tensor([0.5, 2])], "Expanded Normal",
                               f: { $0.sin().sum(alongAxis: -1) }) {
            Expanded(Normal(loc: $0[0], scale: $0[1]), batchShape: [3, 2])
        }
    }

    /// Per-sample gradients (one parameter copy per sample) of f(x): their mean is within
    /// 5 standard errors of `expected`.
    func expectGradientInExpectation(_ label: String, gradients: Tensor, expected: Double,
                                     sourceLocation: SourceLocation = #_sourceLocation) {
        let g = gradients.scalars.map(Double.init)
        let n = Double(g.count)
        let mean = g.reduce(0, +) / n
        let sd = (g.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot()
        #expect(g.allSatisfy { $0.isFinite }, "\(label): non-finite gradients", sourceLocation: sourceLocation)
        #expect(abs(mean - expected) <= 5 * sd / n.squareRoot() + 1e-6,
                "\(label): mean gradient \(mean) ± \(sd / n.squareRoot()), expected \(expected)", sourceLocation: sourceLocation)
    }

    @Test func gammaImplicitGradientsInExpectation() {
        var rng = RandomGenerator(seed: 21)
        let n = 4000
        for alpha in [0.3, 2.5] {
            let beta: Float = 1.7
            let a = Tensor(repeating: Float(alpha), shape: [n])
            let rate = Tensor(repeating: beta, shape: [n])
            // E[x] = α/β: ∂/∂α = 1/β, ∂/∂β = −α/β².
            let (ga, gb) = gradients(a, rate) { a, b in Gamma(concentration: a, rate: b).rsample(generator: &rng) }
            expectGradientInExpectation("Gamma(\(alpha)) E[x] wrt α", gradients: ga, expected: 1 / Double(beta))
            expectGradientInExpectation("Gamma(\(alpha)) E[x] wrt β", gradients: gb, expected: -alpha / Double(beta * beta))
            // E[ln x] = ψ(α) − ln β: ∂/∂α = ψ′(α).
            let gl = gradient(at: a) { Gamma(concentration: $0, rate: rate).rsample(generator: &rng).log().sum() }
            expectGradientInExpectation("Gamma(\(alpha)) E[ln x] wrt α", gradients: gl,
                                        expected: GammaFunctions.polygamma(1, alpha))
        }
    }

    @Test func betaImplicitGradientsInExpectation() {
        var rng = RandomGenerator(seed: 22)
        let n = 4000
        for (a, b) in [(0.5, 0.8), (3.0, 1.5)] {
            let ta = Tensor(repeating: Float(a), shape: [n]), tb = Tensor(repeating: Float(b), shape: [n])
            let (ga, gb) = gradients(ta, tb) { x, y in
                Beta(concentration1: x, concentration0: y).rsample(generator: &rng)
            }
            // E[x] = a/(a + b).
            expectGradientInExpectation("Beta(\(a), \(b)) wrt a", gradients: ga, expected: b / ((a + b) * (a + b)))
            expectGradientInExpectation("Beta(\(a), \(b)) wrt b", gradients: gb, expected: -a / ((a + b) * (a + b)))
        }
    }

    @Test func dirichletImplicitGradientsInExpectation() {
        var rng = RandomGenerator(seed: 23)
        let n = 4000
        let alpha: [Double] = [0.4, 1.5, 3.0]
        let weights: [Float] = [1, -2, 0.5]
        let a = Tensor(shape: [1, 3], scalars: alpha.map(Float.init)).broadcast(to: [n, 3]).detached()
        let g = gradient(at: a) { a in
            (Dirichlet(concentration: a).rsample(generator: &rng) * Tensor(weights)).sum()
        }
        // E[Σ wᵢxᵢ] = Σ wᵢαᵢ/α₀: ∂/∂αⱼ = wⱼ/α₀ − Σ wᵢαᵢ/α₀².
        let total = alpha.reduce(0, +)
        let weighted = zip(weights, alpha).map { Double($0) * $1 }.reduce(0, +)
        for j in 0..<3 {
            expectGradientInExpectation("Dirichlet wrt α\(j)", gradients: g.sliced(alongAxis: 1, range: j..<(j + 1)),
                                        expected: Double(weights[j]) / total - weighted / (total * total))
        }
    }

    @Test func studentTDegreesOfFreedomGradientInExpectation() {
        var rng = RandomGenerator(seed: 24)
        let n = 8000
        let nu = 10.0
        let g = gradient(at: Tensor(repeating: Float(nu), shape: [n])) {
            StudentT(degreesOfFreedom: $0).rsample(generator: &rng).square().sum()
        }
        // E[x²] = ν/(ν − 2): ∂/∂ν = −2/(ν − 2)².
        expectGradientInExpectation("StudentT E[x²] wrt ν", gradients: g, expected: -2 / ((nu - 2) * (nu - 2)))
    }

    /// Gradients of `f(a, b).sum()` with respect to both.
    func gradients(_ a: Tensor, _ b: Tensor, _ f: (Tensor, Tensor) -> Tensor) -> (Tensor, Tensor) {
        let g = gradient(at: [a, b]) { f($0[0], $0[1]).sum() }
        return (g[0], g[1])
    }
}
