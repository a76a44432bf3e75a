import LatentCore

/// The inverse of a bijector: forward and inverse (and their log-determinants, and the
/// input and output event ranks) swapped.
public struct Inverse: Bijector {
    /// The bijector being inverted.
    public let base: any Bijector

    public init(_ base: any Bijector) { self.base = base }

    public var eventRank: Int { base.outputEventRank }
    public var outputEventRank: Int { base.eventRank }
    public var domain: Constraint { base.codomain }
    public var codomain: Constraint { base.domain }

    public func forward(_ x: Tensor) -> Tensor { base.inverse(x) }
    public func inverse(_ y: Tensor) -> Tensor { base.forward(y) }
    public func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor) { base.inverseAndLogAbsDetJacobian(x) }
    public func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor) { base.forwardAndLogAbsDetJacobian(y) }
    public func forwardShape(_ shape: [Int]) -> [Int] { base.inverseShape(shape) }
    public func inverseShape(_ shape: [Int]) -> [Int] { base.forwardShape(shape) }
}

extension Bijector {
    /// This bijector run backwards (``Inverse``).
    public var inverted: Inverse { Inverse(self) }
}
