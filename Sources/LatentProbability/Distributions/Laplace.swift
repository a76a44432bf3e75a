import Foundation
import LatentCore

/// The Laplace (double exponential) distribution with location μ and scale b.
///
///     log p(x) = −|x − μ|/b − ln 2b
///
/// Parameters broadcast to the batch shape; the event shape is `[]`. `rsample` applies
/// the quantile function to an open uniform draw.
public struct Laplace: LocationScaleFamily, Sendable {
    public let parameters: LocationScale

    /// - Parameters:
    ///   - loc: The location μ.
    ///   - scale: The scale b > 0.
    public init(loc: Tensor, scale: Tensor) { parameters = LocationScale("Laplace", loc: loc, scale: scale) }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        quantile(openUniform(sampleShape + batchShape, generator: &generator))
    }

    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        return -(value - loc).abs() / scale - (scale * 2).log()
    }

    /// 1 + ln 2b.
    public func entropy() -> Tensor { (scale * 2).log() + 1 }
    public var mean: Tensor { loc }
    /// 2b².
    public var variance: Tensor { scale.square() * 2 }

    /// ½e^z for z = (x − μ)/b < 0, else 1 − ½e^{−z}.
    public func cdf(_ value: Tensor) -> Tensor {
        _ = checkValue("cdf", value)
        let z = (value - loc) / scale
        return `where`(z .< 0, minimum(z, Tensor(0)).exp() * 0.5, 1 - (-maximum(z, Tensor(0))).exp() * 0.5)
    }

    /// μ + b ln 2p for p < ½, else μ − b ln(2 − 2p).
    public func icdf(_ probability: Tensor) -> Tensor {
        _ = checkValue("icdf", probability)
        return quantile(probability)
    }

    func quantile(_ p: Tensor) -> Tensor {
        let lower = (minimum(p, Tensor(0.5)) * 2).log()
        let upper = -(2 - maximum(p, Tensor(0.5)) * 2).log()
        return loc + scale * `where`(p .< 0.5, lower, upper)
    }
}

extension Laplace: AnalyticKLDivergence {
    /// With r = b₁/b₂ and d = |μ₁ − μ₂|: −ln r + d/b₂ + r·exp(−d/b₁) − 1.
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? Laplace else { return nil }
        let ratio = scale / q.scale
        let distance = (loc - q.loc).abs()
        return -ratio.log() + distance / q.scale + ratio * (-distance / scale).exp() - 1
    }
}
