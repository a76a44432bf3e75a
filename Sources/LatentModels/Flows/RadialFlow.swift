import LatentCore
import LatentNN

/// A radial flow layer (Rezende & Mohamed 2015): f(z) = z + β·h(r)·(z − z₀) with
/// r = ‖z − z₀‖ and h(r) = 1/(α + r), for variational posteriors.
///
/// α = softplus(α̂) > 0 and β = −α + softplus(β̂) ≥ −α keep f invertible. With D the
/// dimension,
///
///     log |det ∂f/∂z| = (D − 1)·log(1 + βh) + log(1 + βh − βr/(α + r)²).
///
/// Inverse in closed form: ‖y − z₀‖ = r(1 + β/(α + r)) is a quadratic in r,
/// r = (−(α + β − ρ) + √((α + β − ρ)² + 4αρ))/2 with ρ = ‖y − z₀‖, and
/// z − z₀ = (y − z₀)/(1 + β/(α + r)).
public final class RadialFlow: Module, FlowTransform {
    @Parameter public var center: Tensor
    @Parameter public var alphaParameter: Tensor
    @Parameter public var betaParameter: Tensor
    public let dimension: Int
    public var eventRank: Int { 1 }

    public init(dimension: Int, generator: inout RandomGenerator) {
        self.dimension = dimension
        _center = Parameter(generator.normal([dimension]) * 0.1)
        _alphaParameter = Parameter(Tensor.zeros([1]))
        _betaParameter = Parameter(Tensor.zeros([1]))
    }

    private func coefficients() -> (alpha: Tensor, beta: Tensor) {
        let alpha = alphaParameter.softplus()
        return (alpha, betaParameter.softplus() - alpha)
    }

    private func check(_ x: Tensor) {
        checkShapes { () throws(ShapeError) in
            guard x.rank == 2, x.shape[1] == dimension else {
                throw ShapeError(op: "RadialFlow", "input of shape \(shapeString(x.shape)) is not [B, \(dimension)]")
            }
        }
    }

    private func logDet(r: Tensor, alpha: Tensor, beta: Tensor) -> Tensor {
        let h = 1 / (alpha + r)
        let first = Float(dimension - 1) * (1 + beta * h).log()
        let second = (1 + beta * h - beta * r * h.square()).log()
        return (first + second).reshaped(to: [r.shape[0]])
    }

    public func forwardAndLogAbsDetJacobian(_ z: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        check(z)
        let (alpha, beta) = coefficients()
        let d = z - center
        let r = (d.square().sum(alongAxis: 1, keepDims: true) + 1e-12).sqrt()
        let y = z + beta * d / (alpha + r)
        return (y, logDet(r: r, alpha: alpha, beta: beta))
    }

    public func inverseAndLogAbsDetJacobian(_ y: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        check(y)
        let (alpha, beta) = coefficients()
        let d = y - center
        let rho = (d.square().sum(alongAxis: 1, keepDims: true) + 1e-12).sqrt()
        let p = alpha + beta - rho
        let r = 0.5 * (-p + (p.square() + 4 * alpha * rho).sqrt())
        let z = center + d / (1 + beta / (alpha + r))
        return (z, -logDet(r: r, alpha: alpha, beta: beta))
    }
}
