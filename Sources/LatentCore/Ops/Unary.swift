/// Elementwise unary math: roots, absolute value, square, sine and cosine, and the
/// piecewise-constant functions floor, round and sign.
extension Tensor {
    /// Applies a `SIMD16` kernel to every element (the tail through the same kernel, so
    /// every element gets the same bits wherever it sits). The result is not recorded.
    func vectorMap(_ kernel: (SIMD16<Float>) -> SIMD16<Float>) -> Tensor {
        unaryKernel(kernel, { VectorMath.scalar($0, kernel) })
    }

    /// Applies a scalar function to every element, lane by lane. The result is not recorded.
    func scalarMap(_ function: (Float) -> Float) -> Tensor {
        unaryKernel({ v in
            var r = v
            for i in 0..<16 { r[i] = function(v[i]) }
            return r
        }, function)
    }

    /// √x, elementwise (NaN below 0).
    ///
    /// Gradient: 1/(2√x) (∞ at 0, as in PyTorch).
    public func sqrt() -> Tensor {
        let out = vectorMap { $0.squareRoot() }
        return Tensor.record("sqrt", inputs: [self], output: out) { ctx in [ctx.gradient / (ctx.output * 2)] }
    }

    /// 1/√x, elementwise (an exact division, not a hardware estimate).
    ///
    /// Gradient: −½ x^(−3/2) = −½ · output³.
    public func rsqrt() -> Tensor {
        let out = vectorMap { 1 / $0.squareRoot() }
        return Tensor.record("rsqrt", inputs: [self], output: out) { ctx in
            let y = ctx.output
            return [ctx.gradient * y * y * y * -0.5]
        }
    }

    /// |x|, elementwise.
    ///
    /// Gradient: sign(x), which is 0 at x = 0 (as in PyTorch).
    public func abs() -> Tensor {
        let out = vectorMap { VectorMath.abs($0) }
        return Tensor.record("abs", inputs: [self], output: out) { ctx in [ctx.gradient * ctx.inputs[0].sign()] }
    }

    /// x², elementwise.
    ///
    /// Gradient: 2x.
    public func square() -> Tensor {
        let out = vectorMap { $0 * $0 }
        return Tensor.record("square", inputs: [self], output: out) { ctx in [ctx.gradient * ctx.inputs[0] * 2] }
    }

    /// sin x, elementwise (x in radians).
    ///
    /// Gradient: cos x.
    public func sin() -> Tensor {
        let out = vectorMap { VectorMath.sin($0) }
        return Tensor.record("sin", inputs: [self], output: out) { ctx in [ctx.gradient * ctx.inputs[0].cos()] }
    }

    /// cos x, elementwise (x in radians).
    ///
    /// Gradient: −sin x.
    public func cos() -> Tensor {
        let out = vectorMap { VectorMath.cos($0) }
        return Tensor.record("cos", inputs: [self], output: out) { ctx in [-(ctx.gradient * ctx.inputs[0].sin())] }
    }

    /// ⌊x⌋, elementwise. Piecewise constant: never recorded, its gradient is zero.
    public func floor() -> Tensor {
        vectorMap { VectorMath.floor($0) }
    }

    /// x rounded to the nearest integer, ties to even (as `torch.round`). Piecewise
    /// constant: never recorded, its gradient is zero.
    public func rounded() -> Tensor {
        vectorMap { VectorMath.round($0) }
    }

    /// −1, 0 or 1 by the sign of x (NaN stays NaN; ±0 give 0). Piecewise constant:
    /// never recorded, its gradient is zero.
    public func sign() -> Tensor {
        vectorMap { x in
            SIMD16<Float>(repeating: 0)
                .replacing(with: 1, where: x .> 0)
                .replacing(with: -1, where: x .< 0)
                .replacing(with: x, where: x .!= x)
        }
    }
}
