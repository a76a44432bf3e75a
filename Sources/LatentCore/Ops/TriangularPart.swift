/// Lower and upper triangular parts of (batches of) matrices.
extension Tensor {
    /// The lower triangle: elements `(i, j)` with `j − i ≤ diagonalOffset` are kept, the
    /// rest set to zero (NumPy's `tril(x, k)`), over the last two axes.
    ///
    /// `diagonalOffset` 0 keeps the diagonal, −1 only the strictly lower part, 1 one
    /// superdiagonal more. The backward rule applies the same mask to the gradient.
    public func lowerTriangular(diagonalOffset: Int = 0) -> Tensor {
        triangularPart(lower: true, offset: diagonalOffset)
    }

    /// The upper triangle: elements `(i, j)` with `j − i ≥ diagonalOffset` are kept, the
    /// rest set to zero (NumPy's `triu(x, k)`), over the last two axes.
    public func upperTriangular(diagonalOffset: Int = 0) -> Tensor {
        triangularPart(lower: false, offset: diagonalOffset)
    }

    private func triangularPart(lower: Bool, offset: Int) -> Tensor {
        let op = lower ? "lowerTriangular" : "upperTriangular"
        let (rows, columns) = checkShapes { () throws(ShapeError) in try matrixShape(shape, op: op) }
        let matrices = rows * columns == 0 ? 0 : scalarCount / (rows * columns)
        let out = Tensor(shape: shape) { o, _ in
            let x = storage.pointer
            for b in 0..<matrices {
                let base = b * rows * columns
                for i in 0..<rows {
                    for j in 0..<columns {
                        let keep = lower ? j - i <= offset : j - i >= offset
                        o[base + i * columns + j] = keep ? x[base + i * columns + j] : 0
                    }
                }
            }
        }
        return Tensor.record(op, inputs: [self], output: out) { ctx in
            [ctx.gradient.triangularPart(lower: lower, offset: offset)]
        }
    }
}
