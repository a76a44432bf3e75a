/// What the fused LSTM and GRU kernels (``LSTMKernels``, ``GRUKernels``) share: bias
/// sums and the recurrent weight's gradient over a whole sequence.
enum RecurrenceKernels {
    /// Adds every row of a `[rows, columns]` matrix (row stride `stride`) into `sums`
    /// (`columns` floats, accumulated).
    static func addColumnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int,
                              into sums: UnsafeMutablePointer<Float>) {
        var j = 0
        while j < columns {
            let w = min(16, columns - j)
            var s = VectorMath.load(sums + j, w)
            for r in 0..<rows { s += VectorMath.load(x + r * stride + j, w) }
            VectorMath.store(s, sums + j, w)
            j += 16
        }
    }

    /// Rows per parallel chunk so that each chunk has at least ~16K elements of work.
    static func rowsPerChunk(rowLength: Int) -> Int { max(1, (1 << 14) / max(rowLength, 1)) }

    /// `Σ_t dGates_tᵀ h_{t−1}`: one product of `[N·T, G]ᵀ` with the previous hidden states
    /// `[N·T, H]` (`h_0` at t = 0, then the first `H` columns of `hiddens`' first half).
    static func weightGradient(dGates: Tensor, hiddens: Tensor, h0: Tensor, batch n: Int, length t: Int, hidden h: Int) -> Tensor {
        let g = dGates.shape[2]
        let previous = shiftedStates(hiddens.storage.pointer, h0: h0.storage.pointer, batch: n, length: t, hidden: h)
        return Tensor(shape: [g, h]) { c, count in
            guard n * t > 0 else { c.initialize(repeating: 0, count: count); return }
            GEMM.multiply(transposeA: true, transposeB: false, m: g, n: h, k: n * t, alpha: 1,
                          a: dGates.storage.pointer, lda: g, b: previous.storage.pointer, ldb: h, beta: 0, c: c, ldc: h)
        }
    }

    /// `[N, T, H]` states shifted one step later: row (n, t) holds `h_{t−1}` (`h_0` at t = 0).
    static func shiftedStates(_ hs: UnsafePointer<Float>, h0: UnsafePointer<Float>, batch n: Int, length t: Int, hidden h: Int) -> Tensor {
        Tensor(shape: [n, t, h]) { p, _ in
            for r in 0..<n {
                (p + r * t * h).update(from: h0 + r * h, count: h)
                if t > 1 { (p + r * t * h + h).update(from: hs + r * t * h, count: (t - 1) * h) }
            }
        }
    }
}
