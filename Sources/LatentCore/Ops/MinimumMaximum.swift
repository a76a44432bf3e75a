/// Elementwise minimum and maximum of two tensors (broadcasting).
///
/// NaN propagates: if either element is NaN, so is the result (as `torch.maximum`).
/// Where the two are equal the gradient is split, half to each (as PyTorch does), so the
/// gradient of `maximum(x, x)` is still 1.

/// The elementwise maximum of `a` and `b`, broadcasting.
///
/// Gradient: to `a` where a > b, to `b` where b > a, half to each where a = b.
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
    let out = Tensor.binaryKernel("maximum", a, b, { x, y in y.replacing(with: x, where: (x .> y) .| (x .!= x)) },
                                  { x, y in x > y || x.isNaN ? x : y })
    return Tensor.record("maximum", inputs: [a, b], output: out) { ctx in
        let (a, b, g) = (ctx.inputs[0], ctx.inputs[1], ctx.gradient)
        let tie = (a .== b) * 0.5
        return [ctx.needsGradient(0) ? (g * ((a .> b) + tie)).sum(toShape: a.shape) : nil,
                ctx.needsGradient(1) ? (g * ((b .> a) + tie)).sum(toShape: b.shape) : nil]
    }
}

/// The elementwise minimum of `a` and `b`, broadcasting.
///
/// Gradient: to `a` where a < b, to `b` where b < a, half to each where a = b.
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
    let out = Tensor.binaryKernel("minimum", a, b, { x, y in y.replacing(with: x, where: (x .< y) .| (x .!= x)) },
                                  { x, y in x < y || x.isNaN ? x : y })
    return Tensor.record("minimum", inputs: [a, b], output: out) { ctx in
        let (a, b, g) = (ctx.inputs[0], ctx.inputs[1], ctx.gradient)
        let tie = (a .== b) * 0.5
        return [ctx.needsGradient(0) ? (g * ((a .< b) + tie)).sum(toShape: a.shape) : nil,
                ctx.needsGradient(1) ? (g * ((b .< a) + tie)).sum(toShape: b.shape) : nil]
    }
}

/// The elementwise maximum of `a` and a constant.
public func maximum(_ a: Tensor, _ b: Float) -> Tensor { maximum(a, Tensor(b)) }
/// The elementwise maximum of a constant and `b`.
public func maximum(_ a: Float, _ b: Tensor) -> Tensor { maximum(Tensor(a), b) }
/// The elementwise minimum of `a` and a constant.
public func minimum(_ a: Tensor, _ b: Float) -> Tensor { minimum(a, Tensor(b)) }
/// The elementwise minimum of a constant and `b`.
public func minimum(_ a: Float, _ b: Tensor) -> Tensor { minimum(Tensor(a), b) }
