import LatentCore

/// A distribution broadcast to a larger batch shape, with independent draws along the
/// new dimensions.
///
/// The new batch shape must be a broadcast of the base's (extra leading dimensions, or
/// size-1 dimensions enlarged). `logProb`, `entropy`, `mean`, `variance`, `cdf` and
/// `icdf` are the base's, broadcast. Samples are *not* copies: the base draws one sample
/// per new batch element, then the draws are arranged into place.
///
/// ``Distribution/expand(_:)`` returns this wrapper for any distribution; the built-in
/// distributions have their own `expand` that broadcasts their parameters instead and
/// keeps their type (so analytic KL divergences still apply).
public struct Expanded: Distribution {
    /// The underlying distribution.
    public let base: any Distribution
    public let batchShape: [Int]
    public var eventShape: [Int] { base.eventShape }
    public var hasRSample: Bool { base.hasRSample }
    public var support: Constraint { base.support }

    /// - Parameters:
    ///   - base: The distribution to expand.
    ///   - batchShape: A shape the base's batch shape broadcasts to.
    public init(_ base: any Distribution, batchShape: [Int]) {
        checkParameters { () throws(DistributionParameterError) in
            try DistributionValidation.expansion("\(type(of: base))", from: base.batchShape, to: batchShape)
        }
        self.base = base
        self.batchShape = batchShape
    }

    /// Draws `sampleShape + leading + enlarged` from the base, then moves the enlarged
    /// dimensions into the place of the base's size-1 dimensions.
    func arrange(_ sampleShape: [Int], _ draw: ([Int]) -> Tensor) -> Tensor {
        let baseShape = base.batchShape
        let leading = Array(batchShape.prefix(batchShape.count - baseShape.count))
        let trailing = Array(batchShape.suffix(baseShape.count))
        let enlarged = (0..<baseShape.count).filter { baseShape[$0] != trailing[$0] }
        let x = draw(sampleShape + leading + enlarged.map { trailing[$0] })
        if enlarged.isEmpty { return x }
        // x: S + L + K + B + E. Drop B's enlarged (size-1) axes, then interleave K back.
        let front = sampleShape.count + leading.count
        let kept = (0..<baseShape.count).filter { !enlarged.contains($0) }
        let event = base.eventShape
        let squeezedShape = sampleShape + leading + enlarged.map { trailing[$0] } + kept.map { baseShape[$0] } + event
        let y = x.reshaped(to: squeezedShape)
        var axes = Array(0..<front)
        for j in 0..<baseShape.count {
            if let k = enlarged.firstIndex(of: j) { axes.append(front + k) } else {
                axes.append(front + enlarged.count + kept.firstIndex(of: j)!)
            }
        }
        axes += (0..<event.count).map { front + baseShape.count + $0 }
        return y.permuted(axes)
    }

    public func sample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        var g = generator
        let result = arrange(sampleShape) { base.sample($0, generator: &g) }
        generator = g
        return result
    }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        var g = generator
        let result = arrange(sampleShape) { base.rsample($0, generator: &g) }
        generator = g
        return result
    }

    public func logProb(_ value: Tensor) -> Tensor {
        base.logProb(value).broadcast(to: checkValue("logProb", value))
    }

    public func entropy() -> Tensor { base.entropy().broadcast(to: batchShape) }
    public var mean: Tensor { base.mean.broadcast(to: batchShape + eventShape) }
    public var variance: Tensor { base.variance.broadcast(to: batchShape + eventShape) }
    public func cdf(_ value: Tensor) -> Tensor { base.cdf(value).broadcast(to: checkValue("cdf", value)) }
    public func icdf(_ probability: Tensor) -> Tensor {
        base.icdf(probability).broadcast(to: checkValue("icdf", probability))
    }

    /// Expands the base again (no nested wrapper).
    public func expand(_ batchShape: [Int]) -> Expanded {
        checkExpansion(to: batchShape)
        return Expanded(base, batchShape: batchShape)
    }
}

extension Distribution {
    /// This distribution broadcast to `batchShape`, with independent samples along the new
    /// dimensions (`torch.distributions.Distribution.expand`). Built-in distributions
    /// return their own type with broadcast parameters; others an ``Expanded`` wrapper.
    public func expand(_ batchShape: [Int]) -> Expanded {
        Expanded(self, batchShape: batchShape)
    }

    /// Traps unless this distribution's batch shape broadcasts to `batchShape`.
    func checkExpansion(to batchShape: [Int]) {
        checkParameters { () throws(DistributionParameterError) in
            try DistributionValidation.expansion("\(Self.self)", from: self.batchShape, to: batchShape)
        }
    }
}

extension DistributionValidation {
    /// Checks that a batch shape can be expanded (broadcast) to `target`.
    public static func expansion(_ distribution: String, from shape: [Int], to target: [Int]) throws(DistributionParameterError) {
        do {
            try Shape.validateBroadcast(shape, to: target, op: "expand")
        } catch {
            throw DistributionParameterError("\(distribution).expand", "cannot expand batch shape \(shapeString(shape)) to \(shapeString(target))")
        }
    }
}

extension Expanded: AnalyticKLDivergence {
    /// The base's KL (against the other's base if it is also `Expanded`), broadcast.
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        let q = (other as? Expanded)?.base ?? other
        guard let kl = KLDivergence.analytic(base, q) else { return nil }
        let shape = checkShapes { () throws(ShapeError) in try Shape.broadcast(batchShape, other.batchShape, op: "klDivergence") }
        return kl.broadcast(to: shape)
    }
}
