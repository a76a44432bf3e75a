import LatentCore

/// The logistic sigmoid y = σ(x) = 1 / (1 + e⁻ˣ) from the reals to (0, 1).
///
/// log |dy/dx| = log σ(x) + log σ(−x) = −softplus(−x) − softplus(x), computed from x
/// (exact for any x). Outputs are clamped to [ε, 1 − ε] with ε = `Float.ulpOfOne`, as
/// `torch.distributions.SigmoidTransform` does, so that densities on (0, 1) stay finite;
/// the inverse clamps its input the same way: x = log y − log(1 − y).
public struct Sigmoid: Bijector, Sendable {
    public init() {}
    public var eventRank: Int { 0 }
    public var domain: Constraint { .real }
    public var codomain: Constraint { .unitInterval }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor) {
        (x.sigmoid().clampedProbabilities(), Sigmoid.logDerivative(x))
    }

    public func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor) {
        let p = y.clampedProbabilities()
        let logP = p.log(), logQ = (-p).log1p()
        return (logP - logQ, -(logP + logQ))
    }

    /// log σ′(x) = −softplus(−x) − softplus(x).
    static func logDerivative(_ x: Tensor) -> Tensor { -(-x).softplus() - x.softplus() }
}

/// The logit map y = log x − log(1 − x) from (0, 1) to the reals: the inverse of ``Sigmoid``.
///
/// log |dy/dx| = −log x − log(1 − x). Inputs are clamped to [ε, 1 − ε] (ε = `Float.ulpOfOne`).
public struct Logit: Bijector, Sendable {
    public init() {}
    public var eventRank: Int { 0 }
    public var domain: Constraint { .unitInterval }
    public var codomain: Constraint { .real }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor) {
        Sigmoid().inverseAndLogAbsDetJacobian(x)
    }

    public func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor) {
        Sigmoid().forwardAndLogAbsDetJacobian(y)
    }
}
