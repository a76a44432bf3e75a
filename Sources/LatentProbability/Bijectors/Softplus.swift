import LatentCore

/// The softplus map y = log(1 + eˣ) from the reals to the positive reals.
///
/// log |dy/dx| = log σ(x) = −softplus(−x). The inverse is computed stably as
/// x = y + log(−expm1(−y)) with log |dx/dy| = −log(−expm1(−y)); inputs of the inverse
/// are clamped below at the smallest normal Float.
public struct Softplus: Bijector, Sendable {
    public init() {}
    public var eventRank: Int { 0 }
    public var domain: Constraint { .real }
    public var codomain: Constraint { .positive }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor) {
        (x.softplus(), x.logSigmoid())
    }

    public func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor) {
        let c = y.clamped(min: Float.leastNormalMagnitude)
        let logSigmoidX = (-(-c).expm1()).log()     // log σ(x) = log(1 − e^{−y})
        return (c + logSigmoidX, -logSigmoidX)
    }
}
