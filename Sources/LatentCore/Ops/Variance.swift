/// Variance and standard deviation along axes.
extension Tensor {
    /// Variance along `axes`: `Σ (x − x̄)² / (n − δ)`, with `δ = 1` when `unbiased`
    /// (Bessel's correction) and 0 otherwise (NumPy's default `ddof = 0`).
    ///
    /// Computed in two passes (mean, then squared deviations) from differentiable ops, so
    /// it has derivatives of every order.
    ///
    /// - Parameters:
    ///   - axes: The axes to reduce (negative axes count from the end).
    ///   - keepDims: Keep reduced axes with size 1.
    ///   - unbiased: Divide by `n − 1` instead of `n`.
    public func variance(alongAxes axes: [Int], keepDims: Bool = false, unbiased: Bool = false) -> Tensor {
        let normalized = normalizedAxes(axes, op: "variance")
        let n = normalized.reduce(1) { $0 * shape[$1] }
        let deviation = self - mean(alongAxes: normalized, keepDims: true)
        return (deviation * deviation).sum(alongAxes: normalized, keepDims: keepDims) / Float(unbiased ? n - 1 : n)
    }

    /// Variance along one axis.
    public func variance(alongAxis axis: Int, keepDims: Bool = false, unbiased: Bool = false) -> Tensor {
        variance(alongAxes: [axis], keepDims: keepDims, unbiased: unbiased)
    }

    /// Variance of all elements (a scalar tensor).
    public func variance(unbiased: Bool = false) -> Tensor {
        variance(alongAxes: Array(0..<rank), unbiased: unbiased)
    }

    /// Standard deviation along `axes`: the square root of
    /// ``variance(alongAxes:keepDims:unbiased:)``. Its gradient is infinite where the
    /// variance is 0.
    ///
    /// - Parameters:
    ///   - axes: The axes to reduce (negative axes count from the end).
    ///   - keepDims: Keep reduced axes with size 1.
    ///   - unbiased: Divide by `n − 1` instead of `n`.
    public func standardDeviation(alongAxes axes: [Int], keepDims: Bool = false, unbiased: Bool = false) -> Tensor {
        variance(alongAxes: axes, keepDims: keepDims, unbiased: unbiased)._squareRootForStatistics()
    }

    /// Standard deviation along one axis.
    public func standardDeviation(alongAxis axis: Int, keepDims: Bool = false, unbiased: Bool = false) -> Tensor {
        standardDeviation(alongAxes: [axis], keepDims: keepDims, unbiased: unbiased)
    }

    /// Standard deviation of all elements (a scalar tensor).
    public func standardDeviation(unbiased: Bool = false) -> Tensor {
        standardDeviation(alongAxes: Array(0..<rank), unbiased: unbiased)
    }

    /// `√x` with backward `g / (2√x)`; a private stand-in for the elementwise `sqrt()`
    /// op (another branch adds it) so that this file builds on its own.
    func _squareRootForStatistics() -> Tensor {
        let out = unaryKernel({ $0.squareRoot() }, { $0.squareRoot() })
        return Tensor.record("sqrt", inputs: [self], output: out) { ctx in
            [ctx.gradient / (ctx.output * 2)]
        }
    }
}
