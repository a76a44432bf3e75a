/// The log of a sum of exponentials, computed without overflow.
extension Tensor {
    /// `log Σ exp(x)` along `axes`, stable for inputs of any magnitude.
    ///
    /// `y = m + log Σ exp(x − m)` with `m = max x` (an all-`-inf` group gives `-inf`).
    /// The gradient is the softmax over each group, `∂y/∂x = exp(x − y)`, written with
    /// differentiable ops so that higher derivatives work.
    ///
    /// - Parameters:
    ///   - axes: The axes to reduce (negative axes count from the end).
    ///   - keepDims: Keep reduced axes with size 1.
    public func logSumExp(alongAxes axes: [Int], keepDims: Bool = false) -> Tensor {
        let normalized = normalizedAxes(axes, op: "logSumExp")
        let reduced = (0..<rank).map { normalized.contains($0) }
        let kept = reducedShape(normalized, op: "logSumExp")
        let outShape = keepDims ? kept : kept.enumerated().filter { !reduced[$0.offset] }.map(\.element)
        let out = Tensor(shape: outShape) { p, _ in
            SoftmaxKernels.logSumExp(self, reduced: reduced, into: p)
        }
        return Tensor.record("logSumExp", inputs: [self], output: out) { ctx in
            let y = ctx.output.reshaped(to: kept)
            return [ctx.gradient.reshaped(to: kept) * (ctx.inputs[0] - y).exp()]
        }
    }

    /// `log Σ exp(x)` along one axis.
    public func logSumExp(alongAxis axis: Int, keepDims: Bool = false) -> Tensor {
        logSumExp(alongAxes: [axis], keepDims: keepDims)
    }

    /// `log Σ exp(x)` over all elements (a scalar tensor).
    public func logSumExp() -> Tensor {
        logSumExp(alongAxes: Array(0..<rank))
    }
}
