import LatentCore

/// The exponential map y = eˣ from the reals to the positive reals.
///
/// log |dy/dx| = x; the inverse is x = log y with log |dx/dy| = −log y.
public struct Exp: Bijector, Sendable {
    public init() {}
    public var eventRank: Int { 0 }
    public var domain: Constraint { .real }
    public var codomain: Constraint { .positive }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor) { (x.exp(), x) }

    public func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor) {
        let x = y.log()
        return (x, -x)
    }
}
