import LatentCore

/// A bijector whose events include extra trailing dimensions: the base's
/// log-determinant is summed over them (`torch.distributions.IndependentTransform`).
///
/// Elementwise bijectors have event rank 0; `Exp().reinterpreting(eventRank: 1)` treats
/// each vector along the last axis as one event, with log |det J| = Σᵢ xᵢ.
public struct Reinterpreted: Bijector {
    /// The underlying bijector.
    public let base: any Bijector
    /// How many trailing dimensions are added to the base's events.
    public let extraRank: Int

    /// - Parameters:
    ///   - base: The bijector to wrap.
    ///   - extraRank: Trailing dimensions (beyond the base's events) to sum over; ≥ 0.
    public init(_ base: any Bijector, extraRank: Int) {
        ensure(extraRank >= 0, "Reinterpreted: extraRank must be non-negative, got \(extraRank)")
        self.base = base
        self.extraRank = extraRank
    }

    public var eventRank: Int { base.eventRank + extraRank }
    public var outputEventRank: Int { base.outputEventRank + extraRank }
    public var domain: Constraint { base.domain }
    public var codomain: Constraint { base.codomain }

    public func forward(_ x: Tensor) -> Tensor { base.forward(x) }
    public func inverse(_ y: Tensor) -> Tensor { base.inverse(y) }
    public func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor) {
        let (y, logDet) = base.forwardAndLogAbsDetJacobian(x)
        return (y, logDet.summedOverTrailingAxes(extraRank))
    }
    public func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor) {
        let (x, logDet) = base.inverseAndLogAbsDetJacobian(y)
        return (x, logDet.summedOverTrailingAxes(extraRank))
    }
    public func forwardShape(_ shape: [Int]) -> [Int] { base.forwardShape(shape) }
    public func inverseShape(_ shape: [Int]) -> [Int] { base.inverseShape(shape) }
}

extension Bijector {
    /// This bijector with events of rank `eventRank` (≥ its own): its log-determinant
    /// is summed over the extra trailing dimensions.
    public func reinterpreting(eventRank: Int) -> Reinterpreted {
        ensure(eventRank >= self.eventRank,
                     "reinterpreting: eventRank \(eventRank) is below the bijector's own event rank \(self.eventRank)")
        return Reinterpreted(self, extraRank: eventRank - self.eventRank)
    }
}
