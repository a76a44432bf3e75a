import Foundation
import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

/// The Marsaglia–Tsang sampler, the incomplete gamma kernels and the implicit
/// reparameterisation derivative of Gamma samples.
@Suite struct StandardGammaTests {
    let fixture = ContinuousFixture.shared

    @Test func incompleteGammaMatchesSciPy() {
        for r in fixture.gammaSampleDerivative {
            let p = IncompleteGamma.regularizedLower(r.concentration, r.sample)
            #expect(abs(p - r.cdf) <= 1e-12 + 1e-12 * r.cdf, "P(\(r.concentration), \(r.sample)) = \(p), SciPy \(r.cdf)")
            let q = IncompleteGamma.regularizedUpper(r.concentration, r.sample)
            #expect(abs(q - (1 - r.cdf)) <= 1e-11, "Q(\(r.concentration), \(r.sample)) = \(q)")
        }
        // The op, broadcasting one concentration against several points.
        let values = regularizedGammaP(Tensor(2.5), Tensor([0, 0.5, 2.5, 9]))
        let expected = [0, 0.03743422675270363, 0.5841198130044921, 0.9970535954121197]
        expectClose(values, Tensor(expected.map { Float($0) }), relative: 2e-6, absolute: 1e-7)
    }

    @Test func sampleDerivativeMatchesMpmath() {
        #expect(fixture.gammaSampleDerivative.count >= 40)
        for r in fixture.gammaSampleDerivative {
            let d = IncompleteGamma.standardGammaSampleDerivative(r.sample, concentration: r.concentration)
            #expect(abs(d - r.derivative) <= 1e-8 * abs(r.derivative) + 1e-20,
                    "dz/dα at α = \(r.concentration), z = \(r.sample): \(d), mpmath \(r.derivative)")
        }
        let rows = fixture.gammaSampleDerivative
        let op = standardGammaSampleDerivative(Tensor(rows.map { Float($0.sample) }),
                                               concentration: Tensor(rows.map { Float($0.concentration) }))
        expectClose(op, Tensor(rows.map { Float($0.derivative) }), relative: 2e-5, absolute: 1e-30)
    }

    /// dz/dα recorded by the sampler equals −(∂P/∂α)/(∂P/∂z) computed by finite
    /// differences of the incomplete gamma function in Double, at the drawn samples.
    @Test func samplerGradientMatchesFiniteDifferencesOfTheCDF() {
        var rng = RandomGenerator(seed: 3)
        for alpha in [0.01, 0.2, 0.9, 1.0, 4.0, 80.0] as [Float] {
            let a = Tensor(repeating: alpha, shape: [64])
            var z = Tensor(0)
            let g = gradient(at: a) { a in
                z = standardGamma(concentration: a, generator: &rng)
                return z.sum()
            }
            for (zi, gi) in zip(z.scalars, g.scalars) where zi > Float.leastNormalMagnitude {
                let (x, al) = (Double(zi), Double(alpha))
                let h = 1e-5 * al
                let dPda = (IncompleteGamma.regularizedLower(al + h, x) - IncompleteGamma.regularizedLower(al - h, x)) / (2 * h)
                let density = Foundation.exp((al - 1) * Foundation.log(x) - x - Foundation.lgamma(al))
                let expected = -dPda / density
                #expect(abs(Double(gi) - expected) <= 1e-4 * abs(expected) + 1e-30,
                        "α = \(alpha), z = \(zi): gradient \(gi), finite differences \(expected)")
            }
        }
    }

    /// Mean and variance within 5 standard errors, and the empirical CDF within 5
    /// binomial standard errors of P(α, x) at the quartiles.
    @Test func samplesHaveTheGammaDistribution() {
        var rng = RandomGenerator(seed: 11)
        let n = 20_000
        for alpha in [0.05, 0.5, 1, 3.7, 50] as [Double] {
            let z = standardGamma(concentration: Tensor(repeating: Float(alpha), shape: [n]), generator: &rng)
            let xs = z.scalars.map(Double.init)
            #expect(xs.allSatisfy { $0 > 0 && $0.isFinite })
            let mean = xs.reduce(0, +) / Double(n)
            let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)
            #expect(abs(mean - alpha) <= 5 * (alpha / Double(n)).squareRoot(), "α = \(alpha): mean \(mean)")
            // Var(s²) ≈ (μ₄ − σ⁴)/n with μ₄ = 3α² + 6α for Gamma(α, 1).
            #expect(abs(variance - alpha) <= 5 * ((2 * alpha * alpha + 6 * alpha) / Double(n)).squareRoot(),
                    "α = \(alpha): variance \(variance)")
            for q in [0.25, 0.5, 0.75] {
                let x = xs.sorted()[Int(q * Double(n))]
                let f = IncompleteGamma.regularizedLower(alpha, x)
                #expect(abs(f - q) <= 5 * (q * (1 - q) / Double(n)).squareRoot() + 1.0 / Double(n),
                        "α = \(alpha): P(α, empirical \(q)-quantile) = \(f)")
            }
        }
    }

    @Test func samplingIsDeterministic() {
        var a = RandomGenerator(seed: 5), b = RandomGenerator(seed: 5)
        let alpha = Tensor([0.1, 0.5, 2, 30])
        #expect(standardGamma(concentration: alpha, generator: &a).scalars
                == standardGamma(concentration: alpha, generator: &b).scalars)
        #expect(a == b)
        var fresh = RandomGenerator(seed: 5)
        #expect(standardGamma(concentration: alpha, generator: &a).scalars
                != standardGamma(concentration: alpha, generator: &fresh).scalars)
    }

    @Test func gammaCDFGradients() {
        // ∂P/∂x is the density; ∂P/∂a through the sample derivative (first order).
        let a = Tensor([0.7, 2.0, 5.0]), x = Tensor([0.3, 1.5, 6.0])
        expectGradient(at: [a, x], tolerance: 1e-3, epsilon: 1e-3) { regularizedGammaP($0[0], $0[1]) }
        expectSecondOrderGradient(at: [x], tolerance: 5e-2, epsilon: 1e-3) { regularizedGammaP(a, $0[0]) }
        expectGradient(at: [Tensor(2.0), Tensor(1.5)], tolerance: 1e-3, epsilon: 1e-3) {
            Gamma(concentration: $0[0], rate: $0[1]).cdf(Tensor([0.1, 1, 3]))
        }
    }
}
