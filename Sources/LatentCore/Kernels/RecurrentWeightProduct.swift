#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The product with a recurrent weight that a fused recurrence repeats at every time step,
/// `C_t = op(A_t) · op(W) + beta · C_t`, with `op(W)` packed once per sequence
/// (``SwiftGEMM/PackedMatrix``) instead of once per step by a general GEMM.
struct RecurrentWeightProduct {
    /// Whether recurrences pack their weight once or call ``GEMM`` at every step.
    ///
    /// Packing pays against the Swift GEMM, which packs its right operand on every call,
    /// and when the batch runs as several blocks in parallel (``forEachBatchBlock(batch:_:)``):
    /// one packed copy then serves every block, where OpenBLAS would re-pack the weight for
    /// each block at each step. For a single block OpenBLAS's general path is faster (its
    /// micro-kernel outruns ours by more than the re-packing costs). Measured on the
    /// char-LSTM step (h = 256, T = 64, N = 32, two blocks), medians of interleaved runs on
    /// the shared 2-core machine: blocks with the packed operand 62–96 ms, one block with
    /// OpenBLAS 71–102 ms, blocks with OpenBLAS 91–103 ms.
    /// `LATENT_RECURRENT_PACKED=1` or `=0` forces either path (for comparisons).
    static func usesPacking(batch n: Int) -> Bool {
        if let value = getenv("LATENT_RECURRENT_PACKED") { return String(cString: value) != "0" }
        return !GEMM.usesBLAS || batchBlockCount(n) > 1
    }

    let weight: UnsafePointer<Float>
    let transposed: Bool
    let rows: Int, columns: Int
    let packed: SwiftGEMM.PackedMatrix?

    /// Prepares `op(W)` (`rows × columns`) for products with `batch`-row left operands
    /// (split as ``forEachBatchBlock(batch:_:)`` splits them); `W` is stored row-major, contiguous.
    init(weight: UnsafePointer<Float>, transposed: Bool, rows: Int, columns: Int, batch: Int) {
        self.weight = weight
        self.transposed = transposed
        self.rows = rows
        self.columns = columns
        packed = Self.usesPacking(batch: batch)
            ? SwiftGEMM.PackedMatrix(transposed: transposed, rows: rows, columns: columns, b: weight,
                                     ldb: transposed ? rows : columns)
            : nil
    }

    /// `C = A · op(W) + beta · C` for `A` of `m` rows (stride `lda`), on at most
    /// `maximumThreads` threads of the Swift kernel (a system BLAS follows its own setting;
    /// see ``forEachBatchBlock(batch:_:)``).
    func multiply(m: Int, a: UnsafePointer<Float>, lda: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                  maximumThreads: Int = Parallel.threadCount) {
        if let packed {
            SwiftGEMM.multiply(transposeA: false, m: m, alpha: 1, a: a, lda: lda, packedB: packed, beta: beta, c: c, ldc: ldc,
                               maximumThreads: maximumThreads)
        } else {
            GEMM.multiply(transposeA: false, transposeB: transposed, m: m, n: columns, k: rows, alpha: 1, a: a, lda: lda,
                          b: weight, ldb: transposed ? rows : columns, beta: beta, c: c, ldc: ldc,
                          maximumThreads: maximumThreads)
        }
    }

    /// Batch rows per block of ``forEachBatchBlock(batch:_:)``: at least 16, and at most
    /// four blocks (the whole batch with `LATENT_RECURRENT_BLOCKS=0`). It depends on the
    /// batch size only, so the results do not depend on the thread count.
    static func batchBlockSize(_ n: Int) -> Int { usesBatchBlocks ? Swift.max(16, (n + 3) / 4) : Swift.max(n, 1) }

    /// Blocks of ``forEachBatchBlock(batch:_:)`` for a batch of `n` rows.
    static func batchBlockCount(_ n: Int) -> Int {
        let size = batchBlockSize(n)
        return (n + size - 1) / size
    }

    /// `LATENT_RECURRENT_BLOCKS=0` runs the whole batch as one block (for comparisons).
    static let usesBatchBlocks: Bool = {
        guard let value = getenv("LATENT_RECURRENT_BLOCKS") else { return true }
        return String(cString: value) != "0"
    }()

    /// Runs `body(rows, maximumThreads)` for consecutive blocks of batch rows, the blocks
    /// in parallel.
    ///
    /// The rows of a recurrence are independent, so each block can run its whole sequence
    /// (every step's product and cell update) on one worker, with one fork–join per
    /// sequence instead of one or two per step. Inside a block the products are
    /// single-threaded (`maximumThreads` is 1, and OpenBLAS is held to one thread); a lone
    /// block (batches up to 16 rows) keeps every thread for its products.
    static func forEachBatchBlock(batch n: Int, _ body: (Range<Int>, Int) -> Void) {
        let size = batchBlockSize(n)
        GEMM.forEachChunk(count: batchBlockCount(n), minimumChunk: 1) { blocks, threads in
            for block in blocks { body((block * size)..<Swift.min(n, (block + 1) * size), threads) }
        }
    }
}
