import Foundation
import LatentCore

/// The log-normal distribution: X = eʸ with Y ~ N(μ, σ²).
///
///     log p(x) = −(ln x − μ)²/(2σ²) − ln σ − ½ ln 2π − ln x,   x > 0
///
/// Parameters broadcast to the batch shape; the event shape is `[]`. `rsample` is
/// exp(μ + σε).
public struct LogNormal: LocationScaleFamily, Sendable {
    public let parameters: LocationScale
    public var support: Constraint { .positive }

    /// - Parameters:
    ///   - loc: μ, the mean of ln X.
    ///   - scale: σ > 0, the standard deviation of ln X.
    public init(loc: Tensor, scale: Tensor) { parameters = LocationScale("LogNormal", loc: loc, scale: scale) }

    /// The normal distribution of ln X.
    public var base: Normal { Normal(loc: loc, scale: scale) }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        (loc + scale * generator.normal(sampleShape + batchShape)).exp()
    }

    /// −∞ for x ≤ 0.
    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        return logDensity(inside: value .> 0, value: value, substitute: 1) { x in
            let y = x.log()
            return ((y - loc) / scale).square() * -0.5 - scale.log() - Float(NormalTail.logSqrt2Pi) - y
        }
    }

    /// μ + ½ + ½ ln 2π + ln σ.
    public func entropy() -> Tensor { loc + scale.log() + Float(0.5 + NormalTail.logSqrt2Pi) }
    /// exp(μ + σ²/2).
    public var mean: Tensor { (loc + scale.square() * 0.5).exp() }
    /// (exp(σ²) − 1)·exp(2μ + σ²).
    public var variance: Tensor {
        let s2 = scale.square()
        return s2.expm1() * (loc * 2 + s2).exp()
    }

    /// Φ((ln x − μ)/σ), 0 for x ≤ 0.
    public func cdf(_ value: Tensor) -> Tensor {
        _ = checkValue("cdf", value)
        let inside = value .> 0
        let y = `where`(inside, value, Tensor(1)).log()
        return `where`(inside, ((y - loc) / scale * Float(-1 / 2.0.squareRoot())).erfc() * 0.5, Tensor(0))
    }

    /// exp(μ + σ Φ⁻¹(p)).
    public func icdf(_ probability: Tensor) -> Tensor {
        _ = checkValue("icdf", probability)
        return (loc + scale * probability.normalQuantile()).exp()
    }
}

extension LogNormal: AnalyticKLDivergence {
    /// KL between log-normals equals the KL between their underlying normals.
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? LogNormal else { return nil }
        return KLDivergence.analytic(base, q.base)
    }
}
