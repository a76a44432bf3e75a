/// `broadcast(to:)` and its adjoint `sum(toShape:)`: each is the other's backward.
extension Tensor {
    /// Repeats this tensor along size-1 (or missing leading) dimensions to `target`.
    public func broadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        checkShapes { () throws(ShapeError) in try Shape.validateBroadcast(shape, to: target, op: "broadcast") }
        let zero = Tensor(0)
        let out = Tensor(shape: target) { out, _ in
            Elementwise.broadcastZip(self, zero, outShape: target, out, { a, _ in a }, { a, _ in a })
        }
        return Tensor.record("broadcast", inputs: [self], output: out) { ctx in
            [ctx.gradient.sum(toShape: ctx.inputs[0].shape)]
        }
    }

    /// Sums over the dimensions along which a tensor of shape `target` would have been
    /// broadcast to this tensor's shape (the adjoint of ``broadcast(to:)``).
    public func sum(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        checkShapes { () throws(ShapeError) in try Shape.validateBroadcast(target, to: shape, op: "sum(toShape:)") }
        let offset = rank - target.count
        let reduced = (0..<rank).map { d in d < offset || (target[d - offset] == 1 && shape[d] != 1) }
        let out = Tensor(shape: target) { out, _ in
            ReductionKernels.reduce(storage.pointer, shape: shape, reduced: reduced, into: out, initial: 0,
                                    { $0 + $1 }, { $0 + $1 }, horizontal: { $0.sum() })
        }
        return Tensor.record("sum", inputs: [self], output: out) { [shape] ctx in
            [ctx.gradient.broadcast(to: shape)]
        }
    }

    /// The same elements with a new shape (one dimension may be `-1`).
    public func reshaped(to newShape: [Int]) -> Tensor {
        let resolved = checkShapes { () throws(ShapeError) in try Shape.resolveReshape(newShape, count: scalarCount, from: shape) }
        if resolved == shape { return self }
        let out = Tensor(shape: resolved, storage: storage)
        return Tensor.record("reshape", inputs: [self], output: out) { ctx in
            [ctx.gradient.reshaped(to: ctx.inputs[0].shape)]
        }
    }

    /// The same elements with a new shape (one dimension may be `-1`).
    public func reshaped(_ newShape: Int...) -> Tensor { reshaped(to: newShape) }
}
