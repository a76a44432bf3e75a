import LatentCore

/// The binomial distribution: the number of successes in n independent trials of
/// success probability p = σ(ℓ).
///
/// log P(k) = log C(n, k) + kℓ − n·softplus(ℓ), with the log-binomial coefficient
/// lgamma(n + 1) − lgamma(k + 1) − lgamma(n − k + 1) evaluated in Double (counts and
/// values are integers and get no gradient); stable for logits of any magnitude. The entropy and CDF sum the mass function over its support (exact,
/// differentiable in p; cost proportional to the largest count). Sampling is exact:
/// inversion for n·min(p, 1 − p) < 10, otherwise BTRS (Hörmann 1993).
public struct Binomial: Distribution, AnalyticKLDivergence, Sendable {
    /// Number of trials n (non-negative integers), broadcast against the logits.
    public let count: Tensor
    /// Log-odds ℓ of one trial.
    public let logits: Tensor
    /// p = σ(ℓ).
    public let probabilities: Tensor
    public let batchShape: [Int]

    /// A binomial with `count` trials of log-odds `logits`.
    public init(count: Tensor, logits: Tensor) {
        checkParameters { () throws(DistributionParameterError) in try Binomial.validate(count: count) }
        self.count = count
        self.logits = logits
        self.probabilities = logits.sigmoid()
        self.batchShape = DistributionShapes.broadcast([count.shape, logits.shape], op: "Binomial")
    }

    /// A binomial with `count` trials of success probability `probabilities` ∈ [0, 1].
    public init(count: Tensor, probabilities: Tensor) {
        checkParameters { () throws(DistributionParameterError) in
            try Binomial.validate(count: count)
            try Binomial.validate(probabilities: probabilities)
        }
        let p = probabilities.clampedProbabilities()
        self.count = count
        self.probabilities = probabilities
        self.logits = p.log() - (-p).log1p()
        self.batchShape = DistributionShapes.broadcast([count.shape, probabilities.shape], op: "Binomial")
    }

    public init(count: Int, logits: Tensor) { self.init(count: Tensor(Float(count)), logits: logits) }
    public init(count: Int, probabilities: Tensor) { self.init(count: Tensor(Float(count)), probabilities: probabilities) }

    /// Checks that every count is a non-negative integer.
    public static func validate(count: Tensor) throws(DistributionParameterError) {
        try DistributionValidation.requireAll("Binomial", "count", count, "a non-negative integer") {
            $0 >= 0 && $0.isFinite && $0.rounded() == $0
        }
    }

    /// Checks that every probability lies in [0, 1].
    public static func validate(probabilities: Tensor) throws(DistributionParameterError) {
        try DistributionValidation.requireProbabilities("Binomial", probabilities)
    }

    private var maximumCount: Int { Int(count.scalars.max() ?? 0) }
    public var eventShape: [Int] { [] }
    public var support: Constraint { .nonnegativeInteger(upper: maximumCount) }

    public func sample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        DiscreteSamplers.fill(sampleShape, parameters: [count.broadcast(to: batchShape), probabilities.broadcast(to: batchShape)],
                              generator: &generator) { p, stream in
            DiscreteSamplers.binomial(count: p[0], probability: p[1], &stream)
        }
    }

    /// log C(n, k) + kℓ − n·softplus(ℓ); −∞ for integers k outside 0...n.
    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        return LogFactorial.binomialCoefficient(count, value) + value * logits - count * logits.softplus()
    }

    /// The masses P(j) for j = 0…J along a new leading axis, broadcast with `shape`
    /// (zero where j > n), and the grid j.
    private func massGrid(upTo last: Int, shape: [Int]) -> (mass: Tensor, grid: Tensor) {
        let j = Tensor.arange(0, Float(last + 1)).reshaped(to: [last + 1] + Array(repeating: 1, count: shape.count))
        let n = count.broadcast(to: shape)
        let valid = j .<= n
        let lp = logProb(minimum(j, n))
        return (`where`(valid, lp.exp(), Tensor(0)), j)
    }

    /// H = −Σ_k P(k) log P(k), summed over the support.
    public func entropy() -> Tensor {
        let j = Tensor.arange(0, Float(maximumCount + 1)).reshaped(to: [maximumCount + 1] + Array(repeating: 1, count: batchShape.count))
        let n = count.broadcast(to: batchShape)
        let lp = logProb(minimum(j, n))
        return -`where`(j .<= n, lp.exp() * lp, Tensor(0)).sum(alongAxis: 0)
    }

    public var mean: Tensor { count * probabilities }
    public var variance: Tensor { count * probabilities * (1 - probabilities) }

    /// P(X ≤ x) = Σ_{k ≤ ⌊x⌋} P(k).
    public func cdf(_ value: Tensor) -> Tensor {
        let shape = checkValue("cdf", value)
        let largest = Swift.min(Int(Swift.max(value.scalars.max() ?? 0, 0)), maximumCount)
        let (mass, j) = massGrid(upTo: largest, shape: shape)
        return (mass * (j .<= value.floor())).sum(alongAxis: 0)
    }

    /// KL(p ‖ q) = n · KL(Bernoulli(p) ‖ Bernoulli(q)) for equal counts (nil otherwise).
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? Binomial, q.count.shape == count.shape, q.count.scalars == count.scalars,
              let kl = Bernoulli(logits: logits).analyticKLDivergence(to: Bernoulli(logits: q.logits)) else { return nil }
        return count * kl
    }
}

extension Binomial {
    /// The same distribution with its parameters broadcast to `batchShape`.
    public func expand(_ batchShape: [Int]) -> Binomial {
        checkExpansion(to: batchShape)
        return Binomial(count: count.broadcast(to: batchShape), logits: logits.broadcast(to: batchShape))
    }
}
