/// Running sums along an axis.
extension Tensor {
    /// Cumulative sum along `axis` (NumPy's `cumsum`).
    ///
    /// Inclusive: `yₖ = Σ_{j ≤ k} xⱼ`; exclusive: `yₖ = Σ_{j < k} xⱼ` (so `y₀ = 0`);
    /// `reverse` sums from the end instead (`yₖ = Σ_{j ≥ k} xⱼ`). The gradient is the
    /// cumulative sum of `g` in the opposite direction, itself a recorded cumulative sum,
    /// so higher derivatives work.
    ///
    /// - Parameters:
    ///   - axis: The axis to sum along (negative counts from the end).
    ///   - exclusive: Leave each element out of its own sum.
    ///   - reverse: Accumulate from the last element towards the first.
    public func cumulativeSum(alongAxis axis: Int, exclusive: Bool = false, reverse: Bool = false) -> Tensor {
        let r = rank
        let a = checkShapes { () throws(ShapeError) in try Shape.normalizeAxis(axis, rank: r, op: "cumulativeSum") }
        let layout = rank == 0 ? AxisLayout(outer: 1, length: 1, inner: 1) : AxisLayout(shape: shape, axis: a)
        let out = Tensor(shape: shape) { p, _ in
            Tensor.cumulativeSumKernel(storage.pointer, p, layout: layout, exclusive: exclusive, reverse: reverse)
        }
        return Tensor.record("cumulativeSum", inputs: [self], output: out) { ctx in
            [ctx.gradient.cumulativeSum(alongAxis: a, exclusive: exclusive, reverse: !reverse)]
        }
    }

    static func cumulativeSumKernel(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                    layout: AxisLayout, exclusive: Bool, reverse: Bool) {
        let (outer, n, inner) = (layout.outer, layout.length, layout.inner)
        guard n > 0 else { return }
        let block = n * inner
        Parallel.forEachChunk(count: outer, minimumChunk: Swift.max(1, Elementwise.parallelGrain / Swift.max(block, 1))) { range in
            for o in range {
                let xb = x + o * block, ob = out + o * block
                if inner == 1 {
                    var total: Float = 0
                    for step in 0..<n {
                        let k = reverse ? n - 1 - step : step
                        if exclusive {
                            ob[k] = total; total += xb[k]
                        } else {
                            total += xb[k]; ob[k] = total
                        }
                    }
                    continue
                }
                // Visit positions in accumulation order; each output row is the previous
                // output row plus one input row (the current one, or the previous one when
                // exclusive).
                for step in 0..<n {
                    let k = reverse ? n - 1 - step : step
                    let row = ob + k * inner
                    if step == 0 {
                        if exclusive {
                            row.update(repeating: 0, count: inner)
                        } else {
                            row.update(from: xb + k * inner, count: inner)
                        }
                        continue
                    }
                    let previous = reverse ? k + 1 : k - 1
                    let addend = exclusive ? previous : k
                    Elementwise.zipRange(UnsafePointer(ob + previous * inner), 1, xb + addend * inner, 1, row,
                                         0..<inner, { $0 + $1 }, { $0 + $1 })
                }
            }
        }
    }
}
