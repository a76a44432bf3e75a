import Foundation
import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

/// Densities, CDFs, quantiles and moments against SciPy.
@Suite struct ContinuousDistributionTests {
    let fixture = ContinuousFixture.shared

    /// Absolute tolerance for log densities: Float rounding of the largest term involved
    /// (e.g. ln Γ(200) ≈ 857 in a Gamma log-density of order −3).
    func logProbTolerance(_ c: ContinuousFixture.Univariate) -> Float {
        switch c.distribution {
        case "Gamma", "Beta": return 2e-4
        case "StudentT": return 3e-5
        default: return 2e-5
        }
    }

    @Test func univariateLogProbMatchesSciPy() {
        #expect(fixture.univariate.count == 28 && fixture.multivariate.count == 5)
        for c in fixture.univariate {
            let d = makeUnivariate(c.distribution, c.parameters)
            let lp = d.logProb(tensor(c.x))
            #expect(lp.scalars.allSatisfy { !$0.isNaN }, "\(c.distribution) \(c.parameters)")
            expectClose(lp, tensor(c.logProb, infinity: -.infinity), relative: 1e-5, absolute: logProbTolerance(c),
                        "\(c.distribution) \(c.parameters) logProb")
        }
    }

    @Test func univariateMomentsAndEntropyMatchSciPy() {
        for c in fixture.univariate {
            let d = makeUnivariate(c.distribution, c.parameters)
            let label = "\(c.distribution) \(c.parameters)"
            expectClose(d.entropy(), Tensor(Float(c.entropy!)), relative: 1e-5, absolute: 3e-5, "\(label) entropy")
            if let m = c.mean {
                expectClose(d.mean, Tensor(Float(m)), relative: 1e-5, absolute: 1e-6, "\(label) mean")
            } else {
                #expect(d.mean.scalar.isNaN, "\(label) mean")
            }
            if let v = c.variance {
                expectClose(d.variance, Tensor(Float(v)), relative: 1e-5, absolute: 1e-6, "\(label) variance")
            } else if c.distribution == "Cauchy" || c.parameters["degreesOfFreedom"].map({ $0 > 1 }) == true {
                #expect(d.variance.scalar == .infinity, "\(label) variance")
            } else {
                #expect(d.variance.scalar.isNaN, "\(label) variance")
            }
        }
    }

    @Test func univariateCDFMatchesSciPy() {
        for c in fixture.univariate {
            guard let expected = c.cdf else { continue }
            let d = makeUnivariate(c.distribution, c.parameters)
            // Relative accuracy in the lower tail: 1e-5 relative (2e-5 for the incomplete gamma).
            expectClose(d.cdf(tensor(c.x)), tensor(expected, infinity: .nan), relative: 2e-5, absolute: 1e-30,
                        "\(c.distribution) \(c.parameters) cdf")
        }
    }

    @Test func normalLogCDFMatchesSciPyFarInTheTail() {
        for c in fixture.univariate where c.distribution == "Normal" {
            let d = Normal(loc: Tensor(Float(c.parameters["loc"]!)), scale: Tensor(Float(c.parameters["scale"]!)))
            let value = d.logCDF(tensor(c.x))
            #expect(value.scalars.allSatisfy { $0.isFinite })
            expectClose(value, tensor(c.logCDF!, infinity: -.infinity), relative: 2e-6, absolute: 1e-7, "\(c.parameters)")
        }
    }

    @Test func univariateICDFMatchesSciPy() {
        for c in fixture.univariate {
            guard let p = c.probabilities, let expected = c.icdf else { continue }
            let d = makeUnivariate(c.distribution, c.parameters)
            // Float parameters: relative 1e-5 of |x| plus the location's rounding.
            expectClose(d.icdf(tensor(p)), tensor(expected, infinity: .infinity), relative: 2e-5, absolute: 2e-5,
                        "\(c.distribution) \(c.parameters) icdf")
        }
    }

    @Test func cdfInvertsICDF() {
        let p = Tensor([0.001, 0.2, 0.5, 0.77, 0.999])
        let distributions: [any Distribution] = [
            Normal(loc: 1, scale: 2), LogNormal(loc: 0.5, scale: 0.4), Uniform(low: -1, high: 3),
            Laplace(loc: 0, scale: 2), Logistic(loc: 1, scale: 0.5), Cauchy(loc: -1, scale: 3), Exponential(rate: 1.5),
        ]
        for d in distributions {
            expectClose(d.cdf(d.icdf(p)), p, relative: 1e-4, absolute: 1e-6, "\(type(of: d))")
        }
    }

