/// Fused kernels for the normalisation layers (layer, batch and group norm).
///
/// A tensor is viewed as `[outer, channels, inner]` (an ``AxisLayout`` around the kept
/// axes): each channel has its own mean `μ` and inverse standard deviation
/// `r = 1/√(σ² + ε)` over its `outer · inner` elements (biased variance, computed in two
/// passes with Double accumulation across contiguous runs). Layer norm is
/// `[1, rows, features]`, batch norm `[N, C, H·W]`, group norm `[1, N·G, (C/G)·H·W]`.
///
/// Work is split over channels only, so results do not depend on the thread count.
public enum NormalizationKernels {
    public typealias Vector = SIMD16<Float>

    // MARK: - Contiguous helpers

    /// `Σ xᵢ` over `n` contiguous floats.
    @inlinable
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let raw = UnsafeRawPointer(x)
        var a0 = Vector(), a1 = Vector()
        var i = 0
        while i + 32 <= n {
            a0 += raw.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            a1 += raw.loadUnaligned(fromByteOffset: i * 4 + 64, as: Vector.self)
            i += 32
        }
        while i + 16 <= n {
            a0 += raw.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            i += 16
        }
        var r = (a0 + a1).sum()
        while i < n { r += x[i]; i += 1 }
        return r
    }

    /// `Σ (xᵢ − m)²` over `n` contiguous floats.
    @inlinable
    static func squaredDeviationSum(_ x: UnsafePointer<Float>, _ n: Int, _ m: Float) -> Float {
        let raw = UnsafeRawPointer(x)
        let mv = Vector(repeating: m)
        var a0 = Vector()
        var i = 0
        while i + 16 <= n {
            let d = raw.loadUnaligned(fromByteOffset: i * 4, as: Vector.self) - mv
            a0 = a0.addingProduct(d, d)
            i += 16
        }
        var r = a0.sum()
        while i < n { let d = x[i] - m; r += d * d; i += 1 }
        return r
    }

    // MARK: - Statistics

    /// Per-channel mean, biased variance and inverse standard deviation `1/√(σ² + ε)`.
    ///
    /// - Parameters:
    ///   - x: the input, `layout.outer · layout.length · layout.inner` floats.
    ///   - layout: `[outer, channels, inner]`; statistics are per channel.
    ///   - mean, variance, inverseStandardDeviation: `layout.length` floats each.
    public static func statistics(_ x: UnsafePointer<Float>, layout: AxisLayout, epsilon: Float,
                                  mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>,
                                  inverseStandardDeviation: UnsafeMutablePointer<Float>) {
        let (outer, channels, inner) = (layout.outer, layout.length, layout.inner)
        let n = Double(outer * inner)
        let grain = max(1, Elementwise.parallelGrain / max(1, outer * inner))
        let box = UncheckedSendable((mean, variance, inverseStandardDeviation))
        Parallel.forEachChunk(count: channels, minimumChunk: grain) { range in
            let (mean, variance, rstd) = box.value
            for c in range {
                var total = 0.0
                for o in 0..<outer { total += Double(sum(x + (o * channels + c) * inner, inner)) }
                let m = Float(total / n)
                var squares = 0.0
                for o in 0..<outer {
                    squares += Double(squaredDeviationSum(x + (o * channels + c) * inner, inner, m))
                }
                let v = squares / n
                mean[c] = m
                variance[c] = Float(v)
                rstd[c] = Float(1 / (v + Double(epsilon)).squareRoot())
            }
        }
    }

    // MARK: - Forward

    /// `y = (x − μ_c) · r_c`, then `y · w[i] + b[i]` when a weight or bias indexed by the
    /// inner position `i` is given (layer norm's elementwise affine).
    public static func normalize(_ x: UnsafePointer<Float>, layout: AxisLayout,
                                 mean: UnsafePointer<Float>, inverseStandardDeviation: UnsafePointer<Float>,
                                 weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                                 into out: UnsafeMutablePointer<Float>) {
        let (outer, channels, inner) = (layout.outer, layout.length, layout.inner)
        let grain = max(1, Elementwise.parallelGrain / max(1, outer * inner))
        let box = UncheckedSendable(out)
        Parallel.forEachChunk(count: channels, minimumChunk: grain) { range in
            let out = box.value
            for c in range {
                let m = mean[c], r = inverseStandardDeviation[c]
                let mv = Vector(repeating: m), rv = Vector(repeating: r)
                for o in 0..<outer {
                    let base = (o * channels + c) * inner
                    let xs = UnsafeRawPointer(x + base), ys = UnsafeMutableRawPointer(out + base)
                    var i = 0
                    while i + 16 <= inner {
                        var y = (xs.loadUnaligned(fromByteOffset: i * 4, as: Vector.self) - mv) * rv
                        if let weight { y *= UnsafeRawPointer(weight).loadUnaligned(fromByteOffset: i * 4, as: Vector.self) }
                        if let bias { y += UnsafeRawPointer(bias).loadUnaligned(fromByteOffset: i * 4, as: Vector.self) }
                        ys.storeBytes(of: y, toByteOffset: i * 4, as: Vector.self)
                        i += 16
                    }
                    while i < inner {
                        var y = (x[base + i] - m) * r
                        if let weight { y *= weight[i] }
                        if let bias { y += bias[i] }
                        out[base + i] = y
                        i += 1
                    }
                }
            }
        }
    }

    // MARK: - Backward

    /// The input gradient of `y = x̂ · w` with `x̂ = (x − μ) · r` (statistics per channel):
    ///
    ///     ∂L/∂x = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)),   ĝ = g · w
    ///
    /// means over each channel's elements; `w` (indexed by the inner position) is optional.
    public static func inputGradient(_ gradient: UnsafePointer<Float>, _ x: UnsafePointer<Float>, layout: AxisLayout,
                                     mean: UnsafePointer<Float>, inverseStandardDeviation: UnsafePointer<Float>,
                                     weight: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>) {
        let (outer, channels, inner) = (layout.outer, layout.length, layout.inner)
        let n = Float(outer * inner)
        let grain = max(1, Elementwise.parallelGrain / max(1, outer * inner))
        let box = UncheckedSendable(out)
        Parallel.forEachChunk(count: channels, minimumChunk: grain) { range in
            let out = box.value
            for c in range {
                let m = mean[c], r = inverseStandardDeviation[c]
                let mv = Vector(repeating: m), rv = Vector(repeating: r)
                // Pass 1: Σ ĝ and Σ ĝ·x̂.
                var sumG = 0.0, sumGX = 0.0
                for o in 0..<outer {
                    let base = (o * channels + c) * inner
                    let gs = UnsafeRawPointer(gradient + base), xs = UnsafeRawPointer(x + base)
                    var ag = Vector(), agx = Vector()
                    var i = 0
                    while i + 16 <= inner {
                        var g = gs.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
                        if let weight { g *= UnsafeRawPointer(weight).loadUnaligned(fromByteOffset: i * 4, as: Vector.self) }
                        let xh = (xs.loadUnaligned(fromByteOffset: i * 4, as: Vector.self) - mv) * rv
                        ag += g
                        agx = agx.addingProduct(g, xh)
                        i += 16
                    }
                    var sg = ag.sum(), sgx = agx.sum()
                    while i < inner {
                        var g = gradient[base + i]
                        if let weight { g *= weight[i] }
                        sg += g
                        sgx += g * (x[base + i] - m) * r
                        i += 1
                    }
                    sumG += Double(sg)
                    sumGX += Double(sgx)
                }
                let meanG = Float(sumG) / n, meanGX = Float(sumGX) / n
                let mgv = Vector(repeating: meanG), mgxv = Vector(repeating: meanGX)
                // Pass 2: the gradient.
                for o in 0..<outer {
                    let base = (o * channels + c) * inner
                    let gs = UnsafeRawPointer(gradient + base), xs = UnsafeRawPointer(x + base)
                    let ds = UnsafeMutableRawPointer(out + base)
                    var i = 0
                    while i + 16 <= inner {
                        var g = gs.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
                        if let weight { g *= UnsafeRawPointer(weight).loadUnaligned(fromByteOffset: i * 4, as: Vector.self) }
                        let xh = (xs.loadUnaligned(fromByteOffset: i * 4, as: Vector.self) - mv) * rv
                        ds.storeBytes(of: rv * (g - mgv - xh * mgxv), toByteOffset: i * 4, as: Vector.self)
                        i += 16
                    }
                    while i < inner {
                        var g = gradient[base + i]
                        if let weight { g *= weight[i] }
                        let xh = (x[base + i] - m) * r
                        out[base + i] = r * (g - meanG - xh * meanGX)
                        i += 1
                    }
                }
            }
        }
    }

    /// Gradients of layer norm's elementwise affine over `[rows, features]`:
    /// `∂L/∂w[i] = Σ_rows g · x̂`, `∂L/∂b[i] = Σ_rows g` (either may be skipped).
    /// Split over features, so every sum runs over the rows in order.
    public static func affineGradients(_ gradient: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                       rows: Int, features: Int,
                                       mean: UnsafePointer<Float>, inverseStandardDeviation: UnsafePointer<Float>,
                                       weightGradient: UnsafeMutablePointer<Float>?,
                                       biasGradient: UnsafeMutablePointer<Float>?) {
        weightGradient?.update(repeating: 0, count: features)
        biasGradient?.update(repeating: 0, count: features)
        let box = UncheckedSendable((weightGradient, biasGradient))
        let grain = max(16, Elementwise.parallelGrain / max(1, rows))
        Parallel.forEachChunk(count: features, minimumChunk: grain) { range in
            let (dw, db) = box.value
            for r in 0..<rows {
                let m = mean[r], s = inverseStandardDeviation[r]
                let g = gradient + r * features, xs = x + r * features
                if let dw { for i in range { dw[i] += g[i] * (xs[i] - m) * s } }
                if let db { for i in range { db[i] += g[i] } }
            }
        }
    }
}
