/// Unslicing: placing a tensor into a strided window of a larger zero tensor (the
/// adjoint of slicing).
extension Tensor {
    /// A tensor of `shape`, zero except on the strided window given by `starts` and
    /// `strides`, which holds this tensor: `result[starts + i ⊙ strides] = self[i]`.
    ///
    /// This is the gradient of ``sliced(starts:sizes:strides:)``, and its own gradient is
    /// that slice of the incoming gradient.
    ///
    /// - Parameters:
    ///   - shape: Shape of the result.
    ///   - starts: Where the first element of this tensor goes, per axis.
    ///   - strides: Step along each axis (non-zero, may be negative); all 1 by default.
    public func unsliced(into shape: [Int], starts: [Int], strides: [Int]? = nil) -> Tensor {
        let steps = strides ?? Array(repeating: 1, count: shape.count)
        let out = embedded(into: shape, starts: starts, strides: steps, fill: 0, op: "unslice")
        return Tensor.record("unslice", inputs: [self], output: out) { ctx in
            [ctx.gradient.sliced(starts: starts, sizes: ctx.inputs[0].shape, strides: steps)]
        }
    }

    /// The untracked kernel behind unslice and pad: a `fill`-valued tensor of `shape`
    /// with this tensor written into the given window.
    func embedded(into shape: [Int], starts: [Int], strides steps: [Int], fill: Float, op: String) -> Tensor {
        let sizes = self.shape
        checkShapes { () throws(ShapeError) in
            try Shape.validateWindow(shape, starts: starts, sizes: sizes, strides: steps, op: op)
        }
        let outStrides = Shape.strides(shape)
        let offset = zip(starts, outStrides).reduce(0) { $0 + $1.0 * $1.1 }
        return Tensor(shape: shape) { o, n in
            o.update(repeating: fill, count: n)
            StridedCopy.copy(shape: sizes, from: storage.pointer, offset: 0, strides: Shape.strides(sizes),
                             to: o, offset: offset, strides: zip(steps, outStrides).map { $0 * $1 })
        }
    }
}
