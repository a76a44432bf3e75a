import Foundation
import LatentCore

/// The Poisson distribution with rate λ ≥ 0: P(k) = λᵏ e^{−λ} / k!.
///
/// log P(k) = k log λ − λ − lgamma(k + 1) (0 · log 0 = 0 when λ = 0; the log-factorial
/// is evaluated in Double, values get no gradient). The entropy and
/// CDF sum the mass function (the entropy over 0 … λ + 12√λ + 20, beyond which the
/// mass is negligible); both are differentiable in λ. Sampling is exact: inversion for
/// λ < 10, the transformed rejection method PTRS (Hörmann 1993) above.
public struct Poisson: Distribution, AnalyticKLDivergence, Sendable {
    /// The rate λ (mean and variance), shape `batchShape`.
    public let rate: Tensor

    /// A Poisson distribution with rate `rate` ≥ 0 (traps otherwise).
    public init(rate: Tensor) {
        checkParameters { () throws(DistributionParameterError) in try Poisson.validate(rate: rate) }
        self.rate = rate
    }

    /// Checks that every rate is non-negative and finite.
    public static func validate(rate: Tensor) throws(DistributionParameterError) {
        try DistributionValidation.requireAll("Poisson", "rate", rate, "non-negative and finite") { $0 >= 0 && $0.isFinite }
    }

    public var batchShape: [Int] { rate.shape }
    public var eventShape: [Int] { [] }
    public var support: Constraint { .nonnegativeInteger(upper: nil) }

    public func sample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        DiscreteSamplers.fill(sampleShape, parameters: [rate], generator: &generator) { p, stream in
            DiscreteSamplers.poisson(rate: p[0], &stream)
        }
    }

    /// k log λ − λ − lgamma(k + 1).
    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        let safeRate = rate.clamped(min: Float.leastNormalMagnitude)
        let lp = value * safeRate.log() - rate - LogFactorial.of(value)
        // λ = 0 puts all mass on 0.
        return `where`((rate .== 0) * (value .> 0), Tensor(-.infinity), lp)
    }

    /// Σ over k = 0…J of f(k, log P(k)) along a new leading axis, broadcast with `shape`.
    private func sumOverGrid(upTo last: Int, shape: [Int], _ f: (Tensor, Tensor) -> Tensor) -> Tensor {
        let j = Tensor.arange(0, Float(last + 1)).reshaped(to: [last + 1] + Array(repeating: 1, count: shape.count))
        return f(j, logProb(j)).sum(alongAxis: 0)
    }

    /// H = −Σ_k P(k) log P(k).
    public func entropy() -> Tensor {
        let largest = Double(rate.scalars.max() ?? 0)
        let last = Int((largest + 12 * largest.squareRoot() + 20).rounded(.up))
        return -sumOverGrid(upTo: last, shape: batchShape) { _, lp in
            `where`(lp .> -Float.infinity, lp.exp() * lp, Tensor(0))
        }
    }

    public var mean: Tensor { rate }
    public var variance: Tensor { rate }

    /// P(X ≤ x) = Σ_{k ≤ ⌊x⌋} P(k).
    public func cdf(_ value: Tensor) -> Tensor {
        let shape = checkValue("cdf", value)
        let largest = Int(Swift.max(value.scalars.max() ?? 0, 0))
        return sumOverGrid(upTo: largest, shape: shape) { j, lp in lp.exp() * (j .<= value.floor()) }
    }

    /// KL(p ‖ q) = λ_p log(λ_p / λ_q) − λ_p + λ_q.
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? Poisson else { return nil }
        let logRatio = rate.clamped(min: Float.leastNormalMagnitude).log() - q.rate.clamped(min: Float.leastNormalMagnitude).log()
        return `where`(rate .== 0, Tensor(0), rate * logRatio) - rate + q.rate
    }
}

extension Poisson {
    /// The same distribution with its rate broadcast to `batchShape`.
    public func expand(_ batchShape: [Int]) -> Poisson {
        checkExpansion(to: batchShape)
        return Poisson(rate: rate.broadcast(to: batchShape))
    }
}
