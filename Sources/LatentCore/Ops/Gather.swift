/// Gathering along an axis and its adjoint, scatter-adding (`torch.gather` and
/// `torch.scatter_add`). Each is the other's gradient, so derivatives of any order work.
extension Tensor {
    /// Picks, along `axis`, the position named by `indices` for every position of
    /// `indices` (`torch.gather`; NumPy's `take_along_axis`).
    ///
    /// For axis 1 of a rank-3 tensor: `result[i, j, k] = self[i, indices[i, j, k], k]`.
    /// `indices` has this tensor's rank and, outside `axis`, sizes no larger than this
    /// tensor's; the result has the shape of `indices`. The gradient scatter-adds the
    /// incoming gradient back to the picked positions.
    ///
    /// - Parameters:
    ///   - axis: The axis to pick along; negative counts from the end.
    ///   - indices: Positions along `axis`, each in `0..<shape[axis]`.
    public func gathering(alongAxis axis: Int, indices: IndexTensor) -> Tensor {
        let s = shape
        let a = checkShapes { () throws(ShapeError) in
            let a = try Shape.validateGather(s, indices: indices.shape, alongAxis: axis, op: "gather")
            try indices.validate(axisSize: s[a], axis: a, op: "gather")
            return a
        }
        let walk = IndexWalk(indexShape: indices.shape, targetShape: shape, axis: a)
        let out = Tensor(shape: indices.shape) { o, _ in
            let x = storage.pointer
            indices.scalars.withUnsafeBufferPointer { idx in
                let box = UncheckedSendable(idx)
                Parallel.forEachChunk(count: walk.rows, minimumChunk: max(1, Elementwise.parallelGrain / walk.inner)) { r in
                    walk.forEach(rows: r) { p, offset in o[p] = x[offset + Int(box.value[p]) * walk.axisStride] }
                }
            }
        }
        return Tensor.record("gather", inputs: [self], output: out) { [shape] ctx in
            [Tensor.zeros(shape).scatterAdding(alongAxis: a, indices: indices, source: ctx.gradient)]
        }
    }

    /// This tensor with `source` added at the positions along `axis` named by `indices`
    /// (`torch.Tensor.scatter_add`); repeated indices accumulate.
    ///
    /// For axis 1 of a rank-3 tensor: `result[i, indices[i, j, k], k] += source[i, j, k]`.
    /// `source` has the shape of `indices`, which has this tensor's rank and, outside
    /// `axis`, sizes no larger than this tensor's. Differentiable with respect to this
    /// tensor (gradient: the incoming gradient) and `source` (gradient: the incoming
    /// gradient gathered at `indices`).
    ///
    /// - Parameters:
    ///   - axis: The axis to scatter along; negative counts from the end.
    ///   - indices: Positions along `axis`, each in `0..<shape[axis]`.
    ///   - source: The values to add, shaped like `indices`.
    public func scatterAdding(alongAxis axis: Int, indices: IndexTensor, source: Tensor) -> Tensor {
        let s = shape
        let a = checkShapes { () throws(ShapeError) in
            let a = try Shape.validateGather(s, indices: indices.shape, alongAxis: axis, op: "scatterAdd")
            try Shape.validateEqual(source.shape, indices.shape, op: "scatterAdd")
            try indices.validate(axisSize: s[a], axis: a, op: "scatterAdd")
            return a
        }
        let walk = IndexWalk(indexShape: indices.shape, targetShape: shape, axis: a)
        let out = Tensor(shape: shape) { o, n in
            o.update(from: storage.pointer, count: n)
            let src = source.storage.pointer
            indices.scalars.withUnsafeBufferPointer { idx in
                walk.forEach(rows: 0..<walk.rows) { p, offset in o[offset + Int(idx[p]) * walk.axisStride] += src[p] }
            }
        }
        return Tensor.record("scatterAdd", inputs: [self, source], output: out) { ctx in
            [ctx.needsGradient(0) ? ctx.gradient : nil,
             ctx.needsGradient(1) ? ctx.gradient.gathering(alongAxis: a, indices: indices) : nil]
        }
    }
}

/// `base` with `source` added at the positions along `axis` named by `indices`; see
/// ``Tensor/scatterAdding(alongAxis:indices:source:)``.
public func scatterAdd(into base: Tensor, alongAxis axis: Int, indices: IndexTensor, source: Tensor) -> Tensor {
    base.scatterAdding(alongAxis: axis, indices: indices, source: source)
}

extension Shape {
    /// Checks the shapes of a gather or scatter along `axis`: `indices` has the rank of
    /// `shape` and, outside `axis`, no larger sizes. Returns the non-negative axis.
    public static func validateGather(_ shape: [Int], indices: [Int], alongAxis axis: Int,
                                      op: String) throws(ShapeError) -> Int {
        let a = try normalizeAxis(axis, rank: shape.count, op: op)
        guard indices.count == shape.count, !shape.isEmpty,
              shape.indices.allSatisfy({ $0 == a || indices[$0] <= shape[$0] }) else {
            throw ShapeError(op: op, "indices of shape \(shapeString(indices)) do not fit a tensor of shape \(shapeString(shape)) along axis \(a)")
        }
        return a
    }
}

/// Walks the positions of an index tensor in row-major order together with the offset,
/// in a larger target tensor, of the same position with the indexed axis set to zero.
struct IndexWalk {
    let dims: [Int]
    let targetStrides: [Int]
    let axisStride: Int
    let inner: Int
    let rows: Int

    init(indexShape: [Int], targetShape: [Int], axis: Int) {
        var strides = Shape.strides(targetShape)
        axisStride = strides[axis]
        strides[axis] = 0
        dims = indexShape
        targetStrides = strides
        inner = max(indexShape.last ?? 1, 1)
        rows = Shape.count(indexShape) / inner
    }

    /// Calls `body(position, targetOffset)` for every position in the given rows.
    @inline(__always)
    func forEach(rows r: Range<Int>, _ body: (Int, Int) -> Void) {
        guard !r.isEmpty, Shape.count(dims) > 0 else { return }
        if dims.isEmpty { body(0, 0); return }
        let outer = Array(dims.dropLast()), last = dims.count - 1
        let innerStride = targetStrides[last]
        var index = StridedCopy.multiIndex(of: r.lowerBound, dims: outer)
        var offset = zip(index, targetStrides).reduce(0) { $0 + $1.0 * $1.1 }
        for row in r {
            let base = row * inner
            for j in 0..<inner { body(base + j, offset + j * innerStride) }
            var d = outer.count - 1
            while d >= 0 {
                index[d] += 1; offset += targetStrides[d]
                if index[d] < outer[d] { break }
                offset -= targetStrides[d] * outer[d]
                index[d] = 0; d -= 1
            }
        }
    }
}
