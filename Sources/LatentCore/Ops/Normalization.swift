/// Standardisation to zero mean and unit variance per channel: the primitive under
/// batch norm and group norm.

/// Validates a normalisation over all axes except the contiguous run `keptAxes` and
/// returns the `[outer, channels, inner]` layout it works on.
///
/// - Throws: ``ShapeError`` when `keptAxes` is out of range or a channel would have no
///   elements.
public func normalizationLayout(shape: [Int], keepingAxes keptAxes: Range<Int>, op: String) throws(ShapeError) -> AxisLayout {
    guard keptAxes.lowerBound >= 0, keptAxes.upperBound <= shape.count else {
        throw ShapeError(op: op, "kept axes \(keptAxes.lowerBound)..<\(keptAxes.upperBound) are out of range for shape \(shapeString(shape))")
    }
    let layout = AxisLayout(shape: shape, axes: keptAxes)
    guard layout.outer * layout.inner > 0 else {
        throw ShapeError(op: op, "shape \(shapeString(shape)) leaves no elements to normalise over")
    }
    return layout
}

extension Tensor {
    /// Standardises this tensor per index of the axes `keptAxes`, over all other axes:
    ///
    ///     x̂ = (x − μ) / √(σ² + ε)
    ///
    /// with `μ` and the biased variance `σ²` taken per index of the kept axes (one
    /// "channel"). Batch norm keeps the channel axis (`1..<2` of `[N, C, H, W]`); group
    /// norm keeps `0..<2` of `[N, G, …]`.
    ///
    /// One fused kernel (statistics in Double, then the normalised values). Backward:
    ///
    ///     ∂L/∂x = r · (g − mean(g) − x̂ · mean(g · x̂)),   r = 1/√(σ² + ε),
    ///
    /// means per channel; a fused kernel computes it, and under `createGraph` the same
    /// formula is built from differentiable ops (with `r` itself a recorded op), so
    /// higher derivatives work.
    ///
    /// - Parameters:
    ///   - keptAxes: A contiguous run of axes that index the channels.
    ///   - epsilon: Added to the variance, `ε ≥ 0`.
    public func normalized(keepingAxes keptAxes: Range<Int>, epsilon: Float = 1e-5) -> Tensor {
        normalizedWithStatistics(keepingAxes: keptAxes, epsilon: epsilon).normalized
    }

    /// ``normalized(keepingAxes:epsilon:)`` together with the statistics it used: the
    /// per-channel mean and biased variance, shaped like the kept axes (untracked; batch
    /// norm folds them into its running statistics).
    public func normalizedWithStatistics(keepingAxes keptAxes: Range<Int>, epsilon: Float = 1e-5)
        -> (normalized: Tensor, mean: Tensor, variance: Tensor) {
        let shape = self.shape
        let layout = checkShapes { () throws(ShapeError) in
            guard epsilon >= 0 else { throw ShapeError(op: "normalized", "epsilon \(epsilon) is negative") }
            return try normalizationLayout(shape: shape, keepingAxes: keptAxes, op: "normalized")
        }
        let statisticsShape = Array(shape[keptAxes])
        let (mean, variance, rstd) = Tensor.normalizationStatistics(self, layout: layout, epsilon: epsilon,
                                                                    shape: statisticsShape)
        let out = Tensor(shape: shape) { p, _ in
            NormalizationKernels.normalize(storage.pointer, layout: layout, mean: mean.storage.pointer,
                                           inverseStandardDeviation: rstd.storage.pointer,
                                           weight: nil, bias: nil, into: p)
        }
        let result = Tensor.record("normalized", inputs: [self], output: out, fusedBackward: { ctx in
            let x = ctx.inputs[0], g = ctx.gradient
            return [Tensor(shape: x.shape) { p, _ in
                NormalizationKernels.inputGradient(g.storage.pointer, x.storage.pointer, layout: layout,
                                                   mean: mean.storage.pointer,
                                                   inverseStandardDeviation: rstd.storage.pointer,
                                                   weight: nil, into: p)
            }]
        }, composedBackward: { ctx in
            let view = [layout.outer, layout.length, layout.inner]
            let x = ctx.inputs[0].reshaped(to: view)
            let y = ctx.output.reshaped(to: view), g3 = ctx.gradient.reshaped(to: view)
            let r = x.normalizationInverseStandardDeviation(epsilon: epsilon)
            let dx = r * (g3 - g3.mean(alongAxes: [0, 2], keepDims: true)
                - y * (g3 * y).mean(alongAxes: [0, 2], keepDims: true))
            return [dx.reshaped(to: ctx.inputs[0].shape)]
        })
        return (result, mean, variance)
    }

    /// Runs the statistics kernel: per-channel mean, variance and inverse standard
    /// deviation (untracked), each reshaped to `shape`.
    static func normalizationStatistics(_ x: Tensor, layout: AxisLayout, epsilon: Float, shape: [Int])
        -> (mean: Tensor, variance: Tensor, inverseStandardDeviation: Tensor) {
        let c = layout.length
        let all = Tensor(shape: [3 * c]) { p, _ in
            NormalizationKernels.statistics(x.storage.pointer, layout: layout, epsilon: epsilon,
                                            mean: p, variance: p + c, inverseStandardDeviation: p + 2 * c)
        }
        func part(_ k: Int) -> Tensor {
            Tensor(shape: shape) { p, _ in p.update(from: all.storage.pointer + k * c, count: c) }
        }
        return (part(0), part(1), part(2))
    }

    /// `r = 1/√(σ² + ε)` per channel of a `[outer, channels, inner]` tensor, shaped
    /// `[1, channels, 1]`; a recorded op used by the differentiable backward rules of the
    /// normalisations. Backward: `∂r/∂x = −r³ · (x − μ) / n`.
    func normalizationInverseStandardDeviation(epsilon: Float) -> Tensor {
        ensure(rank == 3, "normalizationInverseStandardDeviation: needs [outer, channels, inner]")
        let layout = AxisLayout(outer: shape[0], length: shape[1], inner: shape[2])
        let rstd = Tensor.normalizationStatistics(self, layout: layout, epsilon: epsilon,
                                                  shape: [1, shape[1], 1]).inverseStandardDeviation
        let n = Float(shape[0] * shape[2])
        return Tensor.record("normalizationInverseStandardDeviation", inputs: [self], output: rstd) { ctx in
            let x = ctx.inputs[0], r = ctx.output
            return [-(ctx.gradient * r * r * r / n) * (x - x.mean(alongAxes: [0, 2], keepDims: true))]
        }
    }
}
