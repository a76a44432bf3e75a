import Foundation

/// Small dense linear-algebra kernels on row-major Float32 matrices, accumulating in Double.
///
/// These serve the batched ops in `Ops/` (``cholesky(_:)``, ``triangularSolve(_:_:lower:transpose:unitDiagonal:)``,
/// ``solve(_:_:)``, ``Tensor/logAbsDeterminant()``), which work on the small matrices of
/// generative models (covariances, flow weights): textbook O(n³) loops, no blocking.
public enum DenseLinearAlgebra {
    /// The lower Cholesky factor `L` (`A = L Lᵀ`) of the `n × n` matrix `a`, written to `l`
    /// (its upper triangle zeroed). Reads only the lower triangle of `a`.
    ///
    /// - Returns: `nil` on success, or the 0-based order `j` of the first leading minor that
    ///   is not positive (the matrix is not positive definite).
    public static func cholesky(_ a: UnsafePointer<Float>, _ l: UnsafeMutablePointer<Float>, n: Int) -> Int? {
        var work = [Double](repeating: 0, count: n * n)
        return work.withUnsafeMutableBufferPointer { w -> Int? in
            for j in 0..<n {
                var s = Double(a[j * n + j])
                for k in 0..<j { s -= w[j * n + k] * w[j * n + k] }
                guard s > 0, s.isFinite else { return j }
                let d = s.squareRoot()
                w[j * n + j] = d
                for i in (j + 1)..<max(j + 1, n) {
                    var t = Double(a[i * n + j])
                    for k in 0..<j { t -= w[i * n + k] * w[j * n + k] }
                    w[i * n + j] = t / d
                }
            }
            for i in 0..<(n * n) { l[i] = Float(w[i]) }
            return nil
        }
    }

    /// Solves `op(A) X = B` for a triangular `n × n` matrix `A` and an `n × k` right-hand
    /// side `B`, where `op(A)` is `A` or `Aᵀ`. Reads only the triangle of `A` named by
    /// `lower` (and not its diagonal when `unitDiagonal`). A zero on the diagonal gives
    /// non-finite results.
    public static func triangularSolve(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                       _ x: UnsafeMutablePointer<Float>, n: Int, k: Int,
                                       lower: Bool, transpose: Bool, unitDiagonal: Bool) {
        // op(A)[i, j]
        @inline(__always) func m(_ i: Int, _ j: Int) -> Double {
            Double(transpose ? a[j * n + i] : a[i * n + j])
        }
        var work = [Double](repeating: 0, count: n * k)
        work.withUnsafeMutableBufferPointer { w in
            // op(A) is lower triangular exactly when A is lower and not transposed (or upper and transposed).
            let forward = lower != transpose
            for step in 0..<n {
                let i = forward ? step : n - 1 - step
                let row = w.baseAddress! + i * k
                for c in 0..<k { row[c] = Double(b[i * k + c]) }
                let others = forward ? 0..<i : (i + 1)..<n
                for j in others {
                    let mij = m(i, j)
                    if mij == 0 { continue }
                    let solved = w.baseAddress! + j * k
                    for c in 0..<k { row[c] -= mij * solved[c] }
                }
                if !unitDiagonal {
                    let d = m(i, i)
                    for c in 0..<k { row[c] /= d }
                }
            }
            for i in 0..<(n * k) { x[i] = Float(w[i]) }
        }
    }

    /// An LU factorisation with partial pivoting, `P A = L U`, in Double.
    public struct LU {
        /// `L` (unit diagonal, below) and `U` (on and above the diagonal), row-major `n × n`.
        public var factors: [Double]
        /// Row `i` of `P A` is row `pivots[i]` of `A`.
        public var pivots: [Int]
        /// The sign of the permutation (±1).
        public var permutationSign: Double
        /// Whether a pivot was exactly zero (the matrix is singular).
        public var isSingular: Bool
        public let n: Int

        /// log |det A| (−∞ when singular) and sign(det A) (0 when singular).
        public var logAbsDeterminantAndSign: (Double, Double) {
            if isSingular { return (-.infinity, 0) }
            var logAbs = 0.0, sign = permutationSign
            for i in 0..<n {
                let u = factors[i * n + i]
                logAbs += Foundation.log(abs(u))
                if u < 0 { sign = -sign }
            }
            return (logAbs, sign)
        }

