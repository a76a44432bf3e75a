import LatentCore

/// The categorical distribution with one-hot values: events are vectors of length K
/// with a single 1 at the drawn category.
///
/// log P(x) = Σₖ xₖ log pₖ; mean p, variance p(1 − p).
public struct OneHotCategorical: Distribution, AnalyticKLDivergence, Sendable {
    /// The underlying categorical over indices.
    public let categorical: Categorical

    public init(logits: Tensor) { categorical = Categorical(logits: logits) }
    public init(probabilities: Tensor) { categorical = Categorical(probabilities: probabilities) }
    public init(_ categorical: Categorical) { self.categorical = categorical }

    /// Log-probabilities, shape `batchShape + [K]`.
    public var logits: Tensor { categorical.logits }
    /// Probabilities, shape `batchShape + [K]`.
    public var probabilities: Tensor { categorical.probabilities }
    public var batchShape: [Int] { categorical.batchShape }
    public var eventShape: [Int] { [categorical.categoryCount] }
    public var support: Constraint { .oneHot }

    /// One-hot vectors of shape `sampleShape + batchShape + [K]`.
    public func sample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        oneHot(categorical.sampleIndices(sampleShape, generator: &generator), classCount: categorical.categoryCount)
    }

    /// Σₖ xₖ log pₖ for one-hot x of shape `sampleShape + batchShape + [K]`.
    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        return (value * categorical.finiteLogits).sum(alongAxis: -1)
    }

    public func entropy() -> Tensor { categorical.entropy() }
    public var mean: Tensor { probabilities }
    public var variance: Tensor { probabilities * (1 - probabilities) }

    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? OneHotCategorical else { return nil }
        return Categorical.klDivergence(categorical, q.categorical)
    }
}

extension OneHotCategorical {
    /// The same distribution with its parameters broadcast to `batchShape`.
    public func expand(_ batchShape: [Int]) -> OneHotCategorical { OneHotCategorical(categorical.expand(batchShape)) }
}
