/// Broadcasting arithmetic: + − × ÷ and negation.
extension Tensor {
    /// Applies a broadcasting binary kernel and returns the untracked result.
    static func binaryKernel(_ op: String, _ a: Tensor, _ b: Tensor,
                             _ vector: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>,
                             _ scalar: (Float, Float) -> Float) -> Tensor {
        let shape = checkShapes { () throws(ShapeError) in try Shape.broadcast(a.shape, b.shape, op: op) }
        return Tensor(shape: shape) { out, _ in
            Elementwise.broadcastZip(a, b, outShape: shape, out, vector, scalar)
        }
    }

    /// Applies a unary kernel and returns the untracked result.
    func unaryKernel(_ vector: (SIMD16<Float>) -> SIMD16<Float>, _ scalar: (Float) -> Float) -> Tensor {
        Tensor(shape: shape) { out, n in Elementwise.map(storage.pointer, out, count: n, vector, scalar) }
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let out = binaryKernel("add", a, b, { $0 + $1 }, { $0 + $1 })
        return record("add", inputs: [a, b], output: out) { ctx in
            [ctx.needsGradient(0) ? ctx.gradient.sum(toShape: ctx.inputs[0].shape) : nil,
             ctx.needsGradient(1) ? ctx.gradient.sum(toShape: ctx.inputs[1].shape) : nil]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let out = binaryKernel("subtract", a, b, { $0 - $1 }, { $0 - $1 })
        return record("subtract", inputs: [a, b], output: out) { ctx in
            [ctx.needsGradient(0) ? ctx.gradient.sum(toShape: ctx.inputs[0].shape) : nil,
             ctx.needsGradient(1) ? (-ctx.gradient).sum(toShape: ctx.inputs[1].shape) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let out = binaryKernel("multiply", a, b, { $0 * $1 }, { $0 * $1 })
        return record("multiply", inputs: [a, b], output: out) { ctx in
            let (a, b, g) = (ctx.inputs[0], ctx.inputs[1], ctx.gradient)
            return [ctx.needsGradient(0) ? (g * b).sum(toShape: a.shape) : nil,
                    ctx.needsGradient(1) ? (g * a).sum(toShape: b.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = binaryKernel("divide", a, b, { $0 / $1 }, { $0 / $1 })
        return record("divide", inputs: [a, b], output: out) { ctx in
            let (a, b, g) = (ctx.inputs[0], ctx.inputs[1], ctx.gradient)
            return [ctx.needsGradient(0) ? (g / b).sum(toShape: a.shape) : nil,
                    ctx.needsGradient(1) ? (-(g * ctx.output) / b).sum(toShape: b.shape) : nil]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor {
        let out = x.unaryKernel({ -$0 }, { -$0 })
        return record("negate", inputs: [x], output: out) { ctx in [-ctx.gradient] }
    }

    // Scalar conveniences (the scalar is a constant).
    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }

    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }
}
