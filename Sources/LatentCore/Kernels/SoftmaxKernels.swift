import Foundation

/// Fused, numerically stable kernels for softmax, log-softmax and log-sum-exp.
///
/// Each row is processed in one sweep per quantity: its maximum `m`, then
/// `s = Σ exp(x − m)` (writing `exp(x − m)` when softmax needs it), then the output.
/// Rows along the innermost axis are contiguous and use 16-lane SIMD with a vectorised
/// `exp`; other axes are handled as `[outer, length, inner]` blocks whose inner
/// dimension is contiguous.
public enum SoftmaxKernels {
    public typealias Vector = SIMD16<Float>

    // MARK: - Vectorised exp

    /// `eˣ` on 16 lanes (Cephes-style: `x = n·ln 2 + r`, a degree-6 polynomial for `eʳ` on
    /// `|r| ≤ ln 2 / 2`, then scaling by `2ⁿ` built from its bits). Relative error about
    /// 2 ulp; overflows to `+inf` above 88.72, underflows to 0 below −103.97 (through the
    /// subnormals), and passes NaN through.
    @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        let high: Float = 88.72283, low: Float = -103.97208
        // (Masked selects vectorise; `clamped` compiles to a per-lane loop.)
        let xc = x.replacing(with: high, where: x .> high).replacing(with: low, where: x .< low)
        // Round x·log2(e) to the nearest integer with the 1.5·2²³ trick: the integer
        // then sits in the low mantissa bits of `shifted`.
        let magic: Float = 12_582_912
        let shifted = xc * 1.442_695_04 + magic
        let n = shifted - magic
        var r = xc - n * 0.693_359_375
        r = r - n * -2.121_944_4e-4
        var p = Vector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * (r * r) + r + 1
        // 2ⁿ as two factors 2^(n/2)·2^(n − n/2) so that n in [−150, 128] stays representable.
        let bits = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let half = bits &>> 1
        let scaleA = unsafeBitCast((half &+ 127) &<< 23, to: Vector.self)
        let scaleB = unsafeBitCast((bits &- half &+ 127) &<< 23, to: Vector.self)
        var result = p * scaleA * scaleB
        result.replace(with: .infinity, where: x .> high)
        result.replace(with: 0, where: x .< low)
        result.replace(with: x, where: x .!= x)
        return result
    }

    /// `log(1 + u)` on 16 lanes for `0 ≤ u ≤ 1` (as in the softplus `log(1 + e^{−|x|})`),
    /// accurate to a few ulp including for tiny `u` (where it returns `u`).
    ///
    /// `y = 1 + u` is split as `y = 2ᵉ·m` with `m ∈ [√½, √2)`, `log m` comes from the Cephes
    /// polynomial, and `(u − (y − 1)) / y` corrects the rounding of `1 + u`.
    @inline(__always)
    public static func log1pUnit(_ u: Vector) -> Vector {
        let y = 1 + u
        let isLarge = y .> 1.414_213_5
        let m = y.replacing(with: y * 0.5, where: isLarge)
        let e = Vector(repeating: 0).replacing(with: 1, where: isLarge)
        let f = m - 1
        let z = f * f
        var p = Vector(repeating: 7.037_683_629_2e-2)
        p = p * f - 1.151_461_031_0e-1
        p = p * f + 1.167_699_874_0e-1
        p = p * f - 1.242_014_084_6e-1
        p = p * f + 1.424_932_278_7e-1
        p = p * f - 1.666_805_766_5e-1
        p = p * f + 2.000_071_476_5e-1
        p = p * f - 2.499_999_399_3e-1
        p = p * f + 3.333_333_117_4e-1
        var r = p * f * z
        r = r + e * -2.121_944_4e-4
        r = r - z * 0.5
        r = f + r + e * 0.693_359_375
        return r + (u - (y - 1)) / y
    }

    /// `eˣ` for one float, with the same algorithm as the vector form (so that row tails
    /// agree with the vectorised body).
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        exp(Vector(repeating: x))[0]
    }

    // MARK: - Contiguous rows

    /// Loads up to 16 floats, filling missing lanes with `fill`.
    @inline(__always)
    static func loadPartial(_ p: UnsafePointer<Float>, _ count: Int, fill: Float) -> Vector {
        var v = Vector(repeating: fill)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    /// Stores the first `count` lanes of `v`.
    @inline(__always)
    static func storePartial(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        for i in 0..<count { p[i] = v[i] }
    }

    /// Largest of `n` contiguous floats (`-inf` when `n == 0`; NaN if any is NaN).
    public static func rowMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        ReductionKernels.reduceContiguous(x, n, -.infinity, maxPropagatingNaN, maxPropagatingNaN,
                                          { v in
                                              var m = v[0]
                                              for i in 1..<16 { m = maxPropagatingNaN(m, v[i]) }
                                              return m
                                          })
    }

    /// The shift used before exponentiating: the row maximum, or 0 when it is infinite
    /// (so an all-`-inf` row gives `exp(-inf) = 0` rather than NaN).
    @inline(__always)
    static func shift(_ m: Float) -> Float { m.isFinite ? m : 0 }

    /// `Σ exp(x − m)` over `n` contiguous floats; when `out` is given, also writes each
    /// `exp(x − m)` there.
    @inline(__always)
    static func rowSumExp(_ x: UnsafePointer<Float>, _ n: Int, shift m: Float,
                          writing out: UnsafeMutablePointer<Float>?) -> Float {
        let raw = UnsafeRawPointer(x)
        let vm = Vector(repeating: m)
        var s0 = Vector(), s1 = Vector()
        var i = 0
        while i + 32 <= n {
            let e0 = exp(raw.loadUnaligned(fromByteOffset: i * 4, as: Vector.self) - vm)
            let e1 = exp(raw.loadUnaligned(fromByteOffset: i * 4 + 64, as: Vector.self) - vm)
            if let out {
                UnsafeMutableRawPointer(out).storeBytes(of: e0, toByteOffset: i * 4, as: Vector.self)
                UnsafeMutableRawPointer(out).storeBytes(of: e1, toByteOffset: i * 4 + 64, as: Vector.self)
            }
            s0 += e0; s1 += e1
            i += 32
        }
        while i < n {
            let count = Swift.min(16, n - i)
            let e = exp(loadPartial(x + i, count, fill: -.infinity) - vm)
            if let out { storePartial(e, out + i, count) }
            s0 += e
            i += 16
        }
        return (s0 + s1).sum()
    }

    /// `log Σ exp(x)` over `n` contiguous floats, stable for any magnitude.
    public static func rowLogSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let m = shift(rowMax(x, n))
        return m + Foundation.log(rowSumExp(x, n, shift: m, writing: nil))
    }

    /// Softmax of one contiguous row: `out = exp(x − m) / Σ exp(x − m)`.
    public static func softmaxRow(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        let m = shift(rowMax(x, n))
        let s = rowSumExp(x, n, shift: m, writing: out)
        withUnsafePointer(to: 1 / s) { inverse in
            Elementwise.zipRange(UnsafePointer(out), 1, inverse, 0, out, 0..<n, { $0 * $1 }, { $0 * $1 })
        }
    }

    /// Log-softmax of one contiguous row: `out = x − m − log Σ exp(x − m)`.
    public static func logSoftmaxRow(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        let m = shift(rowMax(x, n))
        let offset = m + Foundation.log(rowSumExp(x, n, shift: m, writing: nil))
        withUnsafePointer(to: offset) { offset in
            Elementwise.zipRange(x, 1, offset, 0, out, 0..<n, { $0 - $1 }, { $0 - $1 })
        }
    }

    // MARK: - Whole tensors

    /// What a fused pass writes for each row.
    public enum Output: Sendable {
        case softmax, logSoftmax
    }

    /// Softmax or log-softmax of `x` along the middle axis of `layout`, into `out`
    /// (same layout). Parallel over rows (or blocks).
    public static func softmax(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                               layout: AxisLayout, output: Output) {
        let (outer, n, inner) = (layout.outer, layout.length, layout.inner)
        if inner == 1 {
            Parallel.forEachChunk(count: outer, minimumChunk: Swift.max(1, Elementwise.parallelGrain / Swift.max(n, 1))) { r in
                for row in r {
                    switch output {
                    case .softmax: softmaxRow(x + row * n, out + row * n, n)
                    case .logSoftmax: logSoftmaxRow(x + row * n, out + row * n, n)
                    }
                }
            }
            return
        }
        let block = n * inner
        Parallel.forEachChunk(count: outer, minimumChunk: Swift.max(1, Elementwise.parallelGrain / Swift.max(block, 1))) { r in
            var shifts = [Float](repeating: 0, count: inner)
            var sums = [Float](repeating: 0, count: inner)
            shifts.withUnsafeMutableBufferPointer { mb in
                sums.withUnsafeMutableBufferPointer { sb in
                    let m = mb.baseAddress!, s = sb.baseAddress!
                    for o in r {
                        let xb = x + o * block, ob = out + o * block
                        columnMaxAndSumExp(xb, n: n, inner: inner, shifts: m, sums: s, exps: output == .softmax ? ob : nil)
                        switch output {
                        case .softmax:
                            for i in 0..<inner { s[i] = 1 / s[i] }
                            for k in 0..<n {
                                Elementwise.zipRange(UnsafePointer(ob + k * inner), 1, UnsafePointer(s), 1, ob + k * inner,
                                                     0..<inner, { $0 * $1 }, { $0 * $1 })
                            }
                        case .logSoftmax:
                            for i in 0..<inner { s[i] = m[i] + Foundation.log(s[i]) }
                            for k in 0..<n {
                                Elementwise.zipRange(xb + k * inner, 1, UnsafePointer(s), 1, ob + k * inner,
                                                     0..<inner, { $0 - $1 }, { $0 - $1 })
                            }
                        }
                    }
                }
            }
        }
    }

    /// For an `[n, inner]` block: the stable shift `m[i]` of every column and
    /// `s[i] = Σₖ exp(x[k, i] − m[i])`; writes the exponentials to `exps` when given.
    static func columnMaxAndSumExp(_ x: UnsafePointer<Float>, n: Int, inner: Int,
                                   shifts m: UnsafeMutablePointer<Float>, sums s: UnsafeMutablePointer<Float>,
                                   exps: UnsafeMutablePointer<Float>?) {
        m.update(repeating: -.infinity, count: inner)
        for k in 0..<n {
            Elementwise.zipRange(UnsafePointer(m), 1, x + k * inner, 1, m, 0..<inner,
                                 maxPropagatingNaN, maxPropagatingNaN)
        }
        for i in 0..<inner { m[i] = shift(m[i]) }
        s.update(repeating: 0, count: inner)
        let rawShift = UnsafeRawPointer(m), rawSum = UnsafeMutableRawPointer(s)
        for k in 0..<n {
            let row = x + k * inner
            let rawRow = UnsafeRawPointer(row)
            var i = 0
            while i + 16 <= inner {
                let e = exp(rawRow.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
                    - rawShift.loadUnaligned(fromByteOffset: i * 4, as: Vector.self))
                if let exps { UnsafeMutableRawPointer(exps + k * inner).storeBytes(of: e, toByteOffset: i * 4, as: Vector.self) }
                rawSum.storeBytes(of: rawSum.loadUnaligned(fromByteOffset: i * 4, as: Vector.self) + e,
                                  toByteOffset: i * 4, as: Vector.self)
                i += 16
            }
            if i < inner {
                let count = inner - i
                let e = exp(loadPartial(row + i, count, fill: -.infinity) - loadPartial(m + i, count, fill: 0))
                if let exps { storePartial(e, exps + k * inner + i, count) }
                storePartial(loadPartial(s + i, count, fill: 0) + e, s + i, count)
            }
        }
    }

    /// `log Σ exp(x)` of every group of a reduction over the axes flagged in `reduced`,
    /// into `out` (one float per group, in row-major order of the kept axes).
    public static func logSumExp(_ input: Tensor, reduced: [Bool], into out: UnsafeMutablePointer<Float>) {
        let x = UnsafePointer(input.storage.pointer), shape = input.shape
        if let layout = AxisLayout(shape: shape, reduced: reduced) {
            let (outer, n, inner) = (layout.outer, layout.length, layout.inner)
            if inner == 1 {
                Parallel.forEachChunk(count: outer, minimumChunk: Swift.max(1, Elementwise.parallelGrain / Swift.max(n, 1))) { r in
                    for row in r { out[row] = rowLogSumExp(x + row * n, n) }
                }
                return
            }
            var shifts = [Float](repeating: 0, count: inner)
            shifts.withUnsafeMutableBufferPointer { mb in
                for o in 0..<outer {
                    let s = out + o * inner
                    columnMaxAndSumExp(x + o * n * inner, n: n, inner: inner, shifts: mb.baseAddress!, sums: s, exps: nil)
                    for i in 0..<inner { s[i] = mb[i] + Foundation.log(s[i]) }
                }
            }
            return
        }
        // Scattered axes: max, then exp(x − max) summed by the generic reduction.
        let keptShape = zip(shape, reduced).map { $1 ? 1 : $0 }
        let groups = Shape.count(keptShape)
        let maxima = Tensor(shape: keptShape) { m, _ in
            ReductionKernels.reduce(x, shape: shape, reduced: reduced, into: m, initial: -.infinity,
                                    maxPropagatingNaN, maxPropagatingNaN, horizontal: { v in
                                        var r = v[0]
                                        for i in 1..<16 { r = maxPropagatingNaN(r, v[i]) }
                                        return r
                                    })
            for i in 0..<groups { m[i] = shift(m[i]) }
        }
        let exps = Tensor(shape: shape) { e, _ in
            Elementwise.broadcastZip(input, maxima, outShape: shape, e, { exp($0 - $1) }, { exp($0 - $1) })
        }
        ReductionKernels.reduce(exps.storage.pointer, shape: shape, reduced: reduced, into: out, initial: 0,
                                { $0 + $1 }, { $0 + $1 }, horizontal: { $0.sum() })
        for i in 0..<groups { out[i] = maxima.storage.pointer[i] + Foundation.log(out[i]) }
    }
}

/// `max(a, b)` that returns NaN when either is NaN (as PyTorch's `amax` does).
@inline(__always)
func maxPropagatingNaN(_ a: Float, _ b: Float) -> Float {
    b > a || b.isNaN ? b : a
}

/// Lane-wise ``maxPropagatingNaN(_:_:)-(Float,Float)``.
@inline(__always)
func maxPropagatingNaN(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
    a.replacing(with: b, where: (b .> a) .| (b .!= b))
}

/// `min(a, b)` that returns NaN when either is NaN.
@inline(__always)
func minPropagatingNaN(_ a: Float, _ b: Float) -> Float {
    b < a || b.isNaN ? b : a
}

/// Lane-wise ``minPropagatingNaN(_:_:)-(Float,Float)``.
@inline(__always)
func minPropagatingNaN(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
    a.replacing(with: b, where: (b .< a) .| (b .!= b))
}
