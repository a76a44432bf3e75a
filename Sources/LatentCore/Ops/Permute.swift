/// Reordering axes: a general N-d transpose.
extension Tensor {
    /// The tensor with its axes reordered: axis `i` of the result is axis `axes[i]` of this
    /// tensor (NumPy's `transpose(axes)`, PyTorch's `permute`).
    ///
    /// `result[i₀, …, iₙ₋₁] = self[j]` with `j[axes[k]] = i[k]`. The gradient is the
    /// inverse permutation of the incoming gradient.
    ///
    /// - Parameter axes: A permutation of `0..<rank`; negative entries count from the end.
    public func permuted(_ axes: [Int]) -> Tensor {
        let perm = checkShapes { () throws(ShapeError) in try Shape.validatePermutation(axes, rank: rank, op: "permute") }
        if perm == Array(0..<rank) { return self }
        let newShape = perm.map { shape[$0] }
        let inStrides = Shape.strides(shape)
        let out = Tensor(shape: newShape) { o, _ in
            StridedCopy.copy(shape: newShape, from: storage.pointer, offset: 0, strides: perm.map { inStrides[$0] },
                             to: o, offset: 0, strides: Shape.strides(newShape))
        }
        var inverse = perm
        for (i, p) in perm.enumerated() { inverse[p] = i }
        return Tensor.record("permute", inputs: [self], output: out) { [inverse] ctx in
            [ctx.gradient.permuted(inverse)]
        }
    }

    /// The tensor with its axes reordered (variadic form of ``permuted(_:)``).
    public func permuted(_ axes: Int...) -> Tensor { permuted(axes) }

    /// The tensor with axes `a` and `b` swapped (negative axes count from the end).
    public func transposed(_ a: Int, _ b: Int) -> Tensor {
        let r = rank
        let (i, j) = checkShapes { () throws(ShapeError) in
            (try Shape.normalizeAxis(a, rank: r, op: "transpose"), try Shape.normalizeAxis(b, rank: r, op: "transpose"))
        }
        if i == j { return self }
        var axes = Array(0..<rank)
        axes.swapAt(i, j)
        return permuted(axes)
    }
}

extension Shape {
    /// Checks that `axes` is a permutation of `0..<rank` (negative axes count from the
    /// end) and returns it with non-negative axes.
    public static func validatePermutation(_ axes: [Int], rank: Int, op: String) throws(ShapeError) -> [Int] {
        guard axes.count == rank else {
            throw ShapeError(op: op, "axes \(axes) must list each of the \(rank) axes exactly once")
        }
        var seen = [Bool](repeating: false, count: rank)
        var out: [Int] = []
        for a in axes {
            let n = a < 0 ? a + rank : a
            guard n >= 0, n < rank, !seen[n] else {
                throw ShapeError(op: op, "axes \(axes) are not a permutation of the \(rank) axes")
            }
            seen[n] = true
            out.append(n)
        }
        return out
    }
}
