/// Solves triangular linear systems `op(A) X = B`, batched over leading axes.
///
/// `op(A)` is `A` or, with `transpose`, `Aᵀ`. Only the triangle of `A` named by `lower` is
/// read (and not its diagonal with `unitDiagonal`, which is then taken to be all ones).
/// Batch axes of `A` and `B` broadcast. Computed in Double by forward or back
/// substitution; a zero on the diagonal gives non-finite results.
///
/// Backward, with `X` the solution and `Ḡ = ∂L/∂X`:
///
///     B̄ = op(A)⁻ᵀ Ḡ            (the same solve with `transpose` flipped)
///     op(A)‾ = −B̄ Xᵀ,  i.e.  Ā = −B̄ Xᵀ  or, transposed,  Ā = −X B̄ᵀ,
///
/// masked to the triangle that was read and summed over broadcast batch axes.
///
/// - Parameters:
///   - a: Triangular matrices, shape `[..., n, n]`.
///   - b: Right-hand sides, shape `[..., n, k]`.
///   - lower: Whether `A` is lower (else upper) triangular.
///   - transpose: Solve `Aᵀ X = B` instead.
///   - unitDiagonal: Assume ones on the diagonal of `A`.
/// - Returns: `X`, shape `broadcast(batch) + [n, k]`.
public func triangularSolve(_ a: Tensor, _ b: Tensor, lower: Bool = true, transpose: Bool = false,
                            unitDiagonal: Bool = false) -> Tensor {
    let outShape = checkShapes { () throws(ShapeError) in try linearSystemShape(a.shape, b.shape, op: "triangularSolve") }
    let n = outShape[outShape.count - 2], k = outShape[outShape.count - 1]
    let batchShape = Array(outShape.dropLast(2))
    let aIndex = DenseLinearAlgebra.broadcastBatchIndices(Array(a.shape.dropLast(2)), to: batchShape)
    let bIndex = DenseLinearAlgebra.broadcastBatchIndices(Array(b.shape.dropLast(2)), to: batchShape)
    let out = Tensor(shape: outShape) { x, _ in
        let pa = a.storage.pointer, pb = b.storage.pointer
        DenseLinearAlgebra.forEachMatrix(count: aIndex.count, cost: n * n * k + 1) { i in
            DenseLinearAlgebra.triangularSolve(pa + aIndex[i] * n * n, pb + bIndex[i] * n * k, x + i * n * k,
                                               n: n, k: k, lower: lower, transpose: transpose, unitDiagonal: unitDiagonal)
        }
    }
    return Tensor.record("triangularSolve", inputs: [a, b], output: out) { ctx in
        let (a, x, g) = (ctx.inputs[0], ctx.output, ctx.gradient)
        let gb = triangularSolve(a, g, lower: lower, transpose: !transpose, unitDiagonal: unitDiagonal)
        var ga: Tensor?
        if ctx.needsGradient(0) {
            let full = transpose ? -matmul(x, gb.transposed()) : -matmul(gb, x.transposed())
            let masked = lower ? full.lowerTriangular(diagonalOffset: unitDiagonal ? -1 : 0)
                               : full.upperTriangular(diagonalOffset: unitDiagonal ? 1 : 0)
            ga = masked.sum(toShape: a.shape)
        }
        return [ga, ctx.needsGradient(1) ? gb.sum(toShape: ctx.inputs[1].shape) : nil]
    }
}
