/// Binary search in sorted rows (`torch.searchsorted`, NumPy's `searchsorted`).

/// For every value, the position at which it would be inserted into its sorted
/// sequence to keep it sorted.
///
/// With `right == false` the position is the first `i` with `sequence[i] >= value`
/// (NumPy's `side="left"`); with `right == true` the first `i` with `sequence[i] > value`.
/// Positions range over `0...N`. Not differentiable (the result is integer).
///
/// - Parameters:
///   - sortedSequence: Ascending rows, `[..., N]`; a 1-D sequence is shared by all values.
///   - values: Values to place, `[..., M]` with the same leading dimensions as
///     `sortedSequence` (any shape when `sortedSequence` is 1-D).
///   - right: Whether ties go after equal elements.
/// - Returns: Positions shaped like `values`.
public func searchSorted(_ sortedSequence: Tensor, _ values: Tensor, right: Bool = false) -> IndexTensor {
    checkShapes { () throws(ShapeError) in try Shape.validateSearchSorted(sortedSequence.shape, values.shape) }
    let n = sortedSequence.shape.last!
    let shared = sortedSequence.rank == 1
    let m = shared ? max(values.scalarCount, 1) : values.shape.last!
    let seq = sortedSequence.storage.pointer, v = values.storage.pointer
    var result = [Int32](repeating: 0, count: values.scalarCount)
    for i in 0..<values.scalarCount {
        let row = seq + (shared ? 0 : (i / m) * n)
        let x = v[i]
        var lo = 0, hi = n
        while lo < hi {
            let mid = (lo + hi) / 2
            if right ? row[mid] <= x : row[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        result[i] = Int32(lo)
    }
    return IndexTensor(shape: values.shape, scalars: result)
}

extension Shape {
    /// Checks the shapes given to ``searchSorted(_:_:right:)``.
    public static func validateSearchSorted(_ sequence: [Int], _ values: [Int]) throws(ShapeError) {
        guard !sequence.isEmpty else {
            throw ShapeError(op: "searchSorted", "the sorted sequence must have rank >= 1, got a scalar")
        }
        if sequence.count == 1 { return }
        guard values.count == sequence.count, values.dropLast() == sequence.dropLast() else {
            throw ShapeError(op: "searchSorted", "sorted sequence of shape \(shapeString(sequence)) and values of shape \(shapeString(values)) must share leading dimensions")
        }
    }
}
