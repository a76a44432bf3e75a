import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

/// Gradients of log densities, entropies, CDFs and quantiles with respect to parameters
/// and values, against central differences.
@Suite struct DistributionGradientTests {
    func check(_ label: String, _ parameters: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
               _ f: @escaping ([Tensor]) -> Tensor) {
        expectGradient(at: parameters, tolerance: 1e-2, epsilon: 1e-3, label, sourceLocation: sourceLocation, of: f)
    }

    @Test func univariateLogProbAndEntropy() {
        let x = Tensor([0.2, 0.45, 0.9])
        let cases: [(String, [Tensor], ([Tensor]) -> any Distribution)] = [
            ("Normal", [Tensor(0.3), Tensor(0.8)], { Normal(loc: $0[0], scale: $0[1]) }),
            ("LogNormal", [Tensor(0.3), Tensor(0.8)], { LogNormal(loc: $0[0], scale: $0[1]) }),
            ("Uniform", [Tensor(-0.5), Tensor(1.5)], { Uniform(low: $0[0], high: $0[1]) }),
            ("Laplace", [Tensor(0.3), Tensor(0.8)], { Laplace(loc: $0[0], scale: $0[1]) }),
            ("Logistic", [Tensor(0.3), Tensor(0.8)], { Logistic(loc: $0[0], scale: $0[1]) }),
            ("Cauchy", [Tensor(0.3), Tensor(0.8)], { Cauchy(loc: $0[0], scale: $0[1]) }),
            ("StudentT", [Tensor(2.5), Tensor(0.3), Tensor(0.8)], { StudentT(degreesOfFreedom: $0[0], loc: $0[1], scale: $0[2]) }),
            ("Exponential", [Tensor(1.7)], { Exponential(rate: $0[0]) }),
            ("Gamma", [Tensor(2.5), Tensor(1.3)], { Gamma(concentration: $0[0], rate: $0[1]) }),
            ("Beta", [Tensor(0.8), Tensor(2.5)], { Beta(concentration1: $0[0], concentration0: $0[1]) }),
        ]
        for (label, parameters, make) in cases {
            check("\(label) logProb", parameters + [x]) { make(Array($0.dropLast())).logProb($0.last!) }
            check("\(label) entropy", parameters) { make($0).entropy() }
            if label != "Cauchy" {
                check("\(label) mean and variance", parameters) { make($0).mean + make($0).variance }
            }
        }
    }

    @Test func cdfAndQuantileGradients() {
        let x = Tensor([-0.7, 0.1, 1.3]), p = Tensor([0.05, 0.4, 0.9])
        check("Normal cdf", [Tensor(0.2), Tensor(1.5), x]) { Normal(loc: $0[0], scale: $0[1]).cdf($0[2]) }
        check("Normal logCDF", [Tensor(0.2), Tensor(1.5), Tensor([-30, -2, 1])]) { Normal(loc: $0[0], scale: $0[1]).logCDF($0[2]) }
        check("Normal icdf", [Tensor(0.2), Tensor(1.5), p]) { Normal(loc: $0[0], scale: $0[1]).icdf($0[2]) }
        check("Laplace cdf", [Tensor(0.2), Tensor(1.5), x]) { Laplace(loc: $0[0], scale: $0[1]).cdf($0[2]) }
        check("Laplace icdf", [Tensor(0.2), Tensor(1.5), p]) { Laplace(loc: $0[0], scale: $0[1]).icdf($0[2]) }
        check("Logistic icdf", [Tensor(0.2), Tensor(1.5), p]) { Logistic(loc: $0[0], scale: $0[1]).icdf($0[2]) }
        check("Cauchy cdf", [Tensor(0.2), Tensor(1.5), x]) { Cauchy(loc: $0[0], scale: $0[1]).cdf($0[2]) }
        check("Cauchy icdf", [Tensor(0.2), Tensor(1.5), p]) { Cauchy(loc: $0[0], scale: $0[1]).icdf($0[2]) }
        check("Exponential cdf", [Tensor(0.8), Tensor([0.1, 1, 3])]) { Exponential(rate: $0[0]).cdf($0[1]) }
        check("LogNormal cdf", [Tensor(0.2), Tensor(0.5), Tensor([0.3, 1, 3])]) { LogNormal(loc: $0[0], scale: $0[1]).cdf($0[2]) }
        check("Uniform cdf", [Tensor(-1), Tensor(2), x]) { Uniform(low: $0[0], high: $0[1]).cdf($0[2]) }
        // Second order through the normal quantile and log-CDF.
        expectSecondOrderGradient(at: [Tensor([-8, -1, 0.5])], tolerance: 5e-2, epsilon: 1e-3) { $0[0].standardNormalLogCDF() }
    }

    @Test func multivariateLogProbGradients() {
        let x = Tensor([[0.3, -0.2], [1, 2]])
        check("MultivariateNormal", [Tensor([0.1, 0.2]), Tensor([[1.2, 0], [0.4, 0.8]]), x]) {
            MultivariateNormal(loc: $0[0], scaleTril: $0[1].lowerTriangular()).logProb($0[2])
        }
        check("MultivariateNormal covariance", [Tensor([[1.5, 0.3], [0.3, 0.9]])]) {
            MultivariateNormal(loc: Tensor([0, 0]), covariance: ($0[0] + $0[0].transposed()) * 0.5).logProb(x)
        }
        check("LowRankMultivariateNormal", [Tensor([0.1, 0.2]), Tensor([[0.5], [-0.7]]), Tensor([0.6, 1.1]), x]) {
            LowRankMultivariateNormal(loc: $0[0], covarianceFactor: $0[1], covarianceDiagonal: $0[2]).logProb($0[3])
        }
        check("LowRankMultivariateNormal entropy", [Tensor([[0.5], [-0.7]]), Tensor([0.6, 1.1])]) {
            LowRankMultivariateNormal(loc: Tensor([0, 0]), covarianceFactor: $0[0], covarianceDiagonal: $0[1]).entropy()
        }
        check("Dirichlet", [Tensor([0.7, 2, 3]), Tensor([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]])]) {
            Dirichlet(concentration: $0[0]).logProb($0[1])
        }
        check("Dirichlet entropy", [Tensor([0.7, 2, 3])]) { Dirichlet(concentration: $0[0]).entropy() }
    }
}
