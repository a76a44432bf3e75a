import LatentCore

/// The regularised lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a), elementwise
/// with broadcasting (`torch.special.gammainc`, `scipy.special.gammainc`): the CDF of
/// Gamma(a, 1) at x. Computed in Double (see ``IncompleteGamma``).
///
/// Gradients: ∂P/∂x = x^{a−1}e^{−x}/Γ(a) (differentiable again), and
/// ∂P/∂a = −(∂P/∂x)·dz/da with dz/da from ``standardGammaSampleDerivative(_:concentration:)``
/// (first order only in a).
///
/// - Parameters:
///   - a: Concentrations, a > 0.
///   - x: Points, x ≥ 0 (P = 0 below 0).
public func regularizedGammaP(_ a: Tensor, _ x: Tensor) -> Tensor {
    let out = Tensor.elementwise(a, x, op: "regularizedGammaP") { a, x in
        Float(IncompleteGamma.regularizedLower(Double(a), Double(x)))
    }
    return Tensor.record("regularizedGammaP", inputs: [a, x], output: out) { ctx in
        let (a, x, g) = (ctx.inputs[0], ctx.inputs[1], ctx.gradient)
        // The density at x, zero for x ≤ 0.
        let inside = x .> 0
        let safeX = `where`(inside, x, Tensor(1))
        let density = `where`(inside, ((a - 1) * safeX.log() - safeX - a.lgamma()).exp(), Tensor(0))
        return [ctx.needsGradient(0)
                    ? (-g * density * standardGammaSampleDerivative(safeX, concentration: a)).sum(toShape: a.shape) : nil,
                ctx.needsGradient(1) ? (g * density).sum(toShape: x.shape) : nil]
    }
}
