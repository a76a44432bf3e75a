/// Batched, broadcasting matrix multiplication.
extension Tensor {
    /// Swaps the last two axes (a matrix transpose, batched over leading axes).
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transposed: needs rank >= 2, got shape \(shapeString(shape))")
        let r = shape[rank - 2], c = shape[rank - 1]
        let batch = scalarCount / max(r * c, 1)
        var newShape = shape
        newShape.swapAt(rank - 2, rank - 1)
        let out = Tensor(shape: newShape) { o, _ in
            let x = storage.pointer
            for b in 0..<batch {
                let xs = x + b * r * c, os = o + b * r * c
                for i in 0..<r { for j in 0..<c { os[j * r + i] = xs[i * c + j] } }
            }
        }
        return Tensor.record("transpose", inputs: [self], output: out) { ctx in [ctx.gradient.transposed()] }
    }
}

/// Validates operand shapes of `matmul` and returns the output shape.
public func matmulShape(_ a: [Int], _ b: [Int]) throws(ShapeError) -> [Int] {
    guard a.count >= 2, b.count >= 2 else {
        throw ShapeError(op: "matmul", "operands need rank >= 2, got shapes \(shapeString(a)) and \(shapeString(b))")
    }
    guard a[a.count - 1] == b[b.count - 2] else {
        throw ShapeError(op: "matmul", "inner dimensions differ: shapes \(shapeString(a)) and \(shapeString(b))")
    }
    let batch = try Shape.broadcast(Array(a.dropLast(2)), Array(b.dropLast(2)), op: "matmul")
    return batch + [a[a.count - 2], b[b.count - 1]]
}

/// Matrix product `a · b` over the last two axes, broadcasting leading (batch) axes.
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
    let outShape = checkShapes { () throws(ShapeError) in try matmulShape(a.shape, b.shape) }
    let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
    let batchShape = Array(outShape.dropLast(2))
    let batch = Shape.count(batchShape)
    let ab = a.broadcast(to: batchShape + [m, k]).detached()
    let bb = b.broadcast(to: batchShape + [k, n]).detached()
    let out = Tensor(shape: outShape) { c, _ in
        for i in 0..<batch {
            GEMM.multiply(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                          a: ab.storage.pointer + i * m * k, lda: k, b: bb.storage.pointer + i * k * n, ldb: n,
                          beta: 0, c: c + i * m * n, ldc: n)
        }
    }
    return Tensor.record("matmul", inputs: [a, b], output: out) { ctx in
        let (a, b, g) = (ctx.inputs[0], ctx.inputs[1], ctx.gradient)
        return [ctx.needsGradient(0) ? matmul(g, b.transposed()).sum(toShape: a.shape) : nil,
                ctx.needsGradient(1) ? matmul(a.transposed(), g).sum(toShape: b.shape) : nil]
    }
}
