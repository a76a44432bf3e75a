import LatentCore

/// The relaxed Bernoulli (binary Concrete) distribution on (0, 1) (Maddison, Mnih & Teh
/// 2017, "The Concrete Distribution"; Jang, Gu & Poole 2017, "Categorical
/// Reparameterization with Gumbel-Softmax").
///
/// Reparameterised draws y = σ((ℓ + L)/τ) with logistic noise L = log u − log(1 − u),
/// u ~ U(0, 1); as τ → 0 they approach Bernoulli(σ(ℓ)) draws. With x = logit y, the density
///
///     log p(y) = log τ + (ℓ − τx) − 2 softplus(ℓ − τx) − log y − log(1 − y)
///
/// is a logistic density in x (location ℓ/τ, scale 1/τ) carried through the sigmoid.
/// Draws and the values given to `logProb` are clamped to [ε, 1 − ε] (ε = `Float.ulpOfOne`),
/// so the log-density stays finite even for logits of ±100.
///
/// With `straightThrough: true`, `rsample` returns hard 0/1 values in the forward pass
/// whose gradient is that of the soft sample: y_hard − stopGradient(y_soft) + y_soft
/// (Bengio et al. 2013; Jang et al. 2017). `logProb` always evaluates the soft density.
public struct RelaxedBernoulli: Distribution, Sendable {
    /// The temperature τ > 0, broadcast against the logits.
    public let temperature: Tensor
    /// Log-odds ℓ.
    public let logits: Tensor
    /// Whether `rsample` returns straight-through hard values.
    public let straightThrough: Bool
    public let batchShape: [Int]

    /// - Parameters:
    ///   - temperature: τ > 0; small τ gives nearly discrete draws (and higher-variance gradients).
    ///   - logits: Log-odds of the limiting Bernoulli.
    ///   - straightThrough: Return hard 0/1 draws with the soft draw's gradient.
    public init(temperature: Tensor, logits: Tensor, straightThrough: Bool = false) {
        checkParameters { () throws(DistributionParameterError) in
            try RelaxedBernoulli.validate(temperature: temperature)
        }
        self.temperature = temperature
        self.logits = logits
        self.straightThrough = straightThrough
        self.batchShape = DistributionShapes.broadcast([temperature.shape, logits.shape], op: "RelaxedBernoulli")
    }

    /// A relaxed Bernoulli from success probabilities ∈ [0, 1] (clamped to [ε, 1 − ε] for the logits).
    public init(temperature: Tensor, probabilities: Tensor, straightThrough: Bool = false) {
        checkParameters { () throws(DistributionParameterError) in
            try DistributionValidation.requireProbabilities("RelaxedBernoulli", probabilities)
        }
        let p = probabilities.clampedProbabilities()
        self.init(temperature: temperature, logits: p.log() - (-p).log1p(), straightThrough: straightThrough)
    }

    /// Checks that every temperature is positive and finite.
    public static func validate(temperature: Tensor) throws(DistributionParameterError) {
        try DistributionValidation.requirePositive("RelaxedBernoulli", "temperature", temperature)
    }

    /// σ(ℓ).
    public var probabilities: Tensor { logits.sigmoid() }
    public var eventShape: [Int] { [] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .unitInterval }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        let u = generator.uniform(sampleShape + batchShape).clampedProbabilities()
        let noise = u.log() - (-u).log1p()
        let soft = ((logits + noise) / temperature).sigmoid().clampedProbabilities()
        guard straightThrough else { return soft }
        let hard = withoutDerivative { soft .> 0.5 }
        return hard - soft.detached() + soft
    }

    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        let y = value.clampedProbabilities()
        let logY = y.log(), logOneMinusY = (-y).log1p()
        let difference = logits - temperature * (logY - logOneMinusY)
        return temperature.log() + difference - 2 * difference.softplus() - logY - logOneMinusY
    }
}

extension RelaxedBernoulli {
    /// The same distribution with its parameters broadcast to `batchShape`.
    public func expand(_ batchShape: [Int]) -> RelaxedBernoulli {
        checkExpansion(to: batchShape)
        return RelaxedBernoulli(temperature: temperature.broadcast(to: batchShape), logits: logits.broadcast(to: batchShape),
                                straightThrough: straightThrough)
    }
}
