/// Loops that reduce a contiguous tensor along a set of axes.
enum ReductionKernels {
    /// Coalesces `shape` into alternating runs of kept and reduced dimensions.
    /// Returns the run sizes and whether each run is reduced.
    static func coalesce(_ shape: [Int], reduced: [Bool]) -> (sizes: [Int], reduced: [Bool]) {
        var sizes: [Int] = [], flags: [Bool] = []
        for (d, n) in shape.enumerated() where n != 1 {
            if let last = flags.last, last == reduced[d] {
                sizes[sizes.count - 1] *= n
            } else {
                sizes.append(n); flags.append(reduced[d])
            }
        }
        return (sizes, flags)
    }

    /// Generic reduction: `out` (zero-filled to `initial` by the caller) receives
    /// `combine` over every reduced group. Row sums and column sums take fast paths.
    ///
    /// - Parameters:
    ///   - shape: input shape; `reduced[d]` marks the reduced axes.
    ///   - initial: identity of `combine` (0 for sums, -inf for max).
    ///   - vector/scalar: the associative combine; vector is applied lane-wise.
    ///   - horizontal: folds a 16-lane vector into one float.
    static func reduce(_ x: UnsafePointer<Float>, shape: [Int], reduced: [Bool],
                              into out: UnsafeMutablePointer<Float>, initial: Float,
                              _ vector: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>,
                              _ scalar: (Float, Float) -> Float,
                              horizontal: (SIMD16<Float>) -> Float) {
        let (sizes, flags) = coalesce(shape, reduced: reduced)
        let outCount = zip(sizes, flags).reduce(1) { $0 * ($1.1 ? 1 : $1.0) }
        out.update(repeating: initial, count: outCount)
        if sizes.isEmpty {
            out[0] = scalar(initial, x[0]); return
        }
        // Row reduction: [keep..., reduce] with the reduced run innermost.
        if flags.last == true && sizes.count <= 2 {
            let inner = sizes.last!
            let rows = sizes.count == 2 ? sizes[0] : 1
            Parallel.forEachChunk(count: rows, minimumChunk: max(1, Elementwise.parallelGrain / inner)) { r in
                for row in r {
                    out[row] = reduceContiguous(x + row * inner, inner, initial, vector, scalar, horizontal)
                }
            }
            return
        }
        // Column reduction: [reduce, keep] — combine whole rows into the output.
        if flags == [true, false] || flags == [false] {
            let rows = flags.count == 2 ? sizes[0] : 1
            let inner = sizes.last!
            Parallel.forEachChunk(count: inner, minimumChunk: max(256, Elementwise.parallelGrain / max(rows, 1))) { r in
                for row in 0..<rows {
                    Elementwise.zipRange(UnsafePointer(out), 1, x + row * inner, 1, out, r, vector, scalar)
                }
            }
            return
        }
        // General: walk the input once, mapping each element to its output slot.
        var outStrides = [Int](repeating: 0, count: sizes.count)
        var s = 1
        for d in stride(from: sizes.count - 1, through: 0, by: -1) where !flags[d] {
            outStrides[d] = s; s *= sizes[d]
        }
        let total = Shape.count(sizes)
        let inner = sizes.last!
        let innerReduced = flags.last!
        var index = [Int](repeating: 0, count: sizes.count)
        var base = 0
        while base < total {
            var o = 0
            for d in 0..<(sizes.count - 1) { o += index[d] * outStrides[d] }
            if innerReduced {
                out[o] = scalar(out[o], reduceContiguous(x + base, inner, initial, vector, scalar, horizontal))
            } else {
                Elementwise.zipRange(UnsafePointer(out + o), 1, x + base, 1, out + o, 0..<inner, vector, scalar)
            }
            base += inner
            var d = sizes.count - 2
            while d >= 0 {
                index[d] += 1
                if index[d] < sizes[d] { break }
                index[d] = 0; d -= 1
            }
        }
    }

    /// Reduces `n` contiguous floats with four independent vector accumulators.
    @inline(__always)
    static func reduceContiguous(_ x: UnsafePointer<Float>, _ n: Int, _ initial: Float,
                                        _ vector: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>,
                                        _ scalar: (Float, Float) -> Float,
                                        _ horizontal: (SIMD16<Float>) -> Float) -> Float {
        let raw = UnsafeRawPointer(x)
        var a0 = SIMD16<Float>(repeating: initial), a1 = a0, a2 = a0, a3 = a0
        var i = 0
        while i + 64 <= n {
            a0 = vector(a0, raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self))
            a1 = vector(a1, raw.loadUnaligned(fromByteOffset: i * 4 + 64, as: SIMD16<Float>.self))
            a2 = vector(a2, raw.loadUnaligned(fromByteOffset: i * 4 + 128, as: SIMD16<Float>.self))
            a3 = vector(a3, raw.loadUnaligned(fromByteOffset: i * 4 + 192, as: SIMD16<Float>.self))
            i += 64
        }
        while i + 16 <= n {
            a0 = vector(a0, raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self))
            i += 16
        }
        var r = horizontal(vector(vector(a0, a1), vector(a2, a3)))
        while i < n { r = scalar(r, x[i]); i += 1 }
        return r
    }
}
