/// The Cholesky factorisation of (batches of) symmetric positive-definite matrices.
///
/// `A = L Lᵀ` with `L` lower triangular and a positive diagonal, computed in Double for
/// each `n × n` matrix over the last two axes. Only the lower triangle of `A` is read.
///
/// The backward rule treats `A` as symmetric (as PyTorch does): with `Φ(X)` the lower
/// triangle of `X` with its diagonal halved,
///
///     P = Φ(Lᵀ Ḡ),   Ā = L⁻ᵀ · ½(P + Pᵀ) · L⁻¹,
///
/// a symmetric gradient, built from differentiable ops (`matmul`, triangular masks and
/// two ``triangularSolve(_:_:lower:transpose:unitDiagonal:)`` calls), so it can be
/// differentiated again. To check it with finite differences, differentiate through a
/// symmetric parametrisation such as `cholesky((X + Xᵀ)/2)`.
///
/// From I. Murray, "Differentiation of the Cholesky decomposition" (2016).
///
/// - Parameter a: Symmetric positive-definite matrices, shape `[..., n, n]`.
/// - Returns: The lower factors `L`, shape `[..., n, n]`. Traps, naming the batch index,
///   if a matrix is not positive definite.
public func cholesky(_ a: Tensor) -> Tensor {
    let n = checkShapes { () throws(ShapeError) in try squareMatrixShape(a.shape, op: "cholesky") }
    let batchShape = Array(a.shape.dropLast(2))
    let matrices = Shape.count(batchShape)
    var failures = [Int](repeating: -1, count: matrices)
    let out = Tensor(shape: a.shape) { l, _ in
        let x = a.storage.pointer
        failures.withUnsafeMutableBufferPointer { f in
            let failed = f.baseAddress!
            DenseLinearAlgebra.forEachMatrix(count: matrices, cost: n * n * n / 3 + 1) { b in
                failed[b] = DenseLinearAlgebra.cholesky(x + b * n * n, l + b * n * n, n: n) ?? -1
            }
        }
    }
    if let b = failures.firstIndex(where: { $0 >= 0 }) {
        fatalError("cholesky: matrix at batch index \(DenseLinearAlgebra.batchIndexDescription(b, batchShape: batchShape)) of input shape \(shapeString(a.shape)) is not positive definite (its leading minor of order \(failures[b] + 1) is not positive)")
    }
    return Tensor.record("cholesky", inputs: [a], output: out) { ctx in
        let (l, g) = (ctx.output, ctx.gradient)
        let p = matmul(l.transposed(), g).lowerTriangular()
        let symmetric = (p + p.lowerTriangular(diagonalOffset: -1).transposed()) * 0.5
        let left = triangularSolve(l, symmetric, lower: true, transpose: true)            // L⁻ᵀ S
        let gradient = triangularSolve(l, left.transposed(), lower: true, transpose: true) // (L⁻ᵀ S L⁻¹)ᵀ
        return [gradient.transposed()]
    }
}
