import LatentCore
import LatentNN
import LatentProbability

/// A learnable invertible transform of a normalising flow: a ``Module`` (its parameters
/// train) that is also a ``Bijector``, optionally conditioned on a context vector.
///
/// **Direction convention** (the same as ``TransformedDistribution``): `forward` maps the
/// latent (base) space towards the data, `inverse` maps data towards the latent space.
/// A ``Flow`` evaluates densities with the inverse pass,
///
///     log p(x | c) = log p_base(z) + Σₖ log |det ∂fₖ⁻¹/∂yₖ|,   z = f⁻¹(x; c),
///
/// and samples with the forward pass. Masked autoregressive flows (MAF) are cheap in the
/// inverse direction (one network pass) and sequential in the forward one; inverse
/// autoregressive flows (IAF) the other way round.
///
/// Conformers implement the two context-taking methods; the context-free ``Bijector``
/// methods call them with `context: nil`.
public protocol FlowTransform: Module, Bijector {
    /// y = f(x; c) and log |det ∂f/∂x|, shape `x.shape.dropLast(eventRank)`.
    func forwardAndLogAbsDetJacobian(_ x: Tensor, context: Tensor?) -> (Tensor, Tensor)
    /// x = f⁻¹(y; c) and log |det ∂f⁻¹/∂y|.
    func inverseAndLogAbsDetJacobian(_ y: Tensor, context: Tensor?) -> (Tensor, Tensor)
}

extension FlowTransform {
    public var domain: Constraint { .realVector }
    public var codomain: Constraint { .realVector }
    public func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor) {
        forwardAndLogAbsDetJacobian(x, context: nil)
    }
    public func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor) {
        inverseAndLogAbsDetJacobian(y, context: nil)
    }
}

/// Builds the event-summed log-determinant of an elementwise map: sums the last `count` axes.
@inline(__always)
func sumTrailing(_ t: Tensor, _ count: Int) -> Tensor {
    count == 0 ? t : t.sum(alongAxes: Array((t.rank - count)..<t.rank))
}
