/// A portable, cache-blocked, vectorised single-precision GEMM written in Swift; the
/// fallback of ``GEMM`` when no system BLAS is loaded.
///
/// Computes `C = alpha · op(A) · op(B) + beta · C` on row-major buffers, with the same
/// contract as ``GEMM/multiply(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
///
/// The structure is the classic one of Goto and van de Geijn ("Anatomy of high-performance
/// matrix multiplication", 2008): `op(B)` is packed in `kc × nc` blocks of `NR`-column
/// panels, `op(A)` in `mc × kc` blocks of `MR`-row panels (zero-padded at the edges), and a
/// register-blocked micro-kernel multiplies one `MR × kc` panel by one `kc × NR` panel,
/// keeping the `MR × NR` tile of `C` in vector registers. Large products are split over
/// cores by blocks of rows (or columns) of `C`.
///
/// Results do not depend on the thread count: every element of `C` is computed by one
/// thread, summing over `k` in the same order whatever the split.
///
/// Internal to LatentCore (layers above call ops, never kernels); tests and latent-bench
/// reach it as `@_spi(Testing)` / `@_spi(Benchmarks) import LatentCore` (`@testable
/// import` needs `-enable-testing`, which release builds do not pass).
@_spi(Testing) @_spi(Benchmarks) public enum SwiftGEMM {
    /// Rows of the register tile.
    public static let microRows = 6
    /// One row of the register tile. With AVX2 and FMA a `SIMD16<Float>` (two ymm
    /// registers, so the 6 × 16 tile takes 12 of the 16); with SSE only, `SIMD8<Float>`
    /// (two xmm registers, a 6 × 8 tile), so that the tile still fits in registers.
    #if LATENT_FMA
    typealias Panel = SIMD16<Float>
    #else
    typealias Panel = SIMD8<Float>
    #endif
    /// Columns of the register tile (16 with FMA, else 8).
    public static let microColumns = Panel.scalarCount
    /// Depth of a packed block (`kc`): one `kc × NR` panel of B takes at most half of L1.
    public static let depthBlock = 256
    /// Rows of a packed block of A (`mc`, a multiple of ``microRows``): `mc × kc` sits in L2.
    public static let rowBlock = 144
    /// Columns of a packed block of B (`nc`, a multiple of ``microColumns``).
    public static let columnBlock = 4080
    /// Below this many multiply-adds (`m·n·k`) a direct loop beats packing.
    public static let directThreshold = 4096
    /// Below this many multiply-adds a product runs on one thread.
    public static let parallelThreshold = 1 << 18

