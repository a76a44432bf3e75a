/// Kernels of ``packedSelfAttention(_:headCount:isCausal:scale:)``: attention for one
/// (batch element, head) pair at a time, reading queries, keys and values in place from the
/// packed `[N, T, 3E]` projection and writing the head's columns of the merged output.
///
/// Rows are processed in blocks of ``block`` queries. With a causal mask, block `[i₀, i₁)`
/// only multiplies against keys `0..<i₁`, so the products above the diagonal block are
/// never computed (about 5/8 of the full work at T = 128, 1/2 as T grows).
enum SelfAttentionKernels {
    /// Queries per row block (and keys per column block in the backward pass).
    static let block = 32

    /// Sizes shared by the kernels.
    struct Layout: Sendable {
        /// Batch size `N`, sequence length `T`, heads `H`, head depth `d`.
        let batch: Int, length: Int, heads: Int, depth: Int
        let isCausal: Bool
        let scale: Float
        /// `E = H · d`.
        var width: Int { heads * depth }
        /// Row stride of the packed projection, `3E`.
        var packedStride: Int { 3 * width }

        /// Offset of head `h`'s queries of batch element `b` in the packed projection
        /// (keys follow at `+E`, values at `+2E`).
        func packedOffset(_ pair: Int) -> Int { (pair / heads) * length * packedStride + (pair % heads) * depth }
        /// Offset of head `h`'s columns of batch element `b` in the merged `[N, T, E]` output.
        func mergedOffset(_ pair: Int) -> Int { (pair / heads) * length * width + (pair % heads) * depth }
        /// Number of keys query row `i` sees.
        func limit(_ i: Int) -> Int { isCausal ? i + 1 : length }
        /// Number of key columns a row block ending at `end` multiplies against.
        func columns(blockEnd end: Int) -> Int { isCausal ? end : length }
    }

    /// `C = op(A) · op(B)` on one thread (the Swift kernel's limit; the BLAS is held to one
    /// thread by ``forEachPair(_:scratchCount:_:)``).
    @inline(__always)
    static func product(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                        c: UnsafeMutablePointer<Float>, ldc: Int) {
        GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                      a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: c, ldc: ldc, maximumThreads: 1)
    }

    /// Runs `body(pair, scratch)` for every (batch, head) pair, in parallel
    /// (``GEMM/forEachChunk(count:minimumChunk:_:)``); `scratch` holds `scratchCount`
    /// floats private to the calling thread.
    static func forEachPair(_ layout: Layout, scratchCount: Int, _ body: (Int, UnsafeMutablePointer<Float>) -> Void) {
        let pairs = layout.batch * layout.heads
        GEMM.forEachChunk(count: pairs, minimumChunk: 1) { range, _ in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(scratchCount, 1))
            defer { scratch.deallocate() }
            for pair in range { body(pair, scratch) }
        }
    }

    /// Forward pass for one pair: the weights `P = softmax(scale · Q Kᵀ + causal mask)`
    /// into `weights` (`T × T`, zero above the diagonal when causal) and `P V` into the
    /// head's columns of `output`.
    static func forward(_ layout: Layout, pair: Int, packed: UnsafePointer<Float>,
                        weights p: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let t = layout.length, d = layout.depth, ld = layout.packedStride, e = layout.width
        let q = packed + layout.packedOffset(pair), k = q + e, v = q + 2 * e
        let o = output + layout.mergedOffset(pair)
        var start = 0
        while start < t {
            let end = min(t, start + block), columns = layout.columns(blockEnd: end)
            product(transposeB: true, m: end - start, n: columns, k: d, a: q + start * ld, lda: ld, b: k, ldb: ld,
                    c: p + start * t, ldc: t)
            for i in start..<end {
                // Reads only columns < limit (lanes past it are masked), zero-fills the row to T.
                AttentionKernels.softmaxRow(p + i * t, mask: nil, out: p + i * t, count: t, limit: layout.limit(i),
                                            scale: layout.scale)
            }
            product(m: end - start, n: d, k: columns, a: p + start * t, lda: t, b: v, ldb: ld, c: o + start * e, ldc: e)
            start = end
        }
    }

    /// Backward pass for one pair, given the weights `P` of the forward pass and the
    /// upstream gradient `G` (merged layout): writes the head's query, key and value
    /// columns of `packedGradient`.
    ///
    ///     ∂V = Pᵀ G,   ∂P = G Vᵀ,   ∂S = scale · P ⊙ (∂P − rowsum(∂P ⊙ P)),   ∂Q = ∂S K,   ∂K = ∂Sᵀ Q
    ///
    /// `scratch` holds `T × T` floats (∂S).
    static func backward(_ layout: Layout, pair: Int, packed: UnsafePointer<Float>, weights p: UnsafePointer<Float>,
                         gradient: UnsafePointer<Float>, packedGradient: UnsafeMutablePointer<Float>,
                         scratch ds: UnsafeMutablePointer<Float>) {
        let t = layout.length, d = layout.depth, ld = layout.packedStride, e = layout.width
        let offset = layout.packedOffset(pair)
        let q = packed + offset, k = q + e, v = q + 2 * e
        let dq = packedGradient + offset, dk = dq + e, dv = dq + 2 * e
        let g = gradient + layout.mergedOffset(pair)
        // Row blocks: ∂P, then ∂S in place, then ∂Q.
        var start = 0
        while start < t {
            let end = min(t, start + block), columns = layout.columns(blockEnd: end)
            product(transposeB: true, m: end - start, n: columns, k: d, a: g + start * e, lda: e, b: v, ldb: ld,
                    c: ds + start * t, ldc: t)
            for i in start..<end {
                // Over the whole block width (whole vectors): P is 0 past the row's limit, so ∂S is too.
                AttentionKernels.softmaxGradientRow(p + i * t, ds + i * t, ds + i * t, count: columns, scale: layout.scale)
            }
            product(m: end - start, n: d, k: columns, a: ds + start * t, lda: t, b: k, ldb: ld, c: dq + start * ld, ldc: ld)
            start = end
        }
        // Column blocks: keys j₀..<j₁ are seen by queries from j₀ on (causal) or all of them.
        start = 0
        while start < t {
            let end = min(t, start + block)
            let first = layout.isCausal ? start : 0
            product(transposeA: true, m: end - start, n: d, k: t - first, a: ds + first * t + start, lda: t,
                    b: q + first * ld, ldb: ld, c: dk + start * ld, ldc: ld)
            product(transposeA: true, m: end - start, n: d, k: t - first, a: p + first * t + start, lda: t,
                    b: g + first * e, ldb: e, c: dv + start * ld, ldc: ld)
            start = end
        }
    }
}
