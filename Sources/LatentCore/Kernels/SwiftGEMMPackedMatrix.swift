extension SwiftGEMM {
    /// A right-hand operand `op(B)` packed once, in the layout of ``SwiftGEMM``'s
    /// micro-kernel, for reuse across many products with the same `B`.
    ///
    /// Recurrences multiply one fixed weight by a new small left operand at every time step
    /// (`h_{t−1} W_hhᵀ`); a general GEMM re-packs the weight at each call. Packing it once
    /// per sequence removes that cost:
    ///
    ///     P = pack(op(B)),   C_t = alpha · op(A_t) · P + beta · C_t   for t = 1, …, T
    ///
    /// Layout: `op(B)` (`k × n`) is cut into depth blocks of ``SwiftGEMM/depthBlock`` rows;
    /// each block is stored as consecutive `kc × NR` column panels (depth-major, the last
    /// panel zero-padded), so the block starting at depth `p` begins at `p · n̄` with `n̄`
    /// the column count rounded up to ``SwiftGEMM/microColumns``.
    public final class PackedMatrix: @unchecked Sendable {
        /// Rows of `op(B)` (the product's depth `k`).
        public let rows: Int
        /// Columns of `op(B)` (the product's width `n`).
        public let columns: Int
        /// `columns` rounded up to a whole number of micro-kernel panels.
        let paddedColumns: Int
        let storage: TensorStorage

        /// Packs `op(B)`, where `B` is stored row-major with row stride `ldb`.
        ///
        /// - Parameters:
        ///   - transposed: use `Bᵀ` (`B` stored `columns × rows`) instead of `B` (stored `rows × columns`).
        ///   - rows, columns: the shape of `op(B)`, `k × n`.
        ///   - b: the stored matrix.
        ///   - ldb: its row stride (in elements).
        public init(transposed: Bool, rows: Int, columns: Int, b: UnsafePointer<Float>, ldb: Int) {
            ensure(rows >= 0 && columns >= 0, "SwiftGEMM.PackedMatrix: negative size \(rows) × \(columns)")
            self.rows = rows
            self.columns = columns
            paddedColumns = SwiftGEMM.roundUp(columns, SwiftGEMM.microColumns)
            storage = TensorStorage(uninitializedCount: Swift.max(1, rows * paddedColumns))
            let operand = Operand(pointer: b, ld: ldb, transposed: transposed)
            let out = storage.pointer
            var pc = 0
            while pc < rows {
                let kc = Swift.min(SwiftGEMM.depthBlock, rows - pc)
                SwiftGEMM.packB(operand, depth: pc..<(pc + kc), columns: 0..<columns, into: out + pc * paddedColumns)
                pc += kc
            }
        }
    }

    /// `C = alpha · op(A) · P + beta · C` (row-major) with a pre-packed right operand
    /// `P = op(B)` (`k × n`, see ``PackedMatrix``); the result is the same as
    /// ``multiply(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:maximumThreads:)``
    /// with the unpacked `B`.
    ///
    /// - Parameters:
    ///   - transposeA: use `Aᵀ` (`A` stored `k × m`) instead of `A` (stored `m × k`).
    ///   - m: rows of `op(A)` and of `C`.
    ///   - lda, ldc: row strides (in elements) of `A` and `C`.
    ///   - packedB: the packed right operand; fixes `k` and `n`.
    ///   - beta: when `0`, `C` is not read.
    ///   - maximumThreads: an upper bound on the threads used.
    public static func multiply(transposeA: Bool, m: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                                packedB: PackedMatrix, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                                maximumThreads: Int = Parallel.threadCount) {
        let n = packedB.columns, k = packedB.rows
        ensure(m >= 0, "SwiftGEMM: negative size m=\(m)")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scale(c, ldc: ldc, m: m, n: n, beta: beta)
            return
        }
        let a = Operand(pointer: a, ld: lda, transposed: transposeA)
        forEachBand(m: m, n: n, work: m * n * k, maximumThreads: maximumThreads) { rows, columns in
            blocked(a, packedB, rows: rows, columns: columns, alpha: alpha, beta: beta, c: c, ldc: ldc)
        }
    }

    /// The blocked algorithm on one rectangle of `C` (`columns` starting on a panel
    /// boundary) with a pre-packed `op(B)`; packs only `op(A)`.
    static func blocked(_ a: Operand, _ packed: PackedMatrix, rows: Range<Int>, columns: Range<Int>,
                        alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let k = packed.rows
        let kcMax = min(k, depthBlock)
        let mcMax = min(rowBlock, roundUp(rows.count, microRows))
        let packedA = TensorStorage(uninitializedCount: mcMax * kcMax)
        let pa = packedA.pointer
        let pb = UnsafePointer(packed.storage.pointer)
        withExtendedLifetime((packedA, packed)) {
            var pc = 0
            while pc < k {
                let kc = min(depthBlock, k - pc)
                let block = pb + pc * packed.paddedColumns
                let blockBeta: Float = pc == 0 ? beta : 1
                var ic = rows.lowerBound
                while ic < rows.upperBound {
                    let mc = min(rowBlock, rows.upperBound - ic)
                    packA(a, rows: ic..<(ic + mc), depth: pc..<(pc + kc), into: pa)
                    multiplyPackedBlocks(packedA: pa, rows: mc, depth: kc, packedB: block + columns.lowerBound * kc,
                                         columns: columns.count, alpha: alpha, beta: blockBeta,
                                         c: c + ic * ldc + columns.lowerBound, ldc: ldc)
                    ic += mc
                }
                pc += kc
            }
        }
    }
}
