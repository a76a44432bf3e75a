import LatentCore

/// A mixture of K components of one family: p(x) = Σₖ πₖ pₖ(x).
///
/// The mixing distribution is a ``Categorical`` with batch shape B over K components;
/// `components` has batch shape `B + [K]` (the last batch axis indexes the components)
/// and any event shape E, which is the mixture's event shape.
///
/// - `logProb(x) = logSumExp_k(log πₖ + log pₖ(x))`;
/// - `sample`: a component index per draw, then that component's draw (gathered);
///   there is no reparameterised sampler;
/// - mean Σ πₖ μₖ and variance Σ πₖ σₖ² + Σ πₖ (μₖ − μ)² (law of total variance);
/// - `cdf(x) = Σ πₖ Fₖ(x)` for univariate components.
public struct MixtureSameFamily: Distribution {
    /// The mixture weights π, batch shape B, K categories.
    public let mixing: Categorical
    /// The components, batch shape `B + [K]`.
    public let components: any Distribution

    public init(mixing: Categorical, components: any Distribution) {
        checkShapes { () throws(ShapeError) in
            try MixtureSameFamily.validate(mixingBatch: mixing.batchShape, categories: mixing.categoryCount,
                                           componentBatch: components.batchShape)
        }
        self.mixing = mixing
        self.components = components
    }

    /// Checks that the components' batch shape is the mixing batch shape plus `[K]`.
    public static func validate(mixingBatch: [Int], categories: Int, componentBatch: [Int]) throws(ShapeError) {
        guard componentBatch == mixingBatch + [categories] else {
            throw ShapeError(op: "MixtureSameFamily",
                             "components of batch shape \(shapeString(componentBatch)) must have batch shape \(shapeString(mixingBatch + [categories])) (the mixing batch shape and \(categories) components)")
        }
    }

    public var batchShape: [Int] { mixing.batchShape }
    public var eventShape: [Int] { components.eventShape }
    public var support: Constraint { components.support }
    private var eventRank: Int { eventShape.count }

    /// Mixture weights shaped to broadcast against component parameters `B + [K] + E`.
    private var weightsForEvents: Tensor {
        mixing.probabilities.reshaped(to: mixing.probabilities.shape + Array(repeating: 1, count: eventRank))
    }

    public func sample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        let chosen = mixing.sampleIndices(sampleShape, generator: &generator)             // S + B
        let all = components.sample(sampleShape, generator: &generator)                    // S + B + [K] + E
        let axis = sampleShape.count + batchShape.count
        let indexShape = sampleShape + batchShape + [1] + Array(repeating: 1, count: eventRank)
        let target = sampleShape + batchShape + [1] + eventShape
        let index = DistributionShapes.broadcast(chosen.reshaped(to: indexShape), to: target)
        return all.gathering(alongAxis: axis, indices: index).squeezed(axis: axis)
    }

    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        let x = value.unsqueezed(axis: value.rank - eventRank)           // S + B + [1] + E
        return (components.logProb(x) + mixing.logits).logSumExp(alongAxis: -1)
    }

    public var mean: Tensor { (weightsForEvents * components.mean).sum(alongAxis: batchShape.count) }

    public var variance: Tensor {
        let axis = batchShape.count
        let w = weightsForEvents
        let m = (w * components.mean).sum(alongAxis: axis, keepDims: true)
        let within = (w * components.variance).sum(alongAxis: axis)
        let between = (w * (components.mean - m).square()).sum(alongAxis: axis)
        return within + between
    }

    public func cdf(_ value: Tensor) -> Tensor {
        ensure(eventRank == 0, "MixtureSameFamily.cdf: only for univariate components, event shape is \(shapeString(eventShape))")
        return (mixing.probabilities * components.cdf(value.unsqueezed(axis: -1))).sum(alongAxis: -1)
    }
}
