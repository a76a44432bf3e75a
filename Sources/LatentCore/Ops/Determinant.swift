import Foundation

/// Determinants of (batches of) square matrices, through an LU factorisation.
extension Tensor {
    /// log |det A| for each square matrix over the last two axes: `[..., n, n]` → `[...]`.
    ///
    /// Computed in Double from an LU factorisation with partial pivoting,
    /// `log |det A| = Σᵢ log |Uᵢᵢ|`; a singular matrix gives −∞. Backward:
    /// `Ā = ḡ · A⁻ᵀ`, written with ``inverse()`` so that it is differentiable again.
    public func logAbsDeterminant() -> Tensor {
        let (logAbs, _) = determinantParts(op: "logAbsDeterminant")
        return Tensor.record("logAbsDeterminant", inputs: [self], output: logAbs) { ctx in
            let a = ctx.inputs[0]
            let g = ctx.gradient.reshaped(to: ctx.gradient.shape + [1, 1])
            return [g * a.inverse().transposed()]
        }
    }

    /// sign(det A) (−1, 0 or 1) for each square matrix over the last two axes; not
    /// differentiable (an untracked tensor of shape `[...]`).
    public func determinantSign() -> Tensor {
        determinantParts(op: "determinantSign").sign
    }

    /// det A for each square matrix over the last two axes: `sign · exp(log |det A|)`.
    ///
    /// For large matrices prefer ``logAbsDeterminant()``, which does not overflow.
    public func determinant() -> Tensor {
        determinantSign() * logAbsDeterminant().exp()
    }

    /// Untracked log |det| and sign for every matrix of the batch.
    private func determinantParts(op: String) -> (logAbs: Tensor, sign: Tensor) {
        let n = checkShapes { () throws(ShapeError) in try squareMatrixShape(shape, op: op) }
        let batchShape = Array(shape.dropLast(2))
        let matrices = Shape.count(batchShape)
        let sign = TensorStorage(uninitializedCount: matrices)
        let logAbs = Tensor(shape: batchShape) { out, _ in
            let x = storage.pointer, s = sign.pointer
            DenseLinearAlgebra.forEachMatrix(count: matrices, cost: n * n * n + 1) { b in
                let (l, sg) = DenseLinearAlgebra.luFactor(x + b * n * n, n: n).logAbsDeterminantAndSign
                out[b] = Float(l)
                s[b] = Float(sg)
            }
        }
        return (logAbs, Tensor(shape: batchShape, storage: sign))
    }
}
