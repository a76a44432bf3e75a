/// Selecting whole slices by index along an axis and its adjoint, index-adding
/// (`torch.index_select` and `torch.index_add`). Each is the other's gradient.
extension Tensor {
    /// The slices of this tensor at positions `indices` along `axis`, in that order
    /// (`torch.index_select`; NumPy's `take(indices, axis:)`).
    ///
    /// For axis 0: `result[k, …] = self[indices[k], …]`; the result has this tensor's
    /// shape with `indices.scalarCount` positions along `axis`. The gradient index-adds
    /// the incoming gradient back.
    ///
    /// - Parameters:
    ///   - axis: The axis to select along; negative counts from the end.
    ///   - indices: A 1-D index tensor of positions in `0..<shape[axis]` (repeats allowed).
    public func indexSelect(alongAxis axis: Int, indices: IndexTensor) -> Tensor {
        indexSelect(alongAxis: axis, indices: indices, op: "indexSelect")
    }

    func indexSelect(alongAxis axis: Int, indices: IndexTensor, op: String) -> Tensor {
        let s = shape
        let a = checkShapes { () throws(ShapeError) in
            let a = try Shape.validateIndexSelect(s, indices: indices.shape, alongAxis: axis, op: op)
            try indices.validate(axisSize: s[a], axis: a, op: op)
            return a
        }
        var outShape = shape
        outShape[a] = indices.scalarCount
        let (outer, n, k) = (Shape.count(Array(shape[..<a])), shape[a], indices.scalarCount)
        let inner = Shape.count(Array(shape[(a + 1)...]))
        let out = Tensor(shape: outShape) { o, _ in
            let x = storage.pointer
            indices.scalars.withUnsafeBufferPointer { idx in
                let box = UncheckedSendable(idx)
                Parallel.forEachChunk(count: outer * k, minimumChunk: max(1, Elementwise.parallelGrain / max(inner, 1))) { r in
                    for row in r {
                        let (i, j) = row.quotientAndRemainder(dividingBy: k)
                        (o + row * inner).update(from: x + (i * n + Int(box.value[j])) * inner, count: inner)
                    }
                }
            }
        }
        return Tensor.record(op, inputs: [self], output: out) { [shape] ctx in
            [Tensor.zeros(shape).indexAdding(alongAxis: a, indices: indices, source: ctx.gradient, op: op + " backward")]
        }
    }

    /// This tensor with the slices of `source` added at positions `indices` along `axis`
    /// (`torch.Tensor.index_add`); repeated indices accumulate.
    ///
    /// For axis 0: `result[indices[k], …] += source[k, …]`. `source` has this tensor's
    /// shape with `indices.scalarCount` positions along `axis`. Differentiable with
    /// respect to this tensor (gradient: the incoming gradient) and `source` (gradient:
    /// the incoming gradient selected at `indices`).
    ///
    /// - Parameters:
    ///   - axis: The axis to add along; negative counts from the end.
    ///   - indices: A 1-D index tensor of positions in `0..<shape[axis]`.
    ///   - source: The slices to add.
    public func indexAdding(alongAxis axis: Int, indices: IndexTensor, source: Tensor) -> Tensor {
        indexAdding(alongAxis: axis, indices: indices, source: source, op: "indexAdd")
    }

    func indexAdding(alongAxis axis: Int, indices: IndexTensor, source: Tensor, op: String) -> Tensor {
        let s = shape
        let a = checkShapes { () throws(ShapeError) in
            let a = try Shape.validateIndexSelect(s, indices: indices.shape, alongAxis: axis, op: op)
            var expected = s
            expected[a] = indices.scalarCount
            try Shape.validateEqual(source.shape, expected, op: op)
            try indices.validate(axisSize: s[a], axis: a, op: op)
            return a
        }
        let (outer, n, k) = (Shape.count(Array(shape[..<a])), shape[a], indices.scalarCount)
        let inner = Shape.count(Array(shape[(a + 1)...]))
        let out = Tensor(shape: shape) { o, count in
            o.update(from: storage.pointer, count: count)
            let src = source.storage.pointer
            indices.scalars.withUnsafeBufferPointer { idx in
                for i in 0..<outer {
                    for j in 0..<k {
                        let d = o + (i * n + Int(idx[j])) * inner, x = src + (i * k + j) * inner
                        Elementwise.zipRange(UnsafePointer(d), 1, x, 1, d, 0..<inner, { $0 + $1 }, { $0 + $1 })
                    }
                }
            }
        }
        return Tensor.record("indexAdd", inputs: [self, source], output: out) { ctx in
            [ctx.needsGradient(0) ? ctx.gradient : nil,
             ctx.needsGradient(1) ? ctx.gradient.indexSelect(alongAxis: a, indices: indices) : nil]
        }
    }
}

extension Shape {
    /// Checks the shapes of an index-select or index-add along `axis`: a tensor of rank
    /// at least 1 and 1-D indices. Returns the non-negative axis.
    public static func validateIndexSelect(_ shape: [Int], indices: [Int], alongAxis axis: Int,
                                           op: String) throws(ShapeError) -> Int {
        guard !shape.isEmpty else { throw ShapeError(op: op, "needs a tensor of rank >= 1, got a scalar") }
        let a = try normalizeAxis(axis, rank: shape.count, op: op)
        guard indices.count == 1 else {
            throw ShapeError(op: op, "indices must be 1-D, got shape \(shapeString(indices))")
        }
        return a
    }
}
