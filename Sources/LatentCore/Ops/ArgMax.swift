/// Positions of maxima and minima along an axis (not differentiable).
extension Tensor {
    /// Index of the largest element along `axis` (the first one on ties, as NumPy; a NaN
    /// counts as the largest, so the index of the first NaN is returned when there is one).
    ///
    /// - Parameters:
    ///   - axis: The axis to search (negative counts from the end); it must be non-empty.
    ///   - keepDims: Keep `axis` with size 1.
    public func argmax(alongAxis axis: Int, keepDims: Bool = false) -> IndexTensor {
        argExtremum(alongAxis: axis, keepDims: keepDims, op: "argmax") { candidate, best in
            candidate > best || (candidate.isNaN && !best.isNaN)
        }
    }

    /// Index of the smallest element along `axis` (the first one on ties; a NaN counts as
    /// the smallest).
    ///
    /// - Parameters:
    ///   - axis: The axis to search (negative counts from the end); it must be non-empty.
    ///   - keepDims: Keep `axis` with size 1.
    public func argmin(alongAxis axis: Int, keepDims: Bool = false) -> IndexTensor {
        argExtremum(alongAxis: axis, keepDims: keepDims, op: "argmin") { candidate, best in
            candidate < best || (candidate.isNaN && !best.isNaN)
        }
    }

    /// Flat (row-major) index of the largest element.
    public func argmax() -> Int {
        Int(reshaped(to: [scalarCount]).detached().argmax(alongAxis: 0).scalars[0])
    }

    /// Flat (row-major) index of the smallest element.
    public func argmin() -> Int {
        Int(reshaped(to: [scalarCount]).detached().argmin(alongAxis: 0).scalars[0])
    }

    private func argExtremum(alongAxis axis: Int, keepDims: Bool, op: String,
                             isBetter: (Float, Float) -> Bool) -> IndexTensor {
        let shape = self.shape
        let a = checkShapes { () throws(ShapeError) in
            let a = try Shape.normalizeAxis(axis, rank: shape.count, op: op)
            try validateNonEmptyReduction(shape, axes: [a], op: op)
            return a
        }
        if rank == 0 {
            return IndexTensor(shape: [], scalars: [Int32(0)])
        }
        let layout = AxisLayout(shape: shape, axis: a)
        let (outer, n, inner) = (layout.outer, layout.length, layout.inner)
        var result = [Int32](repeating: 0, count: outer * inner)
        let x = storage.pointer
        for o in 0..<outer {
            let base = x + o * n * inner
            for i in 0..<inner {
                var best = base[i], bestIndex = 0
                for k in 1..<n where isBetter(base[k * inner + i], best) {
                    best = base[k * inner + i]
                    bestIndex = k
                }
                result[o * inner + i] = Int32(bestIndex)
            }
        }
        var outShape = shape
        if keepDims { outShape[a] = 1 } else { outShape.remove(at: a) }
        return IndexTensor(shape: outShape, scalars: result)
    }
}
