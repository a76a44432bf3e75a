/// The exponential and the natural logarithm (elementwise), with their accurate
/// variants near zero: eˣ − 1 and ln(1 + x).
extension Tensor {
    /// eˣ, elementwise. Overflows to ∞ above ≈ 88.72 and reaches 0 below ≈ −103.97.
    ///
    /// Gradient: ∂eˣ/∂x = eˣ.
    public func exp() -> Tensor {
        let out = vectorMap { VectorMath.exp($0) }
        return Tensor.record("exp", inputs: [self], output: out) { ctx in [ctx.gradient * ctx.output] }
    }

    /// ln x, elementwise: −∞ at 0, NaN below 0.
    ///
    /// Gradient: ∂ ln x/∂x = 1/x.
    public func log() -> Tensor {
        let out = vectorMap { VectorMath.log($0) }
        return Tensor.record("log", inputs: [self], output: out) { ctx in [ctx.gradient / ctx.inputs[0]] }
    }

    /// ln(1 + x), elementwise, accurate for small |x| (where `(1 + x).log()` is not).
    ///
    /// Gradient: 1/(1 + x).
    public func log1p() -> Tensor {
        let out = vectorMap { VectorMath.log1p($0) }
        return Tensor.record("log1p", inputs: [self], output: out) { ctx in [ctx.gradient / (ctx.inputs[0] + 1)] }
    }

    /// eˣ − 1, elementwise, accurate for small |x| (where `x.exp() - 1` is not).
    ///
    /// Gradient: eˣ = output + 1.
    public func expm1() -> Tensor {
        let out = vectorMap { VectorMath.expm1($0) }
        return Tensor.record("expm1", inputs: [self], output: out) { ctx in [ctx.gradient * (ctx.output + 1)] }
    }
}
