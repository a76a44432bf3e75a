/// Activation functions: tanh, the logistic family (sigmoid, log-sigmoid, softplus,
/// SiLU), the rectifier family (ReLU, leaky ReLU, ELU), GELU and clamping.
extension Tensor {
    /// tanh x, elementwise.
    ///
    /// Gradient: 1 − tanh²x.
    public func tanh() -> Tensor {
        let out = vectorMap { VectorMath.tanh($0) }
        return Tensor.record("tanh", inputs: [self], output: out) { ctx in
            [ctx.gradient * (1 - ctx.output * ctx.output)]
        }
    }

    /// The logistic sigmoid σ(x) = 1/(1 + e⁻ˣ), elementwise; stable for any x
    /// (σ(−100) ≈ 3.7e−44 is not flushed to 0).
    ///
    /// Gradient: σ(x)(1 − σ(x)).
    public func sigmoid() -> Tensor {
        let out = vectorMap { VectorMath.sigmoid($0) }
        return Tensor.record("sigmoid", inputs: [self], output: out) { ctx in
            let y = ctx.output
            return [ctx.gradient * y * (1 - y)]
        }
    }

    /// ln σ(x) = −softplus(−x), elementwise; finite for every finite x
    /// (ln σ(−10⁴) = −10⁴).
    ///
    /// Gradient: 1 − σ(x) = σ(−x).
    public func logSigmoid() -> Tensor {
        let out = vectorMap { VectorMath.logSigmoid($0) }
        return Tensor.record("logSigmoid", inputs: [self], output: out) { ctx in
            [ctx.gradient * (-ctx.inputs[0]).sigmoid()]
        }
    }

    /// softplus(x) = ln(1 + eˣ) = max(x, 0) + ln(1 + e^{−|x|}), elementwise; finite for
    /// every finite x.
    ///
    /// Gradient: σ(x).
    public func softplus() -> Tensor {
        let out = vectorMap { VectorMath.softplus($0) }
        return Tensor.record("softplus", inputs: [self], output: out) { ctx in
            [ctx.gradient * ctx.inputs[0].sigmoid()]
        }
    }

    /// max(x, 0), elementwise (NaN stays NaN).
    ///
    /// Gradient: 1 where x > 0, else 0 (0 at x = 0, as in PyTorch).
    public func relu() -> Tensor {
        let out = vectorMap { $0.replacing(with: 0, where: $0 .<= 0) }
        return Tensor.record("relu", inputs: [self], output: out) { ctx in
            [ctx.gradient * (ctx.inputs[0] .> 0)]
        }
    }

    /// x for x > 0, `negativeSlope`·x otherwise, elementwise.
    ///
    /// Gradient: 1 where x > 0, else `negativeSlope` (also at x = 0, as in PyTorch).
    /// - Parameter negativeSlope: The slope for x ≤ 0.
    public func leakyRelu(negativeSlope: Float = 0.01) -> Tensor {
        let out = vectorMap { $0.replacing(with: negativeSlope * $0, where: $0 .<= 0) }
        return Tensor.record("leakyRelu", inputs: [self], output: out) { ctx in
            let positive = ctx.inputs[0] .> 0
            return [ctx.gradient * (positive * (1 - negativeSlope) + negativeSlope)]
        }
    }

    /// ELU: x for x > 0, α(eˣ − 1) otherwise, elementwise (Clevert et al. 2015).
    ///
    /// Gradient: 1 where x > 0, else αeˣ = output + α.
    /// - Parameter alpha: The value approached as x → −∞ is −α.
    public func elu(alpha: Float = 1) -> Tensor {
        let out = vectorMap { x in x.replacing(with: alpha * VectorMath.expm1(x), where: x .<= 0) }
        return Tensor.record("elu", inputs: [self], output: out) { ctx in
            let positive = ctx.inputs[0] .> 0
            return [ctx.gradient * Tensor.where(positive, Tensor(1), ctx.output + alpha)]
        }
    }