    /// `C = alpha · op(A) · op(B) + beta · C` (row-major) with the Swift kernel.
    ///
    /// - Parameters:
    ///   - transposeA: use `Aᵀ` (`A` stored `k × m`) instead of `A` (stored `m × k`).
    ///   - transposeB: use `Bᵀ` (`B` stored `n × k`) instead of `B` (stored `k × n`).
    ///   - m, n, k: `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`.
    ///   - lda, ldb, ldc: row strides (in elements) of the stored matrices.
    ///   - beta: when `0`, `C` is not read (it may hold anything, even NaN).
    ///   - maximumThreads: an upper bound on the threads used (default: ``Parallel/threadCount``).
    public static func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                alpha: Float, a: UnsafePointer<Float>, lda: Int,
                                b: UnsafePointer<Float>, ldb: Int,
                                beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                                maximumThreads: Int = Parallel.threadCount) {
        ensure(m >= 0 && n >= 0 && k >= 0, "SwiftGEMM: negative size m=\(m) n=\(n) k=\(k)")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scale(c, ldc: ldc, m: m, n: n, beta: beta)
            return
        }
        let a = Operand(pointer: a, ld: lda, transposed: transposeA)
        let b = Operand(pointer: b, ld: ldb, transposed: transposeB)
        let work = m * n * k
        if work < directThreshold {
            direct(a, b, m: m, n: n, k: k, alpha: alpha, beta: beta, c: c, ldc: ldc)
            return
        }
        forEachBand(m: m, n: n, work: work, maximumThreads: maximumThreads) { rows, columns in
            blocked(a, b, rows: rows, columns: columns, k: k, alpha: alpha, beta: beta, c: c, ldc: ldc)
        }
    }

    /// Splits `C` (`m × n`) into row bands (or column bands when it is wide) made of whole
    /// tiles, one per thread (one band below ``parallelThreshold`` multiply-adds), and runs
    /// `body(rows, columns)` on each band.
    static func forEachBand(m: Int, n: Int, work: Int, maximumThreads: Int, _ body: (Range<Int>, Range<Int>) -> Void) {
        let threads = work < parallelThreshold ? 1 : max(1, min(maximumThreads, Parallel.threadCount))
        let rowTiles = (m + microRows - 1) / microRows
        let columnTiles = (n + microColumns - 1) / microColumns
        let splitRows = rowTiles >= columnTiles
        let tiles = splitRows ? rowTiles : columnTiles
        let tasks = min(threads, tiles)
        if tasks <= 1 {
            body(0..<m, 0..<n)
            return
        }
        let tilesPerTask = (tiles + tasks - 1) / tasks
        Parallel.forEachChunk(count: tasks, minimumChunk: 1) { range in
            for task in range {
                let first = task * tilesPerTask, last = min(tiles, first + tilesPerTask)
                guard first < last else { continue }
                if splitRows {
                    body((first * microRows)..<min(m, last * microRows), 0..<n)
                } else {
                    body(0..<m, (first * microColumns)..<min(n, last * microColumns))
                }
            }
        }
    }

    // MARK: - Operands

    /// A stored matrix and how to read `op(X)[i, j]` from it.
    struct Operand: @unchecked Sendable {
        let pointer: UnsafePointer<Float>
        let ld: Int
        let transposed: Bool

        @inline(__always) subscript(row: Int, column: Int) -> Float {
            transposed ? pointer[column * ld + row] : pointer[row * ld + column]
        }
    }

    /// `C = beta · C` (`C = 0` when `beta` is 0).
    static func scale(_ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, beta: Float) {
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 {
                row.update(repeating: 0, count: n)
            } else if beta != 1 {
                for j in 0..<n { row[j] = beta * row[j] }
            }
        }
    }

    /// The unpacked triple loop, for products too small to pay for packing.
    static func direct(_ a: Operand, _ b: Operand, m: Int, n: Int, k: Int,
                       alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k { sum += a[i, p] * b[p, j] }
                let out = c + i * ldc + j
                out.pointee = beta == 0 ? alpha * sum : alpha * sum + beta * out.pointee
            }
        }
    }

    // MARK: - Blocked product

    /// The blocked algorithm on one rectangle of `C`, with its own packing buffers.
    static func blocked(_ a: Operand, _ b: Operand, rows: Range<Int>, columns: Range<Int>, k: Int,
                        alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let kcMax = min(k, depthBlock)
        let mcMax = min(rowBlock, roundUp(rows.count, microRows))
        let ncMax = min(columnBlock, roundUp(columns.count, microColumns))
        let packedA = TensorStorage(uninitializedCount: mcMax * kcMax)
        let packedB = TensorStorage(uninitializedCount: ncMax * kcMax)
        let pa = packedA.pointer, pb = packedB.pointer
        withExtendedLifetime((packedA, packedB)) {
            var jc = columns.lowerBound
            while jc < columns.upperBound {
                let nc = min(columnBlock, columns.upperBound - jc)
                var pc = 0
                while pc < k {
                    let kc = min(depthBlock, k - pc)
                    packB(b, depth: pc..<(pc + kc), columns: jc..<(jc + nc), into: pb)
                    let blockBeta: Float = pc == 0 ? beta : 1
                    var ic = rows.lowerBound
                    while ic < rows.upperBound {
                        let mc = min(rowBlock, rows.upperBound - ic)
                        packA(a, rows: ic..<(ic + mc), depth: pc..<(pc + kc), into: pa)
                        multiplyPackedBlocks(packedA: pa, rows: mc, depth: kc, packedB: pb, columns: nc,
                                             alpha: alpha, beta: blockBeta, c: c + ic * ldc + jc, ldc: ldc)
                        ic += mc
                    }
                    pc += kc
                }
                jc += nc
            }
        }
    }

    /// `C[0..<rows, 0..<columns] = alpha · Ã · B̃ + beta · C` for a packed `mc × kc` block
    /// `Ã` of `op(A)` (``packA(_:rows:depth:into:)``) and `kc × NR` panels `B̃` of `op(B)`
    /// (``packB(_:depth:columns:into:)``), tile by tile. Partial row panels (at most 4 of
    /// 6 rows valid) use the shorter kernels, which add the same products in the same order.
    @inline(__always)
    static func multiplyPackedBlocks(packedA pa: UnsafePointer<Float>, rows mc: Int, depth kc: Int,
                                     packedB pb: UnsafePointer<Float>, columns nc: Int,
                                     alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        var jr = 0
        while jr < nc {
            let width = min(microColumns, nc - jr)
            var ir = 0
            while ir < mc {
                let height = min(microRows, mc - ir)
                let a = pa + ir * kc, b = pb + jr * kc, target = c + ir * ldc + jr
                if height > 4 {
                    microKernel(depth: kc, a: a, b: b, c: target, ldc: ldc, rows: height, columns: width,
                                alpha: alpha, beta: beta)
                } else if height > 2 {
                    shortMicroKernel(accumulators: 4, depth: kc, a: a, b: b, c: target, ldc: ldc,
                                     rows: height, columns: width, alpha: alpha, beta: beta)
                } else {
                    shortMicroKernel(accumulators: 2, depth: kc, a: a, b: b, c: target, ldc: ldc,
                                     rows: height, columns: width, alpha: alpha, beta: beta)
                }
                ir += microRows
            }
            jr += microColumns
        }
    }

    @inline(__always) static func roundUp(_ x: Int, _ multiple: Int) -> Int {
        (x + multiple - 1) / multiple * multiple
    }

    /// Packs `op(A)[rows, depth]` as consecutive `MR × kc` panels, each stored depth-major
    /// (`MR` values per step of `k`), zero-padding the last panel's missing rows.
    static func packA(_ a: Operand, rows: Range<Int>, depth: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let kc = depth.count
        var panel = out
        var i0 = rows.lowerBound
        while i0 < rows.upperBound {
            let height = min(microRows, rows.upperBound - i0)
            if a.transposed {
                // op(A)[i, p] = A[p, i]: the MR values of one step are contiguous.
                for p in 0..<kc {
                    let source = a.pointer + (depth.lowerBound + p) * a.ld + i0
                    let target = panel + p * microRows
                    if height == microRows {
                        for r in 0..<microRows { target[r] = source[r] }
                    } else {
                        for r in 0..<height { target[r] = source[r] }
                        for r in height..<microRows { target[r] = 0 }
                    }
                }
            } else {
                // op(A)[i, p] = A[i, p]: read each row contiguously.
                for r in 0..<height {
                    let source = a.pointer + (i0 + r) * a.ld + depth.lowerBound
                    for p in 0..<kc { panel[p * microRows + r] = source[p] }
                }
                for r in height..<microRows {
                    for p in 0..<kc { panel[p * microRows + r] = 0 }
                }
            }
            panel += microRows * kc
            i0 += microRows
        }
    }

    /// Packs `op(B)[depth, columns]` as consecutive `kc × NR` panels, each stored
    /// depth-major (`NR` values per step of `k`), zero-padding the last panel's columns.
    static func packB(_ b: Operand, depth: Range<Int>, columns: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let kc = depth.count
        let panelSize = microColumns * kc
        if !b.transposed {
            // op(B)[p, j] = B[p, j]: walk each stored row once, front to back (the hardware
            // prefetcher follows), dealing its NR-wide pieces out to the panels.
            let fullPanels = columns.count / microColumns
            let tail = columns.count - fullPanels * microColumns
            for p in 0..<kc {
                let source = b.pointer + (depth.lowerBound + p) * b.ld + columns.lowerBound
                var target = out + p * microColumns
                for q in 0..<fullPanels {
                    UnsafeMutableRawPointer(target).storeBytes(
                        of: UnsafeRawPointer(source + q * microColumns).loadUnaligned(as: Panel.self), as: Panel.self)
                    target += panelSize
                }
                if tail > 0 {
                    let piece = source + fullPanels * microColumns
                    for q in 0..<tail { target[q] = piece[q] }
                    for q in tail..<microColumns { target[q] = 0 }
                }
            }
            return
        }
        // op(B)[p, j] = B[j, p]: read each stored row (a column of op(B)) contiguously.
        var panel = out
        var j0 = columns.lowerBound
        while j0 < columns.upperBound {
            let width = min(microColumns, columns.upperBound - j0)
            for q in 0..<width {
                let source = b.pointer + (j0 + q) * b.ld + depth.lowerBound
                for p in 0..<kc { panel[p * microColumns + q] = source[p] }
            }
            for q in width..<microColumns {
                for p in 0..<kc { panel[p * microColumns + q] = 0 }
            }
            panel += panelSize
            j0 += microColumns
        }
    }

    // MARK: - Micro-kernel

    /// `acc + x · y`, fused when the target has FMA.
    @inline(__always)
    static func multiplyAdd(_ acc: Panel, _ x: Panel, _ y: Panel) -> Panel {
        #if LATENT_FMA
        return acc.addingProduct(x, y)
        #else
        return acc + x * y
        #endif
    }

    /// `C[0..<rows, 0..<columns] = alpha · (Ã · B̃) + beta · C` for one packed `6 × kc`
    /// panel `Ã` and one packed `kc × NR` panel `B̃` (C is not read when `beta` is 0).
    @inline(__always)
    static func microKernel(depth kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                            c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int,
                            alpha: Float, beta: Float) {
        typealias V = Panel
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
        var pa = a
        var pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            let bv = pb.load(as: V.self)
            c0 = multiplyAdd(c0, V(repeating: pa[0]), bv)
            c1 = multiplyAdd(c1, V(repeating: pa[1]), bv)
            c2 = multiplyAdd(c2, V(repeating: pa[2]), bv)
            c3 = multiplyAdd(c3, V(repeating: pa[3]), bv)
            c4 = multiplyAdd(c4, V(repeating: pa[4]), bv)
            c5 = multiplyAdd(c5, V(repeating: pa[5]), bv)
            pa += 6
            pb += MemoryLayout<V>.size
        }
        let va = V(repeating: alpha), vb = V(repeating: beta)
        if rows == 6 && columns == microColumns {
            @inline(__always) func store(_ acc: V, _ row: Int) {
                let p = UnsafeMutableRawPointer(c + row * ldc)
                if beta == 0 {
                    p.storeBytes(of: va * acc, as: V.self)
                } else {
                    p.storeBytes(of: va * acc + vb * p.loadUnaligned(as: V.self), as: V.self)
                }
            }
            store(c0, 0); store(c1, 1); store(c2, 2); store(c3, 3); store(c4, 4); store(c5, 5)
        } else {
            // Edge tile: same arithmetic, element by element on the valid part.
            withUnsafeTemporaryAllocation(of: V.self, capacity: 6) { tile in
                tile[0] = va * c0; tile[1] = va * c1; tile[2] = va * c2
                tile[3] = va * c3; tile[4] = va * c4; tile[5] = va * c5
                for r in 0..<rows {
                    let row = c + r * ldc
                    for q in 0..<columns {
                        row[q] = beta == 0 ? tile[r][q] : tile[r][q] + beta * row[q]
                    }
                }
            }
        }
    }

    /// The micro-kernel for the last, partial panel of `op(A)` (at most 4 of its 6 rows
    /// valid): the same sums in the same order as ``microKernel``, without the padding
    /// rows. With `m = 32` (a recurrence's batch) that panel has 2 rows, a sixth of the tiles.
    @inline(__always)
    static func shortMicroKernel(accumulators: Int, depth kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                 c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int,
                                 alpha: Float, beta: Float) {
        typealias V = Panel
        var c0 = V(), c1 = V(), c2 = V(), c3 = V()
        var pa = a
        var pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            let bv = pb.load(as: V.self)
            c0 = multiplyAdd(c0, V(repeating: pa[0]), bv)
            c1 = multiplyAdd(c1, V(repeating: pa[1]), bv)
            if accumulators > 2 {
                c2 = multiplyAdd(c2, V(repeating: pa[2]), bv)
                c3 = multiplyAdd(c3, V(repeating: pa[3]), bv)
            }
            pa += microRows
            pb += MemoryLayout<V>.size
        }
        let va = V(repeating: alpha), vb = V(repeating: beta)
        @inline(__always) func store(_ acc: V, _ row: Int) {
            let target = c + row * ldc
            if columns == microColumns {
                let p = UnsafeMutableRawPointer(target)
                if beta == 0 {
                    p.storeBytes(of: va * acc, as: V.self)
                } else {
                    p.storeBytes(of: va * acc + vb * p.loadUnaligned(as: V.self), as: V.self)
                }
            } else {
                let scaled = va * acc
                for q in 0..<columns {
                    target[q] = beta == 0 ? scaled[q] : scaled[q] + beta * target[q]
                }
            }
        }
        store(c0, 0)
        if rows > 1 { store(c1, 1) }
        if rows > 2 { store(c2, 2) }
        if rows > 3 { store(c3, 3) }
    }
}
