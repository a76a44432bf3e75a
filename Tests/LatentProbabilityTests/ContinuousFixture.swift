import Foundation
import LatentCore
import LatentProbability

/// Golden values written by `Scripts/fixtures/probability_continuous.py` (SciPy, float64).
/// Non-finite values are stored as `null`.
struct ContinuousFixture: Decodable {
    struct Univariate: Decodable {
        let distribution: String
        let parameters: [String: Double]
        let x: [Double]
        let logProb: [Double?]
        let entropy: Double?
        let mean: Double?
        let variance: Double?
        let cdf: [Double?]?
        let logCDF: [Double?]?
        let probabilities: [Double]?
        let icdf: [Double?]?
    }

    struct Multivariate: Decodable {
        let distribution: String
        let parameters: [String: [Double]]
        let dimension: Int
        let rank: Int?
        let x: [Double]
        let logProb: [Double]
        let entropy: Double
        let covariance: [Double]?
        let precision: [Double]?
        let mean: [Double]?
        let variance: [Double]?
    }

    struct KL: Decodable {
        let distribution: String
        let p: [String: Double]
        let q: [String: Double]
        let kl: Double?
    }

    struct KLMultivariate: Decodable {
        let distribution: String
        let p: [String: [Double]]
        let q: [String: [Double]]
        let dimension: Int
        let kl: Double
    }

    struct GammaDerivative: Decodable {
        let concentration: Double
        let sample: Double
        let derivative: Double
        let cdf: Double
    }

    let univariate: [Univariate]
    let multivariate: [Multivariate]
    let kl: [KL]
    let klMultivariate: [KLMultivariate]
    let gammaSampleDerivative: [GammaDerivative]

    static let shared: ContinuousFixture = {
        let url = Bundle.module.url(forResource: "continuous", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(ContinuousFixture.self, from: Data(contentsOf: url))
    }()
}

/// A tensor from Doubles (rounded to Float).
func tensor(_ values: [Double], shape: [Int]? = nil) -> Tensor {
    Tensor(shape: shape ?? [values.count], scalars: values.map { Float($0) })
}

/// A tensor from optional Doubles, `nil` meaning +∞ or −∞ by `infinity`.
func tensor(_ values: [Double?], infinity: Float) -> Tensor {
    Tensor(values.map { $0.map { Float($0) } ?? infinity })
}

/// Builds a univariate distribution from a fixture's name and scalar parameters.
func makeUnivariate(_ name: String, _ p: [String: Double]) -> any Distribution {
    func t(_ key: String) -> Tensor { Tensor(Float(p[key]!)) }
    switch name {
    case "Normal": return Normal(loc: t("loc"), scale: t("scale"))
    case "LogNormal": return LogNormal(loc: t("loc"), scale: t("scale"))
    case "Uniform": return Uniform(low: t("low"), high: t("high"))
    case "Laplace": return Laplace(loc: t("loc"), scale: t("scale"))
    case "Logistic": return Logistic(loc: t("loc"), scale: t("scale"))
    case "Cauchy": return Cauchy(loc: t("loc"), scale: t("scale"))
    case "StudentT": return StudentT(degreesOfFreedom: t("degreesOfFreedom"), loc: t("loc"), scale: t("scale"))
    case "Exponential": return Exponential(rate: t("rate"))
    case "Gamma": return Gamma(concentration: t("concentration"), rate: t("rate"))
    case "Beta": return Beta(concentration1: t("concentration1"), concentration0: t("concentration0"))
    default: fatalError("unknown distribution \(name)")
    }
}
