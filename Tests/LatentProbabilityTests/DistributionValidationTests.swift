import Foundation
import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

/// Parameter and value validation messages, traps, and behaviour at extreme inputs.
@Suite struct DistributionValidationTests {
    func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch let error as DistributionParameterError {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func parameterMessagesNameDistributionAndParameter() {
        #expect(message { _ = try Normal.validate(loc: Tensor(0), scale: Tensor(-1)) }
                == "Normal: scale must be positive, found -1.0")
        #expect(message { _ = try Normal.validate(loc: Tensor([0, 0, 0]), scale: Tensor([1, 0, 2])) }
                == "Normal: scale must be positive, found 0.0 at flat index 1")
        #expect(message { _ = try Normal.validate(loc: Tensor([0, 1]), scale: Tensor([1, 2, 3])) }
                == "Normal: parameter shapes do not broadcast: loc [2], scale [3]")
        #expect(message { _ = try Normal.validate(loc: Tensor(.nan), scale: Tensor(1)) }
                == "Normal: loc must be a number (not NaN), found nan")
        #expect(message { _ = try LogNormal.validate(loc: Tensor(0), scale: Tensor(.infinity)) }
                == "LogNormal: scale must be positive, found inf")
        #expect(message { _ = try Uniform.validate(low: Tensor([0, 2]), high: Tensor([1, 1])) }
                == "Uniform: low must be less than high, found low 2.0 and high 1.0 at flat index 1")
        #expect(message { _ = try Laplace.validate(loc: Tensor(0), scale: Tensor(0)) } == "Laplace: scale must be positive, found 0.0")
        #expect(message { _ = try Logistic.validate(loc: Tensor(0), scale: Tensor(-2)) } == "Logistic: scale must be positive, found -2.0")
        #expect(message { _ = try Cauchy.validate(loc: Tensor(0), scale: Tensor(-2)) } == "Cauchy: scale must be positive, found -2.0")
        #expect(message { _ = try StudentT.validate(degreesOfFreedom: Tensor(0), loc: Tensor(0), scale: Tensor(1)) }
                == "StudentT: degreesOfFreedom must be positive, found 0.0")
        #expect(message { try Exponential.validate(rate: Tensor([1, -1])) }
                == "Exponential: rate must be positive, found -1.0 at flat index 1")
        #expect(message { _ = try Gamma.validate(concentration: Tensor(0), rate: Tensor(1)) }
                == "Gamma: concentration must be positive, found 0.0")
        #expect(message { _ = try Gamma.validate(concentration: Tensor([1, 2]), rate: Tensor([1, 2, 3])) }
                == "Gamma: parameter shapes do not broadcast: concentration [2], rate [3]")
        #expect(message { _ = try Beta.validate(concentration1: Tensor(1), concentration0: Tensor(.nan)) }
                == "Beta: concentration0 must be positive, found nan")
        #expect(message { try Dirichlet.validate(concentration: Tensor(1)) }
                == "Dirichlet: concentration must be a tensor of at least one dimension with a non-empty last axis, got shape []")
        #expect(message { try Dirichlet.validate(concentration: Tensor([1, -0.5])) }
                == "Dirichlet: concentration must be positive, found -0.5 at flat index 1")
    }

    @Test func multivariateParameterMessages() {
        #expect(message { _ = try MultivariateNormal.validate(loc: Tensor([0, 0]), scaleTril: Tensor([[1, 0.5], [0.2, 1]])) }
                == "MultivariateNormal: scaleTril must be lower triangular, found 0.5 at [0, 1] of matrix 0")
        #expect(message { _ = try MultivariateNormal.validate(loc: Tensor([0, 0]), scaleTril: Tensor([[1, 0], [0.2, -1]])) }
                == "MultivariateNormal: scaleTril must have a positive diagonal, found -1.0 at [1, 1] of matrix 0")
        #expect(message { _ = try MultivariateNormal.validate(loc: Tensor([0, 0, 0]), scaleTril: Tensor.eye(2)) }
                == "MultivariateNormal: scaleTril must have shape [..., 3, 3] to match loc [3], got [2, 2]")
        #expect(message { _ = try MultivariateNormal.validate(loc: Tensor(repeating: 0, shape: [2, 3]),
                                                              scaleTril: Tensor.eye(3).broadcast(to: [4, 3, 3])) }
                == "MultivariateNormal: parameter shapes do not broadcast: loc batch [2], scaleTril batch [4]")
        #expect(message { _ = try LowRankMultivariateNormal.validate(loc: Tensor([0, 0]), covarianceFactor: Tensor([[1], [1]]),
                                                                     covarianceDiagonal: Tensor([1, 0])) }
                == "LowRankMultivariateNormal: covarianceDiagonal must be positive, found 0.0 at flat index 1")
        #expect(message { _ = try LowRankMultivariateNormal.validate(loc: Tensor([0, 0]), covarianceFactor: Tensor([[1, 1, 1]]),
                                                                     covarianceDiagonal: Tensor([1, 1])) }
                == "LowRankMultivariateNormal: covarianceFactor must have shape [..., 2, r] with r > 0 to match loc [2], got [1, 3]")
        #expect(message { try Independent.validate(baseBatchShape: [3], reinterpretedBatchDimensions: 2) }
                == "Independent: reinterpretedBatchDimensions must be in 0...1 for a base of batch shape [3], got 2")
        #expect(message { try DistributionValidation.expansion("Normal", from: [2], to: [4, 3]) }
                == "Normal.expand: cannot expand batch shape [2] to [4, 3]")
    }

    @Test func valueShapeMessages() {
        #expect(message { _ = try DistributionValidation.valueShape("Normal.logProb", [4], batchShape: [3], eventShape: []) }
                == "Normal.logProb: value of shape [4] does not broadcast with the distribution's batch shape [3] and event shape []")
        #expect(message { _ = try DistributionValidation.valueShape("MultivariateNormal.logProb", [5, 3], batchShape: [], eventShape: [2]) }
                == "MultivariateNormal.logProb: value of shape [5, 3] does not end with the event shape (distribution has batch shape [] and event shape [2])")
        #expect(message { _ = try DistributionValidation.valueShape("Normal.logProb", [5, 1], batchShape: [3], eventShape: []) } == "no error")
    }

    static func stderr(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test func invalidParametersTrapWithTheMessage() async {
        var r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Normal(loc: Tensor(0), scale: Tensor([1, -3]))
        }
        #expect(Self.stderr(r).contains("Normal: scale must be positive, found -3.0 at flat index 1"), "\(Self.stderr(r))")
        r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = MultivariateNormal(loc: Tensor([0, 0]), scaleTril: Tensor([[1, 1], [0, 1]]))
        }
        #expect(Self.stderr(r).contains("MultivariateNormal: scaleTril must be lower triangular"), "\(Self.stderr(r))")
        r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Normal(loc: Tensor(0), scale: Tensor([1, 2, 3])).logProb(Tensor([1, 2]))
        }
        #expect(Self.stderr(r).contains("Normal.logProb: value of shape [2] does not broadcast"), "\(Self.stderr(r))")
    }

    @Test func extremeInputsGiveFiniteLogProbabilities() {
        let far = Tensor([-1e4, 1e4, 1e6])
        for (d, label) in [(Normal(loc: 0, scale: 1) as any Distribution, "Normal"), (Laplace(loc: 0, scale: 1), "Laplace"),
                           (Logistic(loc: 0, scale: 1), "Logistic"), (Cauchy(loc: 0, scale: 1), "Cauchy"),
                           (StudentT(degreesOfFreedom: 3), "StudentT")] {
            #expect(d.logProb(far).scalars.allSatisfy { $0.isFinite }, "\(label): \(d.logProb(far))")
        }
        // Normal at 10⁴σ: −5·10⁷ − ln √(2π).
        expectClose(Normal(loc: 0, scale: 1).logProb(Tensor(1e4)), Tensor(-5e7), relative: 1e-6)
        // Cauchy and Student's t far beyond where z² overflows a Float.
        #expect(Cauchy(loc: 0, scale: 1).logProb(Tensor([1e30, -3e38])).scalars.allSatisfy { $0.isFinite })
        #expect(StudentT(degreesOfFreedom: 2).logProb(Tensor([1e30, -3e38])).scalars.allSatisfy { $0.isFinite })
        // Tails of the log CDF and tiny quantiles.
        #expect(Normal(loc: 0, scale: 1).logCDF(Tensor([-1e4, -40, 40])).scalars.allSatisfy { $0.isFinite })
        let tiny = Tensor([1e-30, 1e-38])
        for d in [Normal(loc: 0, scale: 1) as any Distribution, Laplace(loc: 0, scale: 1), Logistic(loc: 0, scale: 1),
                  Cauchy(loc: 0, scale: 1), Exponential(rate: 1), LogNormal(loc: 0, scale: 1)] {
            #expect(d.icdf(tiny).scalars.allSatisfy { $0.isFinite }, "\(type(of: d)) icdf \(d.icdf(tiny))")
        }
        // Out of support: −∞, not NaN, with finite gradients for the parameters.
        let outside: [(any Distribution, Tensor)] = [
            (Exponential(rate: 2), Tensor(-1)), (Gamma(concentration: 2, rate: 1), Tensor(-1)),
            (Beta(concentration1: 2, concentration0: 2), Tensor(1.5)), (LogNormal(loc: 0, scale: 1), Tensor(-2)),
            (Uniform(low: 0, high: 1), Tensor(1)),
        ]
        for (d, x) in outside {
            #expect(d.logProb(x).scalar == -.infinity, "\(type(of: d)).logProb(\(x.scalar))")
        }
        let g = gradient(at: [Tensor(2), Tensor(1)]) { Gamma(concentration: $0[0], rate: $0[1]).logProb(Tensor([-1, 0.5])).sum() }
        #expect(g.allSatisfy { $0.scalars.allSatisfy { !$0.isNaN } })
        // Boundary values: Gamma(1) and Beta(1, 1) at 0 are finite (0·ln 0 = 0).
        #expect(Gamma(concentration: 1, rate: 2).logProb(Tensor(0)).scalar.isFinite)
        expectClose(Beta(concentration1: 1, concentration0: 1).logProb(Tensor([0, 1])), Tensor([0, 0]))
        // Tiny concentrations: samples stay positive and in range, log densities finite.
        var rng = RandomGenerator(seed: 1)
        let beta = Beta(concentration1: 0.01, concentration0: 0.01)
        let x = beta.sample([1000], generator: &rng)
        #expect(x.scalars.allSatisfy { $0 > 0 && $0 < 1 })
        #expect(beta.logProb(x).scalars.allSatisfy { $0.isFinite })
        let gamma = Gamma(concentration: 0.001, rate: 1)
        let z = gamma.sample([1000], generator: &rng)
        #expect(z.scalars.allSatisfy { $0 > 0 })
        #expect(gamma.logProb(z).scalars.allSatisfy { $0.isFinite })
    }
}
