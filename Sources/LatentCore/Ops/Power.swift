import Foundation

/// Powers: `x.pow(p)` for a constant exponent, `pow(a, b)` for tensor exponents.
///
/// Values follow C's `pow` (and PyTorch): `pow(x, 0) = 1` for every x, a negative base
/// with a non-integer exponent gives NaN, `pow(0, p) = ∞` for p < 0. As in PyTorch, the
/// exponents 2, 3, −1, −2, ½ and −½ are computed as products, quotients and square roots.
extension Tensor {
    /// xᵖ for a constant exponent p, elementwise.
    ///
    /// Gradient: p·xᵖ⁻¹ (0 when p = 0, even at x = 0).
    /// - Parameter exponent: The constant exponent p.
    public func pow(_ exponent: Float) -> Tensor {
        let p = exponent
        let out: Tensor
        switch p {
        case 0: out = Tensor.ones(shape)
        case 1: out = detached()
        case 2: out = vectorMap { $0 * $0 }
        case 3: out = vectorMap { $0 * $0 * $0 }
        case -1: out = vectorMap { 1 / $0 }
        case -2: out = vectorMap { 1 / ($0 * $0) }
        case 0.5: out = vectorMap { $0.squareRoot() }
        case -0.5: out = vectorMap { 1 / $0.squareRoot() }
        default: out = scalarMap { Foundation.pow($0, p) }
        }
        return Tensor.record("pow", inputs: [self], output: out) { ctx in
            if p == 0 { return [Tensor.zeros(ctx.inputs[0].shape)] }
            return [ctx.gradient * ctx.inputs[0].pow(p - 1) * p]
        }
    }

    /// selfᵇ elementwise, broadcasting; see ``pow(_:_:)-(Tensor,Tensor)``.
    public func pow(_ exponent: Tensor) -> Tensor { LatentCore.pow(self, exponent) }
}

/// aᵇ elementwise, broadcasting (`torch.pow`).
///
/// Gradients, with PyTorch's conventions at the edges:
/// - base: b·aᵇ⁻¹, and 0 wherever b = 0 (even at a = 0);
/// - exponent: aᵇ·ln a, and 0 wherever a = 0 and b ≥ 0; NaN for a < 0 (ln a is NaN).
public func pow(_ a: Tensor, _ b: Tensor) -> Tensor {
    let out = Tensor.binaryKernel("pow", a, b, { x, y in
        var r = x
        for i in 0..<16 { r[i] = Foundation.pow(x[i], y[i]) }
        return r
    }, { Foundation.pow($0, $1) })
    return Tensor.record("pow", inputs: [a, b], output: out) { ctx in
        let (a, b, g) = (ctx.inputs[0], ctx.inputs[1], ctx.gradient)
        var gradientA: Tensor?
        var gradientB: Tensor?
        if ctx.needsGradient(0) {
            gradientA = Tensor.where(b .== 0, Tensor(0), g * b * pow(a, b - 1)).sum(toShape: a.shape)
        }
        if ctx.needsGradient(1) {
            let zeroBase = (a .== 0) * (b .>= 0)
            gradientB = Tensor.where(zeroBase, Tensor(0), g * ctx.output * a.log()).sum(toShape: b.shape)
        }
        return [gradientA, gradientB]
    }
}

/// aᵖ elementwise for a constant exponent (same as `a.pow(p)`).
public func pow(_ a: Tensor, _ p: Float) -> Tensor { a.pow(p) }

/// cᵇ elementwise for a constant base c.
public func pow(_ c: Float, _ b: Tensor) -> Tensor { pow(Tensor(c), b) }
