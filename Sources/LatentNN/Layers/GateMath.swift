import LatentCore

/// 16-lane helpers for the fused recurrent kernels: gate nonlinearities and partial
/// loads/stores for row tails.
enum GateMath {
    typealias Vector = SIMD16<Float>

    /// `σ(x) = 1 / (1 + e⁻ˣ)` on 16 lanes.
    @inline(__always)
    static func sigmoid(_ x: Vector) -> Vector { VectorMath.sigmoid(x) }

    /// `tanh x` on 16 lanes.
    @inline(__always)
    static func tanh(_ x: Vector) -> Vector { VectorMath.tanh(x) }

    /// Loads `count ≤ 16` floats (the rest of the lanes are 0).
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ count: Int) -> Vector {
        if count == 16 { return UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }
        var v = Vector()
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    /// Stores the first `count ≤ 16` lanes of `v`.
    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        if count == 16 {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
            return
        }
        for i in 0..<count { p[i] = v[i] }
    }

    /// Adds every row of a `[rows, columns]` matrix (row stride `stride`) into `sums`
    /// (`columns` floats, accumulated).
    static func addColumnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int,
                              into sums: UnsafeMutablePointer<Float>) {
        var j = 0
        while j < columns {
            let w = min(16, columns - j)
            var s = load(sums + j, w)
            for r in 0..<rows { s += load(x + r * stride + j, w) }
            store(s, sums + j, w)
            j += 16
        }
    }

    /// Rows per parallel chunk so that each chunk has at least ~16K elements of work.
    static func rowsPerChunk(rowLength: Int) -> Int { max(1, (1 << 14) / max(rowLength, 1)) }
}
