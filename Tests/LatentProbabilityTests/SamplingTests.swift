import Foundation
import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

/// Sample statistics against the distributions' own moments and CDFs, with bounds of
/// five standard errors (fixed seeds, so the tests are deterministic).
@Suite struct SamplingTests {
    static let n = 20_000

    struct Statistics {
        var mean: Double, variance: Double, meanError: Double, varianceError: Double
        init(_ xs: [Double]) {
            let n = Double(xs.count)
            mean = xs.reduce(0, +) / n
            let m = mean
            let squares = xs.map { ($0 - m) * ($0 - m) }
            variance = squares.reduce(0, +) / (n - 1)
            let v = variance
            meanError = (variance / n).squareRoot()
            // SE of the sample variance from the spread of the squared deviations.
            varianceError = (squares.map { ($0 - v) * ($0 - v) }.reduce(0, +) / (n - 1) / n).squareRoot()
        }
    }

    /// Mean and variance within 5 standard errors (when finite), and the empirical
    /// quartiles within 5 binomial standard errors of the CDF (when there is one).
    func check(_ d: any Distribution, _ label: String, moments: Bool = true, quantiles: Bool = true,
               seed: UInt64 = 1, sourceLocation: SourceLocation = #_sourceLocation) {
        var rng = RandomGenerator(seed: seed)
        let x = d.sample([Self.n], generator: &rng)
        #expect(x.shape == [Self.n], sourceLocation: sourceLocation)
        let xs = x.scalars.map(Double.init)
        #expect(xs.allSatisfy { $0.isFinite }, "\(label): non-finite samples", sourceLocation: sourceLocation)
        if moments {
            let s = Statistics(xs)
            let mean = Double(d.mean.scalar), variance = Double(d.variance.scalar)
            #expect(abs(s.mean - mean) <= 5 * s.meanError, "\(label): mean \(s.mean) ± \(s.meanError), expected \(mean)",
                    sourceLocation: sourceLocation)
            #expect(abs(s.variance - variance) <= 5 * s.varianceError,
                    "\(label): variance \(s.variance) ± \(s.varianceError), expected \(variance)", sourceLocation: sourceLocation)
        }
        if quantiles {
            let sorted = xs.sorted()
            for q in [0.1, 0.25, 0.5, 0.75, 0.9] {
                let f = Double(d.cdf(Tensor(Float(sorted[Int(q * Double(Self.n))]))).scalar)
                #expect(abs(f - q) <= 5 * (q * (1 - q) / Double(Self.n)).squareRoot() + 2 / Double(Self.n),
                        "\(label): CDF at the empirical \(q)-quantile is \(f)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func univariateSamples() {
        check(Normal(loc: 1.5, scale: 0.3), "Normal")
        check(LogNormal(loc: 0.2, scale: 0.5), "LogNormal")
        check(Uniform(low: -2, high: 5), "Uniform")
        check(Laplace(loc: -1, scale: 2), "Laplace")
        check(Logistic(loc: 0.5, scale: 1.5), "Logistic")
        check(Cauchy(loc: 2, scale: 0.5), "Cauchy", moments: false)
        check(StudentT(degreesOfFreedom: 12, loc: 1, scale: 2), "StudentT", quantiles: false)
        check(StudentT(degreesOfFreedom: 1.5), "StudentT heavy", moments: false, quantiles: false)
        check(Exponential(rate: 0.7), "Exponential")
        check(Gamma(concentration: 0.3, rate: 2), "Gamma small")
        check(Gamma(concentration: 6, rate: 0.5), "Gamma")
        check(Beta(concentration1: 0.4, concentration0: 0.6), "Beta small", quantiles: false)
        check(Beta(concentration1: 5, concentration0: 2), "Beta", quantiles: false)
    }

    @Test func studentTQuantilesMatchTheDensity() {
        // No closed-form CDF: compare the empirical median and quartiles of the
        // standardised samples with the t(3) quartiles (scipy.stats.t(3).ppf(0.75) = 0.7648923).
        var rng = RandomGenerator(seed: 2)
        let d = StudentT(degreesOfFreedom: 3, loc: 1, scale: 2)
        let z = ((d.sample([Self.n], generator: &rng) - 1) / 2).scalars.sorted()
        let q75: Float = 0.7648923, density75: Float = 0.25737661   // t(3) density at its 0.75 quantile
        let error = 5 * (0.75 * 0.25 / Float(Self.n)).squareRoot() / density75
        #expect(abs(z[3 * Self.n / 4] - q75) <= error)
        #expect(abs(z[Self.n / 4] + q75) <= error)
        #expect(abs(z[Self.n / 2]) <= 5 * (0.25 / Float(Self.n)).squareRoot() / 0.3675)
    }

    @Test func multivariateSamples() {
        var rng = RandomGenerator(seed: 3)
        let scaleTril = Tensor([[1.0, 0, 0], [0.5, 0.8, 0], [-0.3, 0.4, 0.6]])
        let mvn = MultivariateNormal(loc: Tensor([1, -1, 0.5]), scaleTril: scaleTril)
        let lowRank = LowRankMultivariateNormal(loc: Tensor([0, 2, -1]), covarianceFactor: Tensor([[1, 0.2], [0.5, -0.4], [0, 1]]),
                                                covarianceDiagonal: Tensor([0.5, 0.3, 0.8]))
        for (d, covariance, label) in [(mvn as any Distribution, mvn.covariance, "MVN"),
                                       (lowRank, lowRank.covariance, "LowRankMVN")] {
            let x = d.sample([Self.n], generator: &rng)
            #expect(x.shape == [Self.n, 3])
            let mean = x.mean(alongAxis: 0)
            let centred = x - mean
            let sampleCovariance = matmul(centred.transposed(), centred) / Float(Self.n - 1)
            let c = covariance.array2D, s = sampleCovariance.array2D, m = mean.scalars, mu = d.mean.scalars
            for i in 0..<3 {
                #expect(abs(m[i] - mu[i]) <= 5 * (c[i][i] / Float(Self.n)).squareRoot(), "\(label) mean \(i)")
                for j in 0..<3 {
                    let se = ((c[i][i] * c[j][j] + c[i][j] * c[i][j]) / Float(Self.n)).squareRoot()
                    #expect(abs(s[i][j] - c[i][j]) <= 5 * se, "\(label) covariance [\(i), \(j)]: \(s[i][j]) vs \(c[i][j])")
                }
            }
        }
    }

    @Test func dirichletSamples() {
        var rng = RandomGenerator(seed: 4)
        let d = Dirichlet(concentration: Tensor([0.3, 2, 5]))
        let x = d.sample([Self.n], generator: &rng)
        #expect(x.shape == [Self.n, 3])
        expectClose(x.sum(alongAxis: -1), Tensor(repeating: 1, shape: [Self.n]), relative: 1e-5)
        #expect(x.scalars.allSatisfy { $0 > 0 && $0 <= 1 })
        for k in 0..<3 {
            let s = Statistics(x.sliced(alongAxis: 1, range: k..<(k + 1)).scalars.map(Double.init))
            let mean = Double(d.mean.scalars[k]), variance = Double(d.variance.scalars[k])
            #expect(abs(s.mean - mean) <= 5 * s.meanError, "component \(k): mean \(s.mean) vs \(mean)")
            #expect(abs(s.variance - variance) <= 5 * s.varianceError, "component \(k): variance \(s.variance) vs \(variance)")
        }
        #expect(d.logProb(x).scalars.allSatisfy { $0.isFinite })
    }

    @Test func expandedSamplesAreIndependentAlongNewDimensions() {
        var rng = RandomGenerator(seed: 5)
        // A size-1 batch dimension enlarged, plus a new leading dimension.
        let base = Normal(loc: Tensor(shape: [1, 2], scalars: [0, 10]), scale: Tensor(shape: [1, 2], scalars: [1, 0.1]))
        let expanded = Expanded(base, batchShape: [3, 4, 2])
        let x = expanded.sample([500], generator: &rng)
        #expect(x.shape == [500, 3, 4, 2])
        // Column 1 has mean 10 and sd 0.1; column 0 mean 0 and sd 1: the parameters follow the last axis.
        let columnMeans = x.mean(alongAxes: [0, 1, 2]).scalars
        #expect(abs(columnMeans[0]) < 0.1 && abs(columnMeans[1] - 10) < 0.01)
        // Draws differ along the new dimensions and are uncorrelated.
        let a = x.sliced([.range(0..<500), .index(0), .index(0), .index(0)]).scalars
        let b = x.sliced([.range(0..<500), .index(2), .index(3), .index(0)]).scalars
        #expect(a != b)
        let correlation = zip(a, b).map { $0 * $1 }.reduce(Float(0), +) / 500
        #expect(abs(correlation) < 5 / Float(500).squareRoot())
        // The per-type expansion keeps the type and also gives independent draws.
        let typed = base.expand([3, 4, 2])
        let y = typed.sample([2], generator: &rng)
        #expect(y.shape == [2, 3, 4, 2])
        #expect(y.sliced([.index(0), .index(0), .index(0), .index(0)]).scalar
                != y.sliced([.index(0), .index(1), .index(0), .index(0)]).scalar)
    }
}