    @Test func multivariateMatchSciPy() {
        for c in fixture.multivariate {
            let d = c.dimension
            let x = tensor(c.x, shape: [c.x.count / d, d])
            let label = "\(c.distribution) d=\(d)"
            switch c.distribution {
            case "MultivariateNormal":
                let loc = tensor(c.parameters["loc"]!)
                let scaleTril = tensor(c.parameters["scaleTril"]!, shape: [d, d])
                let covariance = tensor(c.covariance!, shape: [d, d])
                let precision = tensor(c.precision!, shape: [d, d])
                for m in [MultivariateNormal(loc: loc, scaleTril: scaleTril),
                          MultivariateNormal(loc: loc, covariance: covariance),
                          MultivariateNormal(loc: loc, precision: precision)] {
                    expectClose(m.logProb(x), tensor(c.logProb), relative: 1e-5, absolute: 1e-4, "\(label) logProb")
                    expectClose(m.entropy(), Tensor(Float(c.entropy)), relative: 1e-5, absolute: 1e-5, "\(label) entropy")
                    expectClose(m.covariance, covariance, relative: 1e-5, absolute: 1e-5, "\(label) covariance")
                    expectClose(m.precision, precision, relative: 1e-4, absolute: 1e-4, "\(label) precision")
                    expectClose(m.variance, covariance.diagonal(), relative: 1e-5, absolute: 1e-5, "\(label) variance")
                }
            case "LowRankMultivariateNormal":
                let m = LowRankMultivariateNormal(
                    loc: tensor(c.parameters["loc"]!), covarianceFactor: tensor(c.parameters["covarianceFactor"]!, shape: [d, c.rank!]),
                    covarianceDiagonal: tensor(c.parameters["covarianceDiagonal"]!))
                let covariance = tensor(c.covariance!, shape: [d, d])
                expectClose(m.logProb(x), tensor(c.logProb), relative: 1e-5, absolute: 1e-4, "\(label) logProb")
                expectClose(m.entropy(), Tensor(Float(c.entropy)), relative: 1e-5, absolute: 1e-5, "\(label) entropy")
                expectClose(m.covariance, covariance, relative: 1e-5, absolute: 1e-5, "\(label) covariance")
                expectClose(m.variance, covariance.diagonal(), relative: 1e-5, absolute: 1e-5, "\(label) variance")
                expectClose(m.multivariateNormal.logProb(x), tensor(c.logProb), relative: 1e-5, absolute: 1e-4, "\(label) dense")
            case "Dirichlet":
                let m = Dirichlet(concentration: tensor(c.parameters["concentration"]!))
                expectClose(m.logProb(x), tensor(c.logProb), relative: 1e-5, absolute: 1e-4, "\(label) logProb")
                expectClose(m.entropy(), Tensor(Float(c.entropy)), relative: 1e-5, absolute: 1e-5, "\(label) entropy")
                expectClose(m.mean, tensor(c.mean!), relative: 1e-5, absolute: 1e-6, "\(label) mean")
                expectClose(m.variance, tensor(c.variance!), relative: 1e-5, absolute: 1e-6, "\(label) variance")
            default:
                Issue.record("unknown \(c.distribution)")
            }
        }
    }

    @Test func batchedParametersBroadcast() {
        // One Normal per (row, column), points broadcast against the batch.
        let d = Normal(loc: Tensor(shape: [2, 1], scalars: [0, 1]), scale: Tensor([1, 2, 3]))
        #expect(d.batchShape == [2, 3])
        let x = Tensor(shape: [4, 1, 1], scalars: [0, 1, 2, 3])
        let lp = d.logProb(x)
        #expect(lp.shape == [4, 2, 3])
        let single = Normal(loc: 1, scale: 3).logProb(Tensor(2))
        expectClose(Tensor(lp[element: [2, 1, 2]]), single)
        var rng = RandomGenerator(seed: 1)
        #expect(d.sample([5], generator: &rng).shape == [5, 2, 3])
        let mvn = MultivariateNormal(loc: Tensor(shape: [4, 1, 2], scalars: Array(repeating: 0, count: 8)),
                                     scaleTril: Tensor.eye(2).broadcast(to: [3, 2, 2]))
        #expect(mvn.batchShape == [4, 3] && mvn.eventShape == [2])
        #expect(mvn.rsample([5], generator: &rng).shape == [5, 4, 3, 2])
        #expect(mvn.logProb(Tensor(repeating: 0, shape: [2])).shape == [4, 3])
        let dirichlet = Dirichlet(concentration: Tensor(repeating: 2, shape: [3, 4]))
        #expect(dirichlet.batchShape == [3] && dirichlet.eventShape == [4])
        #expect(dirichlet.logProb(Tensor(repeating: 0.25, shape: [6, 1, 4])).shape == [6, 3])
    }
}
