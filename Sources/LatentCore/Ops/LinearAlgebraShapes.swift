// Shape validation shared by the linear-algebra ops.

/// Checks that `shape` is a (batch of) matrices, `[..., rows, columns]`, and returns the
/// matrix size.
public func matrixShape(_ shape: [Int], op: String) throws(ShapeError) -> (rows: Int, columns: Int) {
    guard shape.count >= 2 else {
        throw ShapeError(op: op, "expected a matrix or a batch of matrices [..., m, n], got shape \(shapeString(shape))")
    }
    return (shape[shape.count - 2], shape[shape.count - 1])
}

/// Checks that `shape` is a (batch of) square matrices, `[..., n, n]`, and returns `n`.
public func squareMatrixShape(_ shape: [Int], op: String) throws(ShapeError) -> Int {
    guard shape.count >= 2, shape[shape.count - 2] == shape[shape.count - 1] else {
        throw ShapeError(op: op, "expected a square matrix or a batch of square matrices [..., n, n], got shape \(shapeString(shape))")
    }
    return shape[shape.count - 1]
}

/// Checks the operands of a linear system `A X = B` — `A` of shape `[..., n, n]`, `B` of
/// shape `[..., n, k]`, batch axes broadcasting — and returns the shape of `X`,
/// `broadcast(batchA, batchB) + [n, k]`.
public func linearSystemShape(_ a: [Int], _ b: [Int], op: String) throws(ShapeError) -> [Int] {
    let n = try squareMatrixShape(a, op: op)
    guard b.count >= 2, b[b.count - 2] == n else {
        throw ShapeError(op: op, "right-hand side of shape \(shapeString(b)) does not match matrix of shape \(shapeString(a)): expected [..., \(n), k]")
    }
    let batchA = Array(a.dropLast(2)), batchB = Array(b.dropLast(2))
    do {
        let batch = try Shape.broadcast(batchA, batchB, op: op)
        return batch + [n, b[b.count - 1]]
    } catch {
        throw ShapeError(op: op, "batch shapes \(shapeString(batchA)) and \(shapeString(batchB)) of matrix \(shapeString(a)) and right-hand side \(shapeString(b)) are not broadcastable")
    }
}