    /// GELU, x·Φ(x) with Φ the standard normal CDF (Hendrycks & Gimpel 2016).
    ///
    /// Exact: ½x·erfc(−x/√2). Approximate: ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as
    /// `torch.nn.functional.gelu(approximate="tanh")`.
    ///
    /// Gradient (exact): Φ(x) + x·φ(x), with φ(x) = e^{−x²/2}/√(2π). Gradient
    /// (approximate): with u = √(2/π)(x + 0.044715x³) and s = σ(2u) = ½(1 + tanh u):
    /// s + 2x·s(1 − s)·u′, u′ = √(2/π)(1 + 3·0.044715x²).
    /// - Parameter approximate: Use the tanh approximation.
    public func gelu(approximate: Bool = false) -> Tensor {
        if approximate {
            return Tensor.record("gelu", inputs: [self], output: vectorMap { VectorMath.geluTanh($0) }) { ctx in
                let x = ctx.inputs[0]
                let k: Float = 0.7978845608028654   // √(2/π)
                let u = (x + x * x * x * 0.044715) * k
                let s = (u * 2).sigmoid()
                let du = (x * x * (3 * 0.044715) + 1) * k
                return [ctx.gradient * (s + x * s * (1 - s) * du * 2)]
            }
        }
        return Tensor.record("gelu", inputs: [self], output: vectorMap { VectorMath.gelu($0) }, fusedBackward: { ctx in
            // One pass that takes Φ(x) = gelu(x)/x from the output instead of a second erfc.
            [Tensor.geluGradient(input: ctx.inputs[0], output: ctx.output, gradient: ctx.gradient)]
        }, composedBackward: { ctx in
            let x = ctx.inputs[0]
            let cdf = (x * -0.7071067811865476).erfc() * 0.5
            let density = (x * x * -0.5).exp() * 0.3989422804014327   // 1/√(2π)
            return [ctx.gradient * (cdf + x * density)]
        })
    }

    /// The first-order gradient of the exact GELU, `g · (Φ(x) + x·φ(x))`, in one pass, with
    /// `Φ(x) = y / x` read from the output `y = x·Φ(x)` (½ at x = 0). Not differentiable:
    /// recorded backward passes use the composed form in ``gelu(approximate:)``.
    static func geluGradient(input x: Tensor, output y: Tensor, gradient g: Tensor) -> Tensor {
        ensure(x.shape == y.shape && x.shape == g.shape, "geluGradient: shapes \(shapeString(x.shape)), \(shapeString(y.shape)), \(shapeString(g.shape)) differ")
        return Tensor(shape: x.shape) { out, count in
            let pointers = UncheckedSendable((x.storage.pointer, y.storage.pointer, g.storage.pointer))
            Parallel.forEachChunk(count: count, minimumChunk: Elementwise.parallelGrain) { range in
                let (px, py, pg) = pointers.value
                var i = range.lowerBound
                while i < range.upperBound {
                    let w = Swift.min(16, range.upperBound - i)
                    let d = VectorMath.geluDerivative(VectorMath.load(px + i, w),
                                                      output: VectorMath.load(py + i, w))
                    VectorMath.store(d * VectorMath.load(pg + i, w), out + i, w)
                    i += 16
                }
            }
        }
    }

    /// SiLU (swish), x·σ(x), elementwise (Elfwing et al. 2017, Ramachandran et al. 2017).
    ///
    /// Gradient: σ(x)(1 + x(1 − σ(x))).
    public func silu() -> Tensor {
        let out = vectorMap { VectorMath.silu($0) }
        return Tensor.record("silu", inputs: [self], output: out) { ctx in
            let x = ctx.inputs[0]
            let s = x.sigmoid()
            return [ctx.gradient * s * (x * (1 - s) + 1)]
        }
    }

    /// Each element limited to [min, max]; a `nil` bound is no bound. NaN stays NaN; if
    /// min > max every element becomes max (as `torch.clamp`).
    ///
    /// Gradient: 1 where min ≤ x ≤ max (bounds included, as in PyTorch), else 0.
    public func clamped(min: Float? = nil, max: Float? = nil) -> Tensor {
        let lower = min ?? -.infinity, upper = max ?? .infinity
        let out = vectorMap { x in x.replacing(with: lower, where: x .< lower).replacing(with: upper, where: x .> upper) }
        return Tensor.record("clamp", inputs: [self], output: out) { ctx in
            let x = ctx.inputs[0]
            return [ctx.gradient * ((x .>= lower) * (x .<= upper))]
        }
    }
}
