/// Slicing: strided windows of a tensor, NumPy-style subscripts, and `sliced(alongAxis:)`.
extension Tensor {
    /// The strided window `result[i] = self[starts + i ⊙ strides]` for `i` over `sizes`.
    ///
    /// This is the slicing primitive; its gradient places the incoming gradient back into
    /// zeros (``unsliced(into:starts:strides:)``), whose gradient is this slice again.
    ///
    /// - Parameters:
    ///   - starts: First position along each axis (non-negative).
    ///   - sizes: Number of positions along each axis (the result's shape).
    ///   - strides: Step along each axis (non-zero, may be negative); all 1 by default.
    public func sliced(starts: [Int], sizes: [Int], strides: [Int]? = nil) -> Tensor {
        let steps = strides ?? Array(repeating: 1, count: rank)
        checkShapes { () throws(ShapeError) in
            try Shape.validateWindow(shape, starts: starts, sizes: sizes, strides: steps, op: "slice")
        }
        if sizes == shape && steps.allSatisfy({ $0 == 1 }) { return self }
        let inStrides = Shape.strides(shape)
        let offset = zip(starts, inStrides).reduce(0) { $0 + $1.0 * $1.1 }
        let out = Tensor(shape: sizes) { o, _ in
            StridedCopy.copy(shape: sizes, from: storage.pointer, offset: offset,
                             strides: zip(steps, inStrides).map { $0 * $1 },
                             to: o, offset: 0, strides: Shape.strides(sizes))
        }
        return Tensor.record("slice", inputs: [self], output: out) { [shape] ctx in
            [ctx.gradient.unsliced(into: shape, starts: starts, strides: steps)]
        }
    }

    /// The positions `range.lowerBound, + stride, …` before `range.upperBound` along one
    /// axis (negative axis and bounds count from the end).
    ///
    /// - Parameters:
    ///   - axis: The axis to slice.
    ///   - range: The positions to keep.
    ///   - stride: The step between kept positions (positive).
    public func sliced(alongAxis axis: Int, range: Range<Int>, stride: Int = 1) -> Tensor {
        let r = rank
        let a = checkShapes { () throws(ShapeError) in try Shape.normalizeAxis(axis, rank: r, op: "slice") }
        var ranges = [TensorRange](repeating: .all, count: rank)
        ranges[a] = .range(range, stride: stride)
        return sliced(ranges)
    }

    /// NumPy-style basic indexing: one ``TensorRange`` per axis, with `.ellipsis`,
    /// `.newAxis`, single indices (which drop their axis) and strided ranges; missing
    /// trailing axes are taken whole.
    ///
    /// - Parameter ranges: What to take along each axis.
    public func sliced(_ ranges: [TensorRange]) -> Tensor {
        let window = checkShapes { () throws(ShapeError) in try Shape.resolveSlice(ranges, shape: shape) }
        return sliced(starts: window.starts, sizes: window.sizes, strides: window.strides)
            .reshaped(to: window.resultShape)
    }

    /// NumPy-style basic indexing: `x[0]`, `x[.all, 1..<3]`, `x[.ellipsis, -1]`,
    /// `x[.range(0..., stride: 2), .newAxis]`. See ``sliced(_:)``.
    public subscript(_ ranges: any TensorRangeExpression...) -> Tensor {
        sliced(ranges.map(\.tensorRange))
    }

    /// Pieces of sizes `sizes` along `axis` (they must add up to the axis size). Each
    /// piece is its own slice, so gradients flow back to the matching part.
    public func split(sizes: [Int], alongAxis axis: Int) -> [Tensor] {
        let r = rank, s = shape
        let a = checkShapes { () throws(ShapeError) in
            let a = try Shape.normalizeAxis(axis, rank: r, op: "split")
            guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == s[a] else {
                throw ShapeError(op: "split", "sizes \(sizes) do not add up to axis \(axis) of shape \(shapeString(s))")
            }
            return a
        }
        var start = 0
        return sizes.map { n in
            defer { start += n }
            var starts = [Int](repeating: 0, count: r), counts = shape
            starts[a] = start
            counts[a] = n
            return sliced(starts: starts, sizes: counts)
        }
    }

    /// Splits into `count` pieces along `axis` as `torch.chunk` does: every piece has
    /// `⌈size / count⌉` positions except possibly a smaller last one, so there may be
    /// fewer than `count` pieces.
    public func chunked(_ count: Int, alongAxis axis: Int) -> [Tensor] {
        ensure(count > 0, "chunk: count must be positive, got \(count)")
        let r = rank
        let a = checkShapes { () throws(ShapeError) in try Shape.normalizeAxis(axis, rank: r, op: "chunk") }
        let n = shape[a]
        let size = max(1, (n + count - 1) / count)
        var sizes: [Int] = []
        var covered = 0
        while covered < n {
            sizes.append(min(size, n - covered))
            covered += size
        }
        if sizes.isEmpty { sizes = [0] }
        return split(sizes: sizes, alongAxis: a)
    }
}
