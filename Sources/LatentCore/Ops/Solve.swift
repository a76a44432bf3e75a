/// Solves general square linear systems `A X = B`, batched over leading axes.
///
/// Each system is solved in Double by LU factorisation with partial pivoting
/// (`P A = L U`). Batch axes of `A` and `B` broadcast.
///
/// Backward, with `X` the solution and `Ḡ = ∂L/∂X`: `B̄ = A⁻ᵀ Ḡ = solve(Aᵀ, Ḡ)` and
/// `Ā = −B̄ Xᵀ` (summed over broadcast batch axes); both are differentiable.
///
/// - Parameters:
///   - a: Invertible matrices, shape `[..., n, n]`.
///   - b: Right-hand sides, shape `[..., n, k]`.
/// - Returns: `X = A⁻¹ B`, shape `broadcast(batch) + [n, k]`. Traps, naming the batch
///   index, if a matrix is exactly singular.
public func solve(_ a: Tensor, _ b: Tensor) -> Tensor {
    let outShape = checkShapes { () throws(ShapeError) in try linearSystemShape(a.shape, b.shape, op: "solve") }
    let n = outShape[outShape.count - 2], k = outShape[outShape.count - 1]
    let batchShape = Array(outShape.dropLast(2))
    let aIndex = DenseLinearAlgebra.broadcastBatchIndices(Array(a.shape.dropLast(2)), to: batchShape)
    let bIndex = DenseLinearAlgebra.broadcastBatchIndices(Array(b.shape.dropLast(2)), to: batchShape)
    var singular = [Bool](repeating: false, count: aIndex.count)
    let out = Tensor(shape: outShape) { x, _ in
        let pa = a.storage.pointer, pb = b.storage.pointer
        singular.withUnsafeMutableBufferPointer { s in
            let flags = s.baseAddress!
            DenseLinearAlgebra.forEachMatrix(count: aIndex.count, cost: n * n * (n + k) + 1) { i in
                let lu = DenseLinearAlgebra.luFactor(pa + aIndex[i] * n * n, n: n)
                if lu.isSingular { flags[i] = true; return }
                lu.solve(pb + bIndex[i] * n * k, x + i * n * k, k: k)
            }
        }
    }
    if let i = singular.firstIndex(of: true) {
        fatalError("solve: matrix at batch index \(DenseLinearAlgebra.batchIndexDescription(i, batchShape: batchShape)) of shape \(shapeString(a.shape)) (right-hand side \(shapeString(b.shape))) is singular")
    }
    return Tensor.record("solve", inputs: [a, b], output: out) { ctx in
        let (a, x, g) = (ctx.inputs[0], ctx.output, ctx.gradient)
        let gb = solve(a.transposed(), g)
        return [ctx.needsGradient(0) ? (-matmul(gb, x.transposed())).sum(toShape: a.shape) : nil,
                ctx.needsGradient(1) ? gb.sum(toShape: ctx.inputs[1].shape) : nil]
    }
}

extension Tensor {
    /// The inverse of each square matrix over the last two axes: `solve(A, I)`.
    ///
    /// Differentiable through ``solve(_:_:)`` (`Ā = −A⁻ᵀ Ḡ A⁻ᵀ`). Prefer `solve(A, B)` to
    /// `matmul(A.inverse(), B)`: it is cheaper and more accurate.
    public func inverse() -> Tensor {
        let n = checkShapes { () throws(ShapeError) in try squareMatrixShape(shape, op: "inverse") }
        return solve(self, Tensor.eye(n))
    }
}
