import LatentCore

/// The identity map y = x, with log |det J| = 0.
///
/// Useful as a neutral element (an empty flow) and in tests.
public struct Identity: Bijector, Sendable {
    public let eventRank: Int
    public var domain: Constraint { .real }
    public var codomain: Constraint { .real }

    /// - Parameter eventRank: Trailing dimensions treated as one event (the zero
    ///   log-determinant has shape `x.shape.dropLast(eventRank)`).
    public init(eventRank: Int = 0) {
        ensure(eventRank >= 0, "Identity: negative eventRank \(eventRank)")
        self.eventRank = eventRank
    }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor) {
        (x, Tensor.zeros(Array(x.shape.dropLast(eventRank))))
    }

    public func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor) {
        (y, Tensor.zeros(Array(y.shape.dropLast(eventRank))))
    }
}
