import LatentCore

/// Reinterprets the rightmost batch dimensions of a distribution as event dimensions.
///
/// With a base of batch shape `B + R` (R the last `reinterpretedBatchDimensions`
/// dimensions) and event shape `E`, the result has batch shape `B` and event shape
/// `R + E`: `logProb` and `entropy` sum the base's over `R` (the coordinates are
/// independent). The usual diagonal-Gaussian posterior of a VAE is
/// `Normal(loc: mu, scale: sigma).independent(reinterpretedBatchDimensions: 1)`.
/// As `torch.distributions.Independent`.
public struct Independent: Distribution {
    /// The underlying distribution.
    public let base: any Distribution
    /// How many of the base's rightmost batch dimensions become event dimensions.
    public let reinterpretedBatchDimensions: Int
    public let batchShape: [Int]
    public let eventShape: [Int]
    public var hasRSample: Bool { base.hasRSample }
    public var support: Constraint { base.support }

    /// - Parameters:
    ///   - base: The distribution whose batch dimensions are reinterpreted.
    ///   - reinterpretedBatchDimensions: 0 ≤ n ≤ the base's batch rank.
    public init(_ base: any Distribution, reinterpretedBatchDimensions: Int) {
        checkParameters { () throws(DistributionParameterError) in
            try Self.validate(baseBatchShape: base.batchShape, reinterpretedBatchDimensions: reinterpretedBatchDimensions)
        }
        self.base = base
        self.reinterpretedBatchDimensions = reinterpretedBatchDimensions
        batchShape = Array(base.batchShape.dropLast(reinterpretedBatchDimensions))
        eventShape = Array(base.batchShape.suffix(reinterpretedBatchDimensions)) + base.eventShape
    }

    /// Checks that the base has enough batch dimensions.
    public static func validate(baseBatchShape: [Int], reinterpretedBatchDimensions n: Int) throws(DistributionParameterError) {
        guard n >= 0 && n <= baseBatchShape.count else {
            throw DistributionParameterError(
                "Independent", "reinterpretedBatchDimensions must be in 0...\(baseBatchShape.count) for a base of batch shape \(shapeString(baseBatchShape)), got \(n)")
        }
    }

    /// Sums the last `reinterpretedBatchDimensions` axes.
    func sumReinterpreted(_ t: Tensor) -> Tensor {
        reinterpretedBatchDimensions == 0 ? t : t.sum(alongAxes: Array((t.rank - reinterpretedBatchDimensions)..<t.rank))
    }

    public func sample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        base.sample(sampleShape, generator: &generator)
    }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        base.rsample(sampleShape, generator: &generator)
    }

    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        return sumReinterpreted(base.logProb(value))
    }

    public func entropy() -> Tensor { sumReinterpreted(base.entropy()) }
    public var mean: Tensor { base.mean }
    public var variance: Tensor { base.variance }

    /// The same reinterpretation of the base expanded to `batchShape + reinterpreted shape`.
    public func expand(_ batchShape: [Int]) -> Independent {
        checkExpansion(to: batchShape)
        let reinterpreted = Array(base.batchShape.suffix(reinterpretedBatchDimensions))
        return Independent(base.expand(batchShape + reinterpreted), reinterpretedBatchDimensions: reinterpretedBatchDimensions)
    }
}

extension Distribution {
    /// This distribution with its rightmost `reinterpretedBatchDimensions` batch
    /// dimensions treated as event dimensions (see ``Independent``).
    public func independent(reinterpretedBatchDimensions: Int) -> Independent {
        Independent(self, reinterpretedBatchDimensions: reinterpretedBatchDimensions)
    }
}

extension Independent: AnalyticKLDivergence {
    /// For two `Independent` distributions with the same number of reinterpreted
    /// dimensions and the same event shape: the base KL summed over those dimensions.
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? Independent else { return nil }
        ensure(q.reinterpretedBatchDimensions == reinterpretedBatchDimensions && q.eventShape == eventShape,
                     "klDivergence(Independent, Independent): reinterpreted dimensions differ (\(reinterpretedBatchDimensions), event shape \(shapeString(eventShape)) vs \(q.reinterpretedBatchDimensions), event shape \(shapeString(q.eventShape)))")
        guard let kl = KLDivergence.analytic(base, q.base) else { return nil }
        return sumReinterpreted(kl)
    }
}
