/// Batched, broadcasting matrix multiplication, with optional transposition of either
/// operand folded into the GEMM call (no copies).

/// Validates operand shapes of `matmul` and returns the output shape.
///
/// Follows NumPy: the last two axes are the matrices, leading axes broadcast; a 1-D
/// left operand is a row vector and a 1-D right operand a column vector, and the axis
/// they add is removed from the result.
public func matmulShape(_ a: [Int], _ b: [Int]) throws(ShapeError) -> [Int] {
    try matmulShape(a, b, transposeA: false, transposeB: false)
}

/// Validates operand shapes of `matmul(_:_:transposeA:transposeB:)` and returns the
/// output shape. The flags swap the last two axes of a matrix operand (they do nothing to
/// a 1-D operand).
public func matmulShape(_ a: [Int], _ b: [Int], transposeA: Bool, transposeB: Bool) throws(ShapeError) -> [Int] {
    guard a.count >= 1, b.count >= 1 else {
        throw ShapeError(op: "matmul", "operands need rank >= 1, got shapes \(shapeString(a)) and \(shapeString(b))")
    }
    let (m, innerA) = MatrixOperand.dimensions(a, transposed: transposeA, isLeft: true)
    let (innerB, n) = MatrixOperand.dimensions(b, transposed: transposeB, isLeft: false)
    guard innerA == innerB else {
        var flags: [String] = []
        if transposeA && a.count >= 2 { flags.append("transposeA") }
        if transposeB && b.count >= 2 { flags.append("transposeB") }
        let note = flags.isEmpty ? "" : " (with \(flags.joined(separator: ", ")))"
        throw ShapeError(op: "matmul", "inner dimensions differ: shapes \(shapeString(a)) and \(shapeString(b))\(note)")
    }
    var out = try Shape.broadcast(Array(a.dropLast(2)), Array(b.dropLast(2)), op: "matmul")
    if a.count >= 2 { out.append(m) }
    if b.count >= 2 { out.append(n) }
    return out
}

/// Matrix product `op(a) · op(b)` over the last two axes, broadcasting leading (batch) axes,
/// where `op(x)` is `x`, or `x` with its last two axes swapped when the flag is set.
///
/// `C[..., i, j] = Σₚ op(A)[..., i, p] · op(B)[..., p, j]`. As in NumPy, a 1-D `a` is a row
/// vector and a 1-D `b` a column vector (the added axis is dropped from the result), so
/// `matmul(v, w)` of two vectors is their dot product. The transposition flags are passed to
/// the GEMM kernel, never materialised; they leave 1-D operands unchanged.
///
/// The gradients are themselves products with flags: for `C = A · B`,
/// `∂L/∂A = G · Bᵀ` and `∂L/∂B = Aᵀ · G`, summed over broadcast batch axes.
///
/// - Parameters:
///   - a: the left operand, shape `[..., m, k]` (`[..., k, m]` with `transposeA`) or `[k]`.
///   - b: the right operand, shape `[..., k, n]` (`[..., n, k]` with `transposeB`) or `[k]`.
///   - transposeA: use the transpose of each matrix of `a`.
///   - transposeB: use the transpose of each matrix of `b`.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    let outShape = checkShapes { () throws(ShapeError) in
        try matmulShape(a.shape, b.shape, transposeA: transposeA, transposeB: transposeB)
    }
    if a.rank >= 2 && b.rank >= 2 {
        return matrixProduct(a, b, transposeA: transposeA, transposeB: transposeB, outShape: outShape)
    }
    // Vectors become 1 × k / k × 1 matrices; the added axis is dropped afterwards.
    let left = a.rank == 1 ? a.reshaped(to: [1, a.shape[0]]) : a
    let right = b.rank == 1 ? b.reshaped(to: [b.shape[0], 1]) : b
    let product = matrixProduct(left, right, transposeA: a.rank >= 2 && transposeA,
                                transposeB: b.rank >= 2 && transposeB, outShape: nil)
    return product.reshaped(to: outShape)
}

extension Tensor {
    /// The matrix product `self · other`; see ``matmul(_:_:transposeA:transposeB:)``.
    public func matmul(_ other: Tensor) -> Tensor {
        LatentCore.matmul(self, other)
    }

    /// Swaps the last two axes (a matrix transpose, batched over leading axes).
    ///
    /// Copies in cache-sized tiles. To multiply by a transpose, prefer the flags of
    /// ``matmul(_:_:transposeA:transposeB:)``, which copy nothing.
    public func transposed() -> Tensor {
        ensure(rank >= 2, "transposed: needs rank >= 2, got shape \(shapeString(shape))")
        let rows = shape[rank - 2], columns = shape[rank - 1]
        var newShape = shape
        newShape.swapAt(rank - 2, rank - 1)
        let out = Tensor(shape: newShape) { o, _ in
            TransposeKernel.transpose(storage.pointer, o, rows: rows, columns: columns,
                                      batch: scalarCount / max(rows * columns, 1))
        }
        return Tensor.record("transpose", inputs: [self], output: out) { ctx in [ctx.gradient.transposed()] }
    }
}

