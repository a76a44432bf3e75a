/// Replacing masked elements by a constant.
extension Tensor {
    /// This tensor with `value` wherever `mask` is non-zero (`torch.Tensor.masked_fill`).
    ///
    /// `result = mask ≠ 0 ? value : self`, with `mask` broadcast to this tensor's shape.
    /// The gradient is the incoming gradient where the mask is zero and zero where it is
    /// filled; the mask gets no gradient.
    ///
    /// - Parameters:
    ///   - mask: A 0/1 tensor broadcastable to this tensor's shape.
    ///   - value: The constant written where `mask` is non-zero.
    public func maskedFill(_ mask: Tensor, value: Float) -> Tensor {
        let s = shape
        checkShapes { () throws(ShapeError) in try Shape.validateBroadcast(mask.shape, to: s, op: "maskedFill") }
        let fill = SIMD16<Float>(repeating: value)
        let out = Tensor(shape: shape) { o, _ in
            Elementwise.broadcastZip(self, mask, outShape: s, o,
                                     { x, m in x.replacing(with: fill, where: m .!= 0) },
                                     { x, m in m != 0 ? value : x })
        }
        guard isRecorded else { return out }
        // An untracked 0/1 tensor of the mask's shape: 1 where the input passes through.
        let keep = Tensor(shape: mask.shape) { p, n in
            let m = mask.storage.pointer
            for i in 0..<n { p[i] = m[i] == 0 ? 1 : 0 }
        }
        return Tensor.record("maskedFill", inputs: [self], output: out) { ctx in [ctx.gradient * keep] }
    }
}
