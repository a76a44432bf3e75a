@_spi(Testing) import LatentCore
import Testing

/// The pure-Swift GEMM (run directly, whatever BLAS is loaded) and the `GEMM` dispatch,
/// against a naive reference accumulated in Double.
@Suite struct GEMMTests {
    /// Deterministic values in [-1, 1).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 7
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 23) - 1
        }
    }

    /// `alpha · op(A) · op(B) + beta · C` in Double.
    static func reference(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                          a: [Float], lda: Int, b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int) -> [Float] {
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(x) * Double(y)
                }
                let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                out[i * ldc + j] = Float(Double(alpha) * sum + old)
            }
        }
        return out
    }

    typealias Kernel = @Sendable (Bool, Bool, Int, Int, Int, Float, UnsafePointer<Float>, Int,
                        UnsafePointer<Float>, Int, Float, UnsafeMutablePointer<Float>, Int) -> Void

    static let swiftKernel: Kernel = { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
        SwiftGEMM.multiply(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: alpha,
                           a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
    static let singleThreadKernel: Kernel = { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
        SwiftGEMM.multiply(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: alpha,
                           a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, maximumThreads: 1)
    }
    static let dispatchKernel: Kernel = { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
        GEMM.multiply(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: alpha,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// Runs `kernel` on one problem (with padded leading dimensions) and compares with the reference.
    static func check(_ kernel: Kernel, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                      alpha: Float, beta: Float, padding: Int = 0, seed: UInt64 = 1,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        let lda = (transposeA ? m : k) + padding
        let ldb = (transposeB ? k : n) + padding
        let ldc = n + padding
        let a = values((transposeA ? k : m) * lda, seed: seed)
        let b = values((transposeB ? n : k) * ldb, seed: seed + 1)
        var c = values(m * ldc, seed: seed + 2)
        if beta == 0 { c = c.map { _ in .nan } }  // must not be read
        let expected = reference(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                 a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    kernel(transposeA, transposeB, m, n, k, alpha, pa.baseAddress!, lda, pb.baseAddress!, ldb,
                           beta, pc.baseAddress!, ldc)
                }
            }
        }
        var worst: Float = 0
        for i in 0..<m {
            for j in 0..<n {
                let x = c[i * ldc + j], y = expected[i * ldc + j]
                let error: Float = abs(x - y) / (Float(1) + abs(y))
                if !(error <= worst) { worst = error.isNaN ? .infinity : error }
            }
            // Padding columns of C are untouched.
            for j in n..<ldc where beta != 0 {
                if c[i * ldc + j] != expected[i * ldc + j] { worst = .infinity }
            }
        }
        let tolerance = Float(k + 1) * 2e-7 + 1e-6
        #expect(worst <= tolerance, "m=\(m) n=\(n) k=\(k) tA=\(transposeA) tB=\(transposeB) alpha=\(alpha) beta=\(beta) padding=\(padding): relative error \(worst)",
                sourceLocation: sourceLocation)
    }

    static let flagCombinations = [(false, false), (true, false), (false, true), (true, true)]

    @Test func swiftKernelOddSizesAllTransposes() {
        let sizes = [(1, 1, 1), (7, 5, 3), (1, 33, 65), (33, 1, 7), (7, 33, 65), (65, 7, 33),
                     (13, 17, 300), (50, 40, 30), (130, 33, 20)]
        for (ta, tb) in Self.flagCombinations {
            for (m, n, k) in sizes {
                Self.check(Self.swiftKernel, transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1, beta: 0)
            }
        }
    }

    @Test func swiftKernelAlphaBeta() {
        for (ta, tb) in Self.flagCombinations {
            for (alpha, beta) in [(Float(1), Float(1)), (0.5, -2), (-1.5, 0), (2, 0.25)] {
                Self.check(Self.swiftKernel, transposeA: ta, transposeB: tb, m: 19, n: 37, k: 29, alpha: alpha, beta: beta)
                Self.check(Self.swiftKernel, transposeA: ta, transposeB: tb, m: 2, n: 3, k: 4, alpha: alpha, beta: beta)
            }
        }
    }

    @Test func swiftKernelStridedOperands() {
        for (ta, tb) in Self.flagCombinations {
            Self.check(Self.swiftKernel, transposeA: ta, transposeB: tb, m: 23, n: 35, k: 41, alpha: 1, beta: 1, padding: 3)
            Self.check(Self.swiftKernel, transposeA: ta, transposeB: tb, m: 3, n: 2, k: 5, alpha: 1, beta: 0.5, padding: 2)
        }
    }

    /// Sizes that cross the k, m and n block boundaries and split over threads.
    @Test func swiftKernelAcrossBlocks() {
        let k = SwiftGEMM.depthBlock + 37
        let m = SwiftGEMM.rowBlock + 13
        Self.check(Self.swiftKernel, transposeA: false, transposeB: false, m: m, n: 65, k: k, alpha: 1, beta: 0)
        Self.check(Self.swiftKernel, transposeA: true, transposeB: true, m: 65, n: m, k: k, alpha: 0.5, beta: 2)
        Self.check(Self.swiftKernel, transposeA: true, transposeB: false, m: 130, n: 130, k: 70, alpha: 1, beta: 1)
    }

    @Test func degenerateSizes() {
        for kernel in [Self.swiftKernel, Self.dispatchKernel] {
            // k = 0: C = beta · C.
            Self.check(kernel, transposeA: false, transposeB: false, m: 3, n: 4, k: 0, alpha: 1, beta: 0.5)
            Self.check(kernel, transposeA: false, transposeB: false, m: 3, n: 4, k: 0, alpha: 1, beta: 0)
            Self.check(kernel, transposeA: false, transposeB: true, m: 0, n: 4, k: 3, alpha: 1, beta: 1)
            Self.check(kernel, transposeA: true, transposeB: false, m: 4, n: 0, k: 3, alpha: 1, beta: 1)
            // alpha = 0 only scales C.
            Self.check(kernel, transposeA: false, transposeB: false, m: 9, n: 17, k: 40, alpha: 0, beta: 3)
        }
    }

    /// The same product on 1 thread and on all threads gives the same bits.
    @Test func resultsDoNotDependOnThreadCount() {
        let (m, n, k) = (97, 161, 83)
        let a = Self.values(m * k, seed: 5), b = Self.values(k * n, seed: 6)
        var one = [Float](repeating: 0, count: m * n), all = one
        for (threads, out) in [(1, 0), (Parallel.threadCount, 1)] {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    func run(_ c: inout [Float]) {
                        c.withUnsafeMutableBufferPointer { pc in
                            SwiftGEMM.multiply(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                                               a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: n,
                                               beta: 0, c: pc.baseAddress!, ldc: n, maximumThreads: threads)
                        }
                    }
                    if out == 0 { run(&one) } else { run(&all) }
                }
            }
        }
        #expect(one == all)
        Self.check(Self.singleThreadKernel, transposeA: true, transposeB: false, m: m, n: n, k: k, alpha: 1, beta: 0)
    }

    @Test func dispatchMatchesReference() {
        for (ta, tb) in Self.flagCombinations {
            Self.check(Self.dispatchKernel, transposeA: ta, transposeB: tb, m: 33, n: 65, k: 7, alpha: 1, beta: 0)
            Self.check(Self.dispatchKernel, transposeA: ta, transposeB: tb, m: 7, n: 1, k: 130, alpha: -0.5, beta: 1, padding: 2)
        }
    }

    @Test func backendIsReported() {
        #expect(!BLAS.backendName.isEmpty)
        #expect(GEMM.usesBLAS == BLAS.isAvailable)
    }
}