/// Tiled matrix transposition for ``Tensor/transposed()``.
enum TransposeKernel {
    static let tile = 32

    /// `out[b, j, i] = x[b, i, j]` for `batch` row-major `rows × columns` matrices.
    static func transpose(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                          rows: Int, columns: Int, batch: Int) {
        let matrix = rows * columns
        guard matrix > 0 else { return }
        if rows == 1 || columns == 1 {
            out.update(from: x, count: matrix * batch)
            return
        }
        let rowTiles = (rows + tile - 1) / tile
        let xs = UncheckedSendable(x), os = UncheckedSendable(out)
        // Parallel over (matrix, band of `tile` rows); each band writes its own columns of `out`.
        Parallel.forEachChunk(count: batch * rowTiles, minimumChunk: max(1, (1 << 16) / (tile * columns))) { range in
            for task in range {
                let b = task / rowTiles, i0 = (task % rowTiles) * tile
                let source = xs.value + b * matrix, target = os.value + b * matrix
                let i1 = min(rows, i0 + tile)
                var j0 = 0
                while j0 < columns {
                    let j1 = min(columns, j0 + tile)
                    for i in i0..<i1 {
                        let row = source + i * columns
                        for j in j0..<j1 { target[j * rows + i] = row[j] }
                    }
                    j0 = j1
                }
            }
        }
    }
}

/// Reading a matrix operand's dimensions under transposition.
enum MatrixOperand {
    /// `(rows, columns)` of `op(x)` viewed as a matrix: a 1-D left operand is `1 × k`, a
    /// 1-D right operand `k × 1`; flags swap the last two axes of a matrix.
    static func dimensions(_ shape: [Int], transposed: Bool, isLeft: Bool) -> (Int, Int) {
        if shape.count == 1 { return isLeft ? (1, shape[0]) : (shape[0], 1) }
        let r = shape[shape.count - 2], c = shape[shape.count - 1]
        return transposed ? (c, r) : (r, c)
    }

