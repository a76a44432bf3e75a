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
    let shape = checkShapes { () throws(ShapeError) in try Shape.broadcast(a.shape, x.shape, op: "regularizedGammaP") }
    let ab = a.detached().broadcast(to: shape), xb = x.detached().broadcast(to: shape)
    let out = Tensor(shape: shape) { o, n in
        let pa = ab.storage.pointer, px = xb.storage.pointer
        Parallel.forEachChunk(count: n, minimumChunk: 256) { r in
            for i in r { o[i] = Float(IncompleteGamma.regularizedLower(Double(pa[i]), Double(px[i]))) }
        }
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
