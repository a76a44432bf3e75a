/// Reversing the order of elements along axes.
extension Tensor {
    /// The tensor with the order of positions reversed along each of `axes`
    /// (`result[…, i, …] = self[…, n − 1 − i, …]`). The gradient is the incoming gradient
    /// flipped the same way.
    ///
    /// - Parameter axes: The axes to reverse; negative axes count from the end.
    public func flipped(alongAxes axes: [Int]) -> Tensor {
        let flips = normalizedAxes(axes, op: "flip").filter { $0 < rank && shape[$0] > 1 }
        if flips.isEmpty { return self }
        let inStrides = Shape.strides(shape)
        var strides = inStrides
        var offset = 0
        for a in flips {
            strides[a] = -inStrides[a]
            offset += (shape[a] - 1) * inStrides[a]
        }
        let out = Tensor(shape: shape) { o, _ in
            StridedCopy.copy(shape: shape, from: storage.pointer, offset: offset, strides: strides,
                             to: o, offset: 0, strides: inStrides)
        }
        return Tensor.record("flip", inputs: [self], output: out) { ctx in
            [ctx.gradient.flipped(alongAxes: flips)]
        }
    }

    /// The tensor reversed along one axis (negative counts from the end).
    public func flipped(alongAxis axis: Int) -> Tensor { flipped(alongAxes: [axis]) }
}
