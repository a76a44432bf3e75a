/// Special functions: the error function and its complement, the log-gamma function
/// and its derivatives (digamma, polygamma).
///
/// The derivative chain lgamma → digamma → polygamma(1) → polygamma(2) → … is closed, so
/// gradients of every order work for all of them.
extension Tensor {
    /// The error function erf x = (2/√π) ∫₀ˣ e^{−t²} dt, elementwise.
    ///
    /// Gradient: (2/√π) e^{−x²}.
    public func erf() -> Tensor {
        let out = vectorMap { VectorMath.erf($0) }
        return Tensor.record("erf", inputs: [self], output: out) { ctx in
            let x = ctx.inputs[0]
            return [ctx.gradient * (x * x * -1).exp() * 1.1283791670955126]
        }
    }

    /// The complementary error function erfc x = 1 − erf x, elementwise, with full
    /// relative accuracy in the right tail (erfc 9 ≈ 4.1e−37).
    ///
    /// Gradient: −(2/√π) e^{−x²}.
    public func erfc() -> Tensor {
        let out = vectorMap { VectorMath.erfc($0) }
        return Tensor.record("erfc", inputs: [self], output: out) { ctx in
            let x = ctx.inputs[0]
            return [ctx.gradient * (x * x * -1).exp() * -1.1283791670955126]
        }
    }

    /// ln |Γ(x)|, elementwise (`torch.lgamma`): +∞ at 0 and the negative integers.
    ///
    /// Gradient: ψ(x) (``digamma()``).
    public func lgamma() -> Tensor {
        let out = scalarMap { Float(GammaFunctions.logGamma(Double($0))) }
        return Tensor.record("lgamma", inputs: [self], output: out) { ctx in
            [ctx.gradient * ctx.inputs[0].digamma()]
        }
    }

    /// The digamma function ψ(x) = d/dx ln Γ(x), elementwise: ∓∞ at ±0, NaN at the
    /// negative integers (as `torch.digamma`).
    ///
    /// Gradient: ψ⁽¹⁾(x) (``polygamma(_:)`` with n = 1).
    public func digamma() -> Tensor {
        let out = scalarMap { Float(GammaFunctions.digamma(Double($0))) }
        return Tensor.record("digamma", inputs: [self], output: out) { ctx in
            [ctx.gradient * ctx.inputs[0].polygamma(1)]
        }
    }

    /// The polygamma function ψ⁽ⁿ⁾(x) = dⁿ⁺¹/dxⁿ⁺¹ ln Γ(x), elementwise
    /// (`torch.polygamma(n, x)`): (−1)ⁿ⁺¹·∞ at the non-positive integers.
    ///
    /// Gradient: ψ⁽ⁿ⁺¹⁾(x).
    /// - Parameter n: The order, n ≥ 1 (n = 0 is ``digamma()``, also accepted).
    public func polygamma(_ n: Int) -> Tensor {
        ensure(n >= 0, "polygamma: order \(n) must be non-negative")
        if n == 0 { return digamma() }
        let out = scalarMap { Float(GammaFunctions.polygamma(n, Double($0))) }
        return Tensor.record("polygamma", inputs: [self], output: out) { ctx in
            [ctx.gradient * ctx.inputs[0].polygamma(n + 1)]
        }
    }
}
