/// Diagonals of (batches of) matrices, and diagonal matrices from vectors.
extension Tensor {
    /// The main diagonal over the last two axes: `[..., m, n]` → `[..., min(m, n)]`.
    ///
    /// Its backward rule places the gradient back on the diagonal of a zero matrix.
    public func diagonal() -> Tensor {
        let (rows, columns) = checkShapes { () throws(ShapeError) in try matrixShape(shape, op: "diagonal") }
        let d = min(rows, columns)
        let matrices = Shape.count(Array(shape.dropLast(2)))
        let out = Tensor(shape: Array(shape.dropLast(2)) + [d]) { o, _ in
            let x = storage.pointer
            for b in 0..<matrices {
                for i in 0..<d { o[b * d + i] = x[b * rows * columns + i * columns + i] }
            }
        }
        return Tensor.record("diagonal", inputs: [self], output: out) { ctx in
            [ctx.gradient.embeddedDiagonal(rows: rows, columns: columns)]
        }
    }

    /// The square matrices with this tensor's last axis on their diagonal:
    /// `[..., n]` → `[..., n, n]`, zero off the diagonal.
    public func diagonalMatrix() -> Tensor {
        ensure(rank >= 1, "diagonalMatrix: needs rank >= 1, got a scalar")
        let n = shape[rank - 1]
        return embeddedDiagonal(rows: n, columns: n)
    }

    /// `[..., d]` → `[..., rows, columns]` with the vector on the main diagonal
    /// (`d == min(rows, columns)`); the adjoint of ``diagonal()``.
    func embeddedDiagonal(rows: Int, columns: Int) -> Tensor {
        let d = shape[rank - 1]
        ensure(d == min(rows, columns), "diagonalMatrix: \(d) diagonal elements for a \(rows) × \(columns) matrix")
        let matrices = Shape.count(Array(shape.dropLast()))
        let out = Tensor(shape: Array(shape.dropLast()) + [rows, columns]) { o, count in
            o.update(repeating: 0, count: count)
            let x = storage.pointer
            for b in 0..<matrices {
                for i in 0..<d { o[b * rows * columns + i * columns + i] = x[b * d + i] }
            }
        }
        return Tensor.record("diagonalMatrix", inputs: [self], output: out) { ctx in
            [ctx.gradient.diagonal()]
        }
    }
}