        /// Solves `A X = B` for an `n × k` right-hand side.
        public func solve(_ b: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>, k: Int) {
            var w = [Double](repeating: 0, count: n * k)
            for i in 0..<n { for c in 0..<k { w[i * k + c] = Double(b[pivots[i] * k + c]) } }
            for i in 0..<n {          // L y = P b (unit lower)
                for j in 0..<i where factors[i * n + j] != 0 {
                    let l = factors[i * n + j]
                    for c in 0..<k { w[i * k + c] -= l * w[j * k + c] }
                }
            }
            for i in stride(from: n - 1, through: 0, by: -1) {   // U x = y
                for j in (i + 1)..<max(i + 1, n) where factors[i * n + j] != 0 {
                    let u = factors[i * n + j]
                    for c in 0..<k { w[i * k + c] -= u * w[j * k + c] }
                }
                let d = factors[i * n + i]
                for c in 0..<k { w[i * k + c] /= d }
            }
            for i in 0..<(n * k) { x[i] = Float(w[i]) }
        }
    }

    /// Factors the `n × n` matrix `a` as `P A = L U` (Doolittle, partial pivoting).
    public static func luFactor(_ a: UnsafePointer<Float>, n: Int) -> LU {
        var f = (0..<(n * n)).map { Double(a[$0]) }
        var pivots = Array(0..<n)
        var sign = 1.0, singular = false
        for j in 0..<n {
            var p = j, best = abs(f[j * n + j])
            for i in (j + 1)..<max(j + 1, n) where abs(f[i * n + j]) > best { p = i; best = abs(f[i * n + j]) }
            if p != j {
                for c in 0..<n { f.swapAt(j * n + c, p * n + c) }
                pivots.swapAt(j, p)
                sign = -sign
            }
            let d = f[j * n + j]
            if d == 0 || !d.isFinite { singular = true; continue }
            for i in (j + 1)..<max(j + 1, n) {
                let l = f[i * n + j] / d
                f[i * n + j] = l
                if l == 0 { continue }
                for c in (j + 1)..<n { f[i * n + c] -= l * f[j * n + c] }
            }
        }
        return LU(factors: f, pivots: pivots, permutationSign: sign, isSingular: singular, n: n)
    }

    /// For each index of the broadcast batch shape `target`, the flat index of the batch
    /// element of `source` (a shape broadcastable to `target`) that it reads.
    public static func broadcastBatchIndices(_ source: [Int], to target: [Int]) -> [Int] {
        let count = Shape.count(target)
        if source == target { return Array(0..<count) }
        let padded = [Int](repeating: 1, count: target.count - source.count) + source
        let sourceStrides = Shape.strides(padded)
        let targetStrides = Shape.strides(target)
        return (0..<count).map { flat in
            var index = 0
            for d in 0..<target.count where padded[d] != 1 {
                index += (flat / targetStrides[d]) % target[d] * sourceStrides[d]
            }
            return index
        }
    }
}

extension DenseLinearAlgebra {
    /// Calls `body(i)` for every matrix `i` of a batch, splitting the batch across cores
    /// when each matrix costs `cost` flops and there is enough work.
    public static func forEachMatrix(count: Int, cost: Int, _ body: (Int) -> Void) {
        let grain = max(1, (1 << 16) / max(cost, 1))
        Parallel.forEachChunk(count: count, minimumChunk: grain) { range in
            for i in range { body(i) }
        }
    }

    /// A flat batch index written as a multi-index of `batchShape`, e.g. `[1, 0]`.
    public static func batchIndexDescription(_ flat: Int, batchShape: [Int]) -> String {
        var index = [Int](repeating: 0, count: batchShape.count)
        var rest = flat
        for d in stride(from: batchShape.count - 1, through: 0, by: -1) {
            index[d] = rest % batchShape[d]
            rest /= batchShape[d]
        }
        return "[" + index.map(String.init).joined(separator: ", ") + "]"
    }
}
