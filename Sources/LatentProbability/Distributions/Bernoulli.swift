import LatentCore

/// The Bernoulli distribution over {0, 1}: P(X = 1) = p = σ(ℓ).
///
/// Parameterised by logits ℓ (log-odds) or by probabilities p; the other is derived,
/// differentiably (p = σ(ℓ) only when asked for, so scoring by logits costs no sigmoid). log P(x) = −BCE(ℓ, x) = xℓ − softplus(ℓ), computed with the
/// fused, stable ``binaryCrossEntropy(logits:targets:reduction:)`` (finite for logits of
/// any magnitude). `logProb` also accepts soft values x ∈ [0, 1], giving the negative
/// cross-entropy that VAEs use on grey-level images (not a normalised density there).
public struct Bernoulli: Distribution, AnalyticKLDivergence, Sendable {
    /// Log-odds ℓ, shape `batchShape`.
    public let logits: Tensor
    /// Probabilities given at construction (nil when built from logits).
    private let givenProbabilities: Tensor?
    /// p = σ(ℓ), shape `batchShape`.
    public var probabilities: Tensor { givenProbabilities ?? logits.sigmoid() }

    /// A Bernoulli with log-odds `logits`.
    public init(logits: Tensor) {
        self.logits = logits
        self.givenProbabilities = nil
    }

    /// A Bernoulli with success probabilities `probabilities` ∈ [0, 1] (traps otherwise).
    /// The logits are computed from p clamped to [ε, 1 − ε], ε = `Float.ulpOfOne`.
    public init(probabilities: Tensor) {
        checkParameters { () throws(DistributionParameterError) in
            try Bernoulli.validate(probabilities: probabilities)
        }
        self.givenProbabilities = probabilities
        let p = probabilities.clampedProbabilities()
        self.logits = p.log() - (-p).log1p()
    }

    private init(logits: Tensor, probabilities: Tensor?) {
        self.logits = logits
        self.givenProbabilities = probabilities
    }

    /// Checks that every probability lies in [0, 1].
    public static func validate(probabilities: Tensor) throws(DistributionParameterError) {
        try DistributionValidation.requireProbabilities("Bernoulli", probabilities)
    }

    public var batchShape: [Int] { logits.shape }
    public var eventShape: [Int] { [] }
    public var support: Constraint { .boolean }

    public func sample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        generator.bernoulli(probabilities: probabilities.detached().broadcast(to: sampleShape + batchShape))
    }

    /// x ℓ − softplus(ℓ) = −BCE(ℓ, x).
    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        return -binaryCrossEntropy(logits: logits, targets: value, reduction: .none)
    }

    /// H = BCE(ℓ, p) = softplus(ℓ) − pℓ.
    public func entropy() -> Tensor {
        binaryCrossEntropy(logits: logits, targets: probabilities, reduction: .none)
    }

    public var mean: Tensor { probabilities }
    public var variance: Tensor { probabilities * (1 - probabilities) }

    /// P(X ≤ x): 0 below 0, 1 − p on [0, 1), 1 from 1 on.
    public func cdf(_ value: Tensor) -> Tensor {
        _ = checkValue("cdf", value)
        return `where`(value .< 0, Tensor(0), `where`(value .< 1, 1 - probabilities, Tensor(1)))
    }

    /// KL(p ‖ q) = p (log p − log q) + (1 − p)(log(1 − p) − log(1 − q)), written with
    /// log σ(ℓ) = −softplus(−ℓ) so that it stays finite for extreme logits.
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? Bernoulli else { return nil }
        let p = probabilities
        return p * ((-q.logits).softplus() - (-logits).softplus()) + (1 - p) * (q.logits.softplus() - logits.softplus())
    }
}

extension Bernoulli {
    /// The same distribution with its parameters broadcast to `batchShape`.
    public func expand(_ batchShape: [Int]) -> Bernoulli {
        checkExpansion(to: batchShape)
        return Bernoulli(logits: logits.broadcast(to: batchShape), probabilities: givenProbabilities?.broadcast(to: batchShape))
    }
}
