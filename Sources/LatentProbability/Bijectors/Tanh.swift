import LatentCore

/// The hyperbolic tangent y = tanh x from the reals to (−1, 1).
///
/// log |dy/dx| = log(1 − tanh² x) = 2 (log 2 − x − softplus(−2x)), which stays exact for
/// large |x| where 1 − tanh² x underflows. Outputs are clamped to [−1 + ε, 1 − ε]
/// (ε = `Float.ulpOfOne`) so that y never rounds to ±1; the inverse
/// x = atanh y = ½ (log1p(y) − log1p(−y)) clamps its input the same way.
public struct Tanh: Bijector, Sendable {
    public init() {}
    public var eventRank: Int { 0 }
    public var domain: Constraint { .real }
    public var codomain: Constraint { .interval(lower: -1, upper: 1) }

    private static let bound: Float = 1 - Float.ulpOfOne

    public func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor) {
        (x.tanh().clamped(min: -Tanh.bound, max: Tanh.bound), Tanh.logDerivative(x))
    }

    public func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor) {
        let c = y.clamped(min: -Tanh.bound, max: Tanh.bound)
        let x = 0.5 * (c.log1p() - (-c).log1p())
        return (x, -Tanh.logDerivative(x))
    }

    /// log(1 − tanh² x) = 2 (log 2 − x − softplus(−2x)).
    static func logDerivative(_ x: Tensor) -> Tensor {
        2 * (Float(0.6931471805599453) - x - (-2 * x).softplus())
    }
}
