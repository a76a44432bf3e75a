/// Tiling and repeating elements (compositions of reshape and broadcast, so their
/// gradients are reshapes and sums).
extension Tensor {
    /// The tensor tiled `repeats[d]` times along each axis, like `torch.Tensor.repeat`
    /// (NumPy's `tile`). Extra leading entries of `repeats` add leading axes.
    ///
    /// `result[i] = self[i mod shape]`; result shape `repeats ⊙ shape`. The gradient sums
    /// the incoming gradient over the tiles.
    ///
    /// - Parameter repeats: Non-negative repeat counts, at least one per axis.
    public func repeated(_ repeats: [Int]) -> Tensor {
        let s = shape
        checkShapes { () throws(ShapeError) in
            guard repeats.count >= s.count, repeats.allSatisfy({ $0 >= 0 }) else {
                throw ShapeError(op: "repeat", "repeats \(repeats) need one non-negative count per axis of shape \(shapeString(s))")
            }
        }
        let padded = [Int](repeating: 1, count: repeats.count - rank) + shape
        if repeats.allSatisfy({ $0 == 1 }) { return reshaped(to: padded) }
        // [d0, d1] → [1, d0, 1, d1] → broadcast [r0, d0, r1, d1] → [r0·d0, r1·d1].
        let interleaved = padded.flatMap { [1, $0] }
        let target = zip(repeats, padded).flatMap { [$0, $1] }
        return reshaped(to: interleaved).broadcast(to: target).reshaped(to: zip(repeats, padded).map { $0 * $1 })
    }

    /// Each position repeated `count` times in a row along `axis`, like
    /// `torch.repeat_interleave` (`[a, b]` → `[a, a, b, b]` for `count` 2).
    ///
    /// - Parameters:
    ///   - count: How many times to repeat each position (non-negative).
    ///   - axis: The axis to repeat along; negative counts from the end.
    public func repeatedInterleave(_ count: Int, alongAxis axis: Int) -> Tensor {
        ensure(count >= 0, "repeatInterleave: count must be non-negative, got \(count)")
        let r = rank
        let a = checkShapes { () throws(ShapeError) in
            guard r > 0 else { throw ShapeError(op: "repeatInterleave", "needs rank >= 1, got a scalar") }
            return try Shape.normalizeAxis(axis, rank: r, op: "repeatInterleave")
        }
        if count == 1 { return self }
        var expanded = shape
        expanded.insert(1, at: a + 1)
        var target = expanded
        target[a + 1] = count
        var result = shape
        result[a] *= count
        return reshaped(to: expanded).broadcast(to: target).reshaped(to: result)
    }
}
