import LatentCore

/// The relaxed one-hot categorical (Concrete, Gumbel-softmax) distribution on the
/// probability simplex of K categories (Maddison, Mnih & Teh 2017; Jang, Gu & Poole 2017).
///
/// Reparameterised draws y = softmax((ℓ + g)/τ) with independent standard Gumbel gₖ; as
/// τ → 0 they approach one-hot draws of Categorical(softmax ℓ). The Concrete density
/// (with respect to the Lebesgue measure of the first K − 1 coordinates) is
///
///     log p(y) = log (K − 1)! + (K − 1) log τ + Σₖ (ℓₖ − (τ + 1) log yₖ) − K log Σₖ e^{ℓₖ − τ log yₖ}.
///
/// Draws are clamped to [ε, 1 − ε] and `logProb` clamps its values below at ε
/// (ε = `Float.ulpOfOne`) so the log-density stays finite. With `straightThrough: true`,
/// `rsample` returns one-hot vectors (the arg max) with the soft draw's gradient:
/// y_hard − stopGradient(y_soft) + y_soft.
public struct RelaxedOneHotCategorical: Distribution, Sendable {
    /// The temperature τ > 0, shape broadcastable with `batchShape`.
    public let temperature: Tensor
    /// Unnormalised log-probabilities ℓ, `batchShape + [K]`.
    public let logits: Tensor
    /// Whether `rsample` returns straight-through one-hot values.
    public let straightThrough: Bool
    public let batchShape: [Int]

    /// - Parameters:
    ///   - temperature: τ > 0 (per batch element, broadcast against `logits` without its last axis).
    ///   - logits: Unnormalised log-probabilities `[..., K]`.
    ///   - straightThrough: Return one-hot draws with the soft draw's gradient.
    public init(temperature: Tensor, logits: Tensor, straightThrough: Bool = false) {
        checkShapes { () throws(ShapeError) in try Categorical.validateShape(logits.shape) }
        checkParameters { () throws(DistributionParameterError) in
            try RelaxedOneHotCategorical.validate(temperature: temperature)
        }
        self.temperature = temperature
        self.logits = logits
        self.straightThrough = straightThrough
        self.batchShape = DistributionShapes.broadcast([temperature.shape, Array(logits.shape.dropLast())],
                                                       op: "RelaxedOneHotCategorical")
    }

    /// Checks that every temperature is positive and finite.
    public static func validate(temperature: Tensor) throws(DistributionParameterError) {
        try DistributionValidation.requirePositive("RelaxedOneHotCategorical", "temperature", temperature)
    }

    /// A relaxed one-hot categorical from non-negative category weights `[..., K]`.
    public init(temperature: Tensor, probabilities: Tensor, straightThrough: Bool = false) {
        self.init(temperature: temperature, logits: Categorical(probabilities: probabilities).logits,
                  straightThrough: straightThrough)
    }

    /// The number of categories K.
    public var categoryCount: Int { logits.shape.last! }
    /// softmax(ℓ).
    public var probabilities: Tensor { logits.softmax(alongAxis: -1) }
    public var eventShape: [Int] { [categoryCount] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .simplex }

    private var eventTemperature: Tensor { temperature.unsqueezed(axis: -1) }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        let k = categoryCount
        let g = generator.gumbel(sampleShape + batchShape + [k])
        let soft = ((logits + g) / eventTemperature).softmax(alongAxis: -1).clampedProbabilities()
        guard straightThrough else { return soft }
        let hard = withoutDerivative { oneHot(soft.argmax(alongAxis: -1), classCount: k) }
        return hard - soft.detached() + soft
    }

    public func logProb(_ value: Tensor) -> Tensor {
        let k = categoryCount
        _ = checkValue("logProb", value)
        let logY = value.clamped(min: probabilityEpsilon).log()
        let score = logits - eventTemperature * logY
        let logNormaliser = Tensor(Float(k)).lgamma() + Float(k - 1) * temperature.log()
        return logNormaliser + score.sum(alongAxis: -1) - Float(k) * score.logSumExp(alongAxis: -1) - logY.sum(alongAxis: -1)
    }
}

extension RelaxedOneHotCategorical {
    /// The same distribution with its parameters broadcast to `batchShape`.
    public func expand(_ batchShape: [Int]) -> RelaxedOneHotCategorical {
        checkExpansion(to: batchShape)
        return RelaxedOneHotCategorical(temperature: temperature.broadcast(to: batchShape),
                                        logits: logits.broadcast(to: batchShape + [categoryCount]), straightThrough: straightThrough)
    }
}
