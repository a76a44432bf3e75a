import LatentCore

/// The continuous uniform distribution on [low, high).
///
///     log p(x) = −ln(high − low)  for low ≤ x < high,  −∞ otherwise
///
/// Parameters broadcast to the batch shape; the event shape is `[]`. `rsample` is
/// low + (high − low)·u with u ~ U[0, 1), differentiable in both bounds.
public struct Uniform: Distribution, Sendable {
    /// The lower bound, broadcast to the batch shape.
    public let low: Tensor
    /// The upper bound (> low), broadcast to the batch shape.
    public let high: Tensor
    public let batchShape: [Int]
    public var eventShape: [Int] { [] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .dependent }

    /// - Parameters:
    ///   - low: The inclusive lower bound (finite).
    ///   - high: The exclusive upper bound (finite, greater than `low`).
    public init(low: Tensor, high: Tensor) {
        batchShape = checkParameters { () throws(DistributionParameterError) in try Self.validate(low: low, high: high) }
        self.low = low.broadcast(to: batchShape)
        self.high = high.broadcast(to: batchShape)
    }

    /// Checks the parameters and returns the batch shape.
    public static func validate(low: Tensor, high: Tensor) throws(DistributionParameterError) -> [Int] {
        let shape = try DistributionValidation.broadcastShape("Uniform", [("low", low.shape), ("high", high.shape)])
        try DistributionValidation.requireFinite("Uniform", "low", low)
        try DistributionValidation.requireFinite("Uniform", "high", high)
        let l = low.detached().broadcast(to: shape).scalars, h = high.detached().broadcast(to: shape).scalars
        for i in 0..<l.count where !(l[i] < h[i]) {
            let place = shape.isEmpty ? "" : " at flat index \(i)"
            throw DistributionParameterError("Uniform", "low must be less than high, found low \(l[i]) and high \(h[i])\(place)")
        }
        return shape
    }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        low + (high - low) * generator.uniform(sampleShape + batchShape)
    }

    /// −ln(high − low) inside [low, high), −∞ outside.
    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        let inside = (value .>= low) * (value .< high)
        return `where`(inside, -(high - low).log(), Tensor(-Float.infinity))
    }

    public func entropy() -> Tensor { (high - low).log() }
    public var mean: Tensor { (low + high) * 0.5 }
    public var variance: Tensor { (high - low).square() / 12 }

    /// (x − low)/(high − low), clamped to [0, 1].
    public func cdf(_ value: Tensor) -> Tensor {
        _ = checkValue("cdf", value)
        return ((value - low) / (high - low)).clamped(min: 0, max: 1)
    }

    /// low + p·(high − low).
    public func icdf(_ probability: Tensor) -> Tensor {
        _ = checkValue("icdf", probability)
        return low + probability * (high - low)
    }
}

extension Uniform: AnalyticKLDivergence {
    /// ln((b₂ − a₂)/(b₁ − a₁)) when [a₁, b₁] ⊆ [a₂, b₂], +∞ otherwise (as PyTorch).
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? Uniform else { return nil }
        let nested = (q.low .<= low) * (high .<= q.high)
        return `where`(nested, ((q.high - q.low) / (high - low)).log(), Tensor(Float.infinity))
    }
}

extension Uniform {
    /// The same distribution with its parameters broadcast to `batchShape` (samples are
    /// independent along the new dimensions).
    public func expand(_ batchShape: [Int]) -> Uniform {
        checkExpansion(to: batchShape)
        return Uniform(low: low.broadcast(to: batchShape), high: high.broadcast(to: batchShape))
    }
}
