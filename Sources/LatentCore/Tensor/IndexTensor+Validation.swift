/// Range checks for index tensors.
extension IndexTensor {
    /// Checks that every index lies in `0..<size`, or throws a ``ShapeError`` naming
    /// `op`, the first offending index, the axis and its size, e.g.
    /// `"gather: index 7 is out of range for axis 1 of size 5"`.
    ///
    /// - Parameters:
    ///   - size: The size of the axis being indexed.
    ///   - axis: The axis being indexed (for the message).
    ///   - op: The op doing the indexing (for the message).
    public func validate(axisSize size: Int, axis: Int, op: String) throws(ShapeError) {
        let bound = Int32(clamping: size)
        for i in scalars where i < 0 || i >= bound {
            throw ShapeError(op: op, "index \(i) is out of range for axis \(axis) of size \(size)")
        }
    }
}
