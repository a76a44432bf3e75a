/// Single-precision matrix multiply on row-major buffers:
/// `C = alpha · op(A) · op(B) + beta · C`, where `op(X)` is `X` or `Xᵀ`.
///
/// `A` is `m × k` after `op` (stored `m × k`, or `k × m` when transposed, with leading
/// dimension `lda`), `B` is `k × n` after `op`, `C` is `m × n` with leading dimension `ldc`.
/// Dispatches to the system BLAS when one is loaded (``BLAS``), else to the pure-Swift
/// kernel (``SwiftGEMM``). When `beta` is 0, `C` is only written.
///
/// Internal to LatentCore (layers above call ops, never kernels); tests reach it as
/// `@_spi(Testing) import LatentCore`, since `@testable import` needs `-enable-testing`,
/// which release builds (where the tests run) do not pass.
@_spi(Testing) public enum GEMM {
    /// Whether products go to the system BLAS (`false`: the Swift kernel).
    public static var usesBLAS: Bool { BLAS.isAvailable }

    /// `C = alpha · op(A) · op(B) + beta · C` (row-major).
    ///
    /// - Parameters:
    ///   - transposeA: use `Aᵀ` (`A` stored `k × m`) instead of `A` (stored `m × k`).
    ///   - transposeB: use `Bᵀ` (`B` stored `n × k`) instead of `B` (stored `k × n`).
    ///   - m, n, k: `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`.
    ///   - lda, ldb, ldc: row strides (in elements) of the stored matrices.
    ///   - maximumThreads: an upper bound on the threads of the Swift kernel (default:
    ///     ``Parallel/threadCount``); pass 1 from inside ``Parallel`` workers. The system
    ///     BLAS uses its own setting (see ``BLAS/withSingleThread(_:)``).
    public static func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                alpha: Float, a: UnsafePointer<Float>, lda: Int,
                                b: UnsafePointer<Float>, ldb: Int,
                                beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                                maximumThreads: Int = Parallel.threadCount) {
        if m == 0 || n == 0 { return }
        // BLAS wants k ≥ 1 and leading dimensions ≥ the stored row length; the Swift
        // kernel handles the degenerate cases itself.
        if k > 0, BLAS.isAvailable, max(m, n, k, lda, ldb, ldc) <= Int(Int32.max) {
            BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                       a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else {
            SwiftGEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                               a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                               maximumThreads: maximumThreads)
        }
    }

    /// Runs `body(range, threads)` over `0..<count`, cut into ranges of at least
    /// `minimumChunk` indices on ``Parallel`` workers, for kernels whose independent pieces
    /// each call GEMM.
    ///
    /// Inside workers `threads` is 1 (pass it as `maximumThreads`) and the system BLAS is
    /// held to one thread (``BLAS/withSingleThread(_:)``), so each piece's products run on
    /// its own core instead of waking BLAS threads that compete with the workers. When the
    /// work does not split (one thread, or fewer than `2 · minimumChunk` indices), `body`
    /// runs once over the whole range with `threads` = ``Parallel/threadCount``.
    public static func forEachChunk(count: Int, minimumChunk: Int, _ body: (Range<Int>, Int) -> Void) {
        guard count > 0 else { return }
        guard Parallel.threadCount > 1, count >= 2 * max(1, minimumChunk) else {
            body(0..<count, Parallel.threadCount)
            return
        }
        BLAS.withSingleThread {
            Parallel.forEachChunk(count: count, minimumChunk: minimumChunk) { body($0, 1) }
        }
    }
}
