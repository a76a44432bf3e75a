@_spi(Testing) import LatentCore
import Testing

/// `SwiftGEMM.PackedMatrix` products against the naive reference and against the
/// unpacked Swift kernel and the `GEMM` dispatch (OpenBLAS when loaded).
@Suite struct PackedGEMMTests {
    static let packedKernel: GEMMTests.Kernel = { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
        let packed = SwiftGEMM.PackedMatrix(transposed: tb, rows: k, columns: n, b: b, ldb: ldb)
        SwiftGEMM.multiply(transposeA: ta, m: m, alpha: alpha, a: a, lda: lda, packedB: packed, beta: beta, c: c, ldc: ldc)
    }
    static let packedSingleThreadKernel: GEMMTests.Kernel = { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
        let packed = SwiftGEMM.PackedMatrix(transposed: tb, rows: k, columns: n, b: b, ldb: ldb)
        SwiftGEMM.multiply(transposeA: ta, m: m, alpha: alpha, a: a, lda: lda, packedB: packed, beta: beta, c: c, ldc: ldc,
                           maximumThreads: 1)
    }

    @Test func oddSizesAllTransposes() {
        let sizes = [(1, 1, 1), (7, 5, 3), (1, 33, 65), (33, 1, 7), (7, 33, 65), (65, 7, 33), (13, 17, 300), (32, 40, 30)]
        for (ta, tb) in GEMMTests.flagCombinations {
            for (m, n, k) in sizes {
                GEMMTests.check(Self.packedKernel, transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1, beta: 0)
            }
            GEMMTests.check(Self.packedKernel, transposeA: ta, transposeB: tb, m: 19, n: 37, k: 29, alpha: 0.5, beta: -2,
                            padding: 3)
            GEMMTests.check(Self.packedKernel, transposeA: ta, transposeB: tb, m: 9, n: 17, k: 40, alpha: 0, beta: 3)
            GEMMTests.check(Self.packedKernel, transposeA: ta, transposeB: tb, m: 3, n: 4, k: 0, alpha: 1, beta: 0.5)
        }
    }

    /// Sizes that cross the depth block and split over threads by rows and by columns.
    @Test func acrossBlocksAndThreads() {
        let k = SwiftGEMM.depthBlock + 37
        for kernel in [Self.packedKernel, Self.packedSingleThreadKernel] {
            GEMMTests.check(kernel, transposeA: false, transposeB: true, m: 33, n: 4 * 67, k: 67, alpha: 1, beta: 1)
            GEMMTests.check(kernel, transposeA: false, transposeB: false, m: 33, n: 67, k: k, alpha: 1, beta: 0)
            GEMMTests.check(kernel, transposeA: true, transposeB: false, m: 150, n: 21, k: k, alpha: 0.5, beta: 2)
        }
    }

    /// A packed operand reused for several left operands gives the same bits as the
    /// unpacked Swift kernel, and matches the `GEMM` dispatch within rounding.
    @Test func reuseMatchesUnpackedProducts() {
        let (m, n, k) = (31, 4 * 45, 45)
        let w = GEMMTests.values(n * k, seed: 11)
        w.withUnsafeBufferPointer { pw in
            let packed = SwiftGEMM.PackedMatrix(transposed: true, rows: k, columns: n, b: pw.baseAddress!, ldb: k)
            for seed in UInt64(20)..<23 {
                let a = GEMMTests.values(m * k, seed: seed)
                var viaPacked = [Float](repeating: 0, count: m * n), viaSwift = viaPacked, viaDispatch = viaPacked
                a.withUnsafeBufferPointer { pa in
                    viaPacked.withUnsafeMutableBufferPointer { c in
                        SwiftGEMM.multiply(transposeA: false, m: m, alpha: 1, a: pa.baseAddress!, lda: k, packedB: packed,
                                           beta: 0, c: c.baseAddress!, ldc: n)
                    }
                    viaSwift.withUnsafeMutableBufferPointer { c in
                        SwiftGEMM.multiply(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!,
                                           lda: k, b: pw.baseAddress!, ldb: k, beta: 0, c: c.baseAddress!, ldc: n)
                    }
                    viaDispatch.withUnsafeMutableBufferPointer { c in
                        GEMM.multiply(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!,
                                      lda: k, b: pw.baseAddress!, ldb: k, beta: 0, c: c.baseAddress!, ldc: n)
                    }
                }
                #expect(viaPacked == viaSwift)
                let worst = zip(viaPacked, viaDispatch).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? 0
                #expect(worst <= 1e-5)
            }
        }
    }
}
