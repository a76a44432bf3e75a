/// Softmax and log-softmax along an axis, each one fused kernel with its own backward.
extension Tensor {
    /// The softmax along `axis`: `yᵢ = exp(xᵢ − m) / Σⱼ exp(xⱼ − m)` with `m = maxⱼ xⱼ`.
    ///
    /// One fused pass per row (maximum, sum of exponentials, write); vectorised when
    /// `axis` is the last one. Backward: `∂L/∂x = y ⊙ (g − Σ g ⊙ y)`, written with
    /// differentiable ops so that higher derivatives work.
    ///
    /// - Parameter axis: The axis to normalise over (negative counts from the end).
    public func softmax(alongAxis axis: Int = -1) -> Tensor {
        let a = softmaxAxis(axis, op: "softmax")
        let out = softmaxKernel(axis: a, output: .softmax)
        return Tensor.record("softmax", inputs: [self], output: out) { ctx in
            let (y, g) = (ctx.output, ctx.gradient)
            return [y * (g - (g * y).sum(alongAxis: a, keepDims: true))]
        }
    }

    /// The log of the softmax along `axis`: `yᵢ = xᵢ − m − log Σⱼ exp(xⱼ − m)`, stable for
    /// inputs of any magnitude.
    ///
    /// Backward: `∂L/∂x = g − exp(y) ⊙ Σ g`, written with differentiable ops.
    ///
    /// - Parameter axis: The axis to normalise over (negative counts from the end).
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        let a = softmaxAxis(axis, op: "logSoftmax")
        let out = softmaxKernel(axis: a, output: .logSoftmax)
        return Tensor.record("logSoftmax", inputs: [self], output: out) { ctx in
            let (y, g) = (ctx.output, ctx.gradient)
            return [g - y.exp() * g.sum(alongAxis: a, keepDims: true)]
        }
    }

    private func softmaxAxis(_ axis: Int, op: String) -> Int {
        let shape = self.shape
        return checkShapes { () throws(ShapeError) in
            guard !shape.isEmpty else { throw ShapeError(op: op, "needs a tensor of rank >= 1, got shape []") }
            return try Shape.normalizeAxis(axis, rank: shape.count, op: op)
        }
    }

    /// Runs the fused kernel (untracked result).
    private func softmaxKernel(axis: Int, output: SoftmaxKernels.Output) -> Tensor {
        let layout = AxisLayout(shape: shape, axis: axis)
        return Tensor(shape: shape) { p, _ in
            SoftmaxKernels.softmax(storage.pointer, p, layout: layout, output: output)
        }
    }
}