    /// Element offsets of each matrix of an operand with batch shape `batch`, for every
    /// index of the broadcast batch shape `target` (row-major), given the matrix size.
    static func batchOffsets(_ batch: [Int], to target: [Int], matrixSize: Int) -> [Int] {
        let count = Shape.count(target)
        let padded = [Int](repeating: 1, count: target.count - batch.count) + batch
        let strides = Shape.strides(padded)
        var offsets = [Int](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: target.count)
        for flat in 0..<count {
            var offset = 0
            for d in 0..<target.count where padded[d] != 1 { offset += index[d] * strides[d] }
            offsets[flat] = offset * matrixSize
            var d = target.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < target[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return offsets
    }
}

/// The differentiable primitive behind ``matmul(_:_:transposeA:transposeB:)`` (both operands
/// of rank ≥ 2, shapes already validated when `outShape` is given).
func matrixProduct(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool, outShape: [Int]?) -> Tensor {
    let outShape = outShape ?? checkShapes { () throws(ShapeError) in
        try matmulShape(a.shape, b.shape, transposeA: transposeA, transposeB: transposeB)
    }
    let out = batchedProduct(a, b, transposeA: transposeA, transposeB: transposeB, outShape: outShape)
    return Tensor.record("matmul", inputs: [a, b], output: out) { ctx in
        let (a, b, g) = (ctx.inputs[0], ctx.inputs[1], ctx.gradient)
        var gradients: [Tensor?] = [nil, nil]
        if ctx.needsGradient(0) {
            gradients[0] = productGradientA(a: a, b: b, gradient: g, transposeA: transposeA, transposeB: transposeB)
        }
        if ctx.needsGradient(1) {
            gradients[1] = productGradientB(a: a, b: b, gradient: g, transposeA: transposeA, transposeB: transposeB)
        }
        return gradients
    }
}

/// ∂L/∂A for `C = op(A) · op(B)` with upstream gradient `G`, shaped like `A`:
///
/// | op(A), op(B) | ∂L/∂A |
/// | --- | --- |
/// | A, B   | G · Bᵀ |
/// | A, Bᵀ  | G · B |
/// | Aᵀ, B  | B · Gᵀ |
/// | Aᵀ, Bᵀ | Bᵀ · Gᵀ |
private func productGradientA(a: Tensor, b: Tensor, gradient g: Tensor, transposeA: Bool, transposeB: Bool) -> Tensor {
    let product: Tensor
    switch (transposeA, transposeB) {
    case (false, false): product = matrixProduct(g, b, transposeA: false, transposeB: true, outShape: nil)
    case (false, true): product = matrixProduct(g, b, transposeA: false, transposeB: false, outShape: nil)
    case (true, false): product = matrixProduct(b, g, transposeA: false, transposeB: true, outShape: nil)
    case (true, true): product = matrixProduct(b, g, transposeA: true, transposeB: true, outShape: nil)
    }
    return product.sum(toShape: a.shape)
}

/// ∂L/∂B for `C = op(A) · op(B)` with upstream gradient `G`, shaped like `B`:
///
/// | op(A), op(B) | ∂L/∂B |
/// | --- | --- |
/// | A, B   | Aᵀ · G |
/// | A, Bᵀ  | Gᵀ · A |
/// | Aᵀ, B  | A · G |
/// | Aᵀ, Bᵀ | Gᵀ · Aᵀ |
///
/// When `B` is one matrix shared by a batch of `A`s (a linear layer on `[batch, rows, k]`
/// inputs), the batch is folded into the rows so that one GEMM does the sum over it.
private func productGradientB(a: Tensor, b: Tensor, gradient g: Tensor, transposeA: Bool, transposeB: Bool) -> Tensor {
    let batch = Shape.count(Array(g.shape.dropLast(2)))
    if !transposeA && batch > 1 && Shape.count(Array(b.shape.dropLast(2))) == 1
        && Shape.count(Array(a.shape.dropLast(2))) == batch {
        let k = a.shape[a.rank - 1], n = g.shape[g.rank - 1]
        let rows = a.scalarCount / max(k, 1)
        let flatA = a.reshaped(to: [rows, k]), flatG = g.reshaped(to: [rows, n])
        let product = transposeB
            ? matrixProduct(flatG, flatA, transposeA: true, transposeB: false, outShape: nil)
            : matrixProduct(flatA, flatG, transposeA: true, transposeB: false, outShape: nil)
        return product.reshaped(to: b.shape)
    }
    let product: Tensor
    switch (transposeA, transposeB) {
    case (false, false): product = matrixProduct(a, g, transposeA: true, transposeB: false, outShape: nil)
    case (false, true): product = matrixProduct(g, a, transposeA: true, transposeB: false, outShape: nil)
    case (true, false): product = matrixProduct(a, g, transposeA: false, transposeB: false, outShape: nil)
    case (true, true): product = matrixProduct(g, a, transposeA: true, transposeB: true, outShape: nil)
    }
    return product.sum(toShape: b.shape)
}

/// Computes `op(a) · op(b)` batched over broadcast leading axes (untracked result).
///
/// Broadcast operands are never materialised: each GEMM reads its matrices in place.
/// When `b` is a single matrix and `a` is not transposed, the whole batch of `a` is one
/// tall matrix and the product is a single GEMM.
private func batchedProduct(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool, outShape: [Int]) -> Tensor {
    let (m, k) = MatrixOperand.dimensions(a.shape, transposed: transposeA, isLeft: true)
    let n = outShape[outShape.count - 1]
    let lda = a.shape[a.rank - 1], ldb = b.shape[b.rank - 1]
    let batchShape = Array(outShape.dropLast(2))
    let batch = Shape.count(batchShape)
    let aBatch = Array(a.shape.dropLast(2)), bBatch = Array(b.shape.dropLast(2))
    return Tensor(shape: outShape) { c, _ in
        let pa = a.storage.pointer, pb = b.storage.pointer
        if batch == 1 || (Shape.count(bBatch) == 1 && !transposeA && Shape.count(aBatch) == batch) {
            GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m * batch, n: n, k: k, alpha: 1,
                          a: pa, lda: lda, b: pb, ldb: ldb, beta: 0, c: c, ldc: n)
            return
        }
        let aOffsets = MatrixOperand.batchOffsets(aBatch, to: batchShape, matrixSize: m * k)
        let bOffsets = MatrixOperand.batchOffsets(bBatch, to: batchShape, matrixSize: k * n)
        let work = m * n * k
        if !GEMM.usesBLAS && work < SwiftGEMM.parallelThreshold && batch > 1 {
            // Many small products: one per thread (each is computed exactly as alone).
            let boxes = UncheckedSendable((pa, pb, c))
            Parallel.forEachChunk(count: batch, minimumChunk: max(1, SwiftGEMM.parallelThreshold / max(work, 1))) { range in
                let (pa, pb, c) = boxes.value
                for i in range {
                    SwiftGEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                                       a: pa + aOffsets[i], lda: lda, b: pb + bOffsets[i], ldb: ldb,
                                       beta: 0, c: c + i * m * n, ldc: n, maximumThreads: 1)
                }
            }
            return
        }
        for i in 0..<batch {
            GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                          a: pa + aOffsets[i], lda: lda, b: pb + bOffsets[i], ldb: ldb,
                          beta: 0, c: c + i * m * n, ldc: n)
        }
    }
}
