/// Vectorised loops over contiguous buffers, the building blocks of elementwise ops.
///
/// Each loop processes 16 floats at a time with `SIMD16<Float>` and finishes the tail
/// with the scalar form; tensors of 2^16 elements or more are split across cores.
///
/// Internal to LatentCore, as ``Parallel``; latent-bench reads ``parallelGrain`` through
/// `@_spi(Benchmarks)`.
@_spi(Benchmarks) public enum Elementwise {
    /// Elements per parallel chunk (below twice this, loops run on the calling thread).
    public static let parallelGrain = 1 << 15

    public typealias Vector = SIMD16<Float>

    /// `out[i] = f(x[i])` over `count` elements.
    public static func map(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int,
                           _ vector: (Vector) -> Vector, _ scalar: (Float) -> Float) {
        Parallel.forEachChunk(count: count, minimumChunk: parallelGrain) { r in
            var i = r.lowerBound
            let end = r.upperBound
            let rx = UnsafeRawPointer(x)
            let ro = UnsafeMutableRawPointer(out)
            while i + 16 <= end {
                let v = rx.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
                ro.storeBytes(of: vector(v), toByteOffset: i * 4, as: Vector.self)
                i += 16
            }
            while i < end { out[i] = scalar(x[i]); i += 1 }
        }
    }

    /// `out[i] = f(a[i], b[i])` over `count` elements.
    public static func zip(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                           count: Int, _ vector: (Vector, Vector) -> Vector, _ scalar: (Float, Float) -> Float) {
        Parallel.forEachChunk(count: count, minimumChunk: parallelGrain) { r in
            zipRange(a, 1, b, 1, out, r, vector, scalar)
        }
    }

    /// `out[i] = f(a[i * sa], b[i * sb])` for `i` in `r`, with strides 0 or 1.
    @inline(__always)
    static func zipRange(_ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                         _ out: UnsafeMutablePointer<Float>, _ r: Range<Int>,
                         _ vector: (Vector, Vector) -> Vector, _ scalar: (Float, Float) -> Float) {
        var i = r.lowerBound
        let end = r.upperBound
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        let ro = UnsafeMutableRawPointer(out)
        switch (sa, sb) {
        case (1, 1):
            while i + 16 <= end {
                let va = ra.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
                let vb = rb.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
                ro.storeBytes(of: vector(va, vb), toByteOffset: i * 4, as: Vector.self)
                i += 16
            }
            while i < end { out[i] = scalar(a[i], b[i]); i += 1 }
        case (1, 0):
            let vb = Vector(repeating: b[0])
            while i + 16 <= end {
                let va = ra.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
                ro.storeBytes(of: vector(va, vb), toByteOffset: i * 4, as: Vector.self)
                i += 16
            }
            while i < end { out[i] = scalar(a[i], b[0]); i += 1 }
        case (0, 1):
            let va = Vector(repeating: a[0])
            while i + 16 <= end {
                let vb = rb.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
                ro.storeBytes(of: vector(va, vb), toByteOffset: i * 4, as: Vector.self)
                i += 16
            }
            while i < end { out[i] = scalar(a[0], b[i]); i += 1 }
        default:
            let v = scalar(a[0], b[0])
            while i < end { out[i] = v; i += 1 }
        }
    }

    /// Broadcasting binary op: `out` has shape `outShape`; `a` and `b` are broadcast to it.
    public static func broadcastZip(_ a: Tensor, _ b: Tensor, outShape: [Int], _ out: UnsafeMutablePointer<Float>,
                                    _ vector: (Vector, Vector) -> Vector, _ scalar: (Float, Float) -> Float) {
        let pa = a.storage.pointer, pb = b.storage.pointer
        let n = Shape.count(outShape)
        if a.shape == outShape && b.shape == outShape {
            zip(pa, pb, out, count: n, vector, scalar); return
        }
        if b.scalarCount == 1 && a.scalarCount == n {
            Parallel.forEachChunk(count: n, minimumChunk: parallelGrain) { zipRange(pa, 1, pb, 0, out, $0, vector, scalar) }
            return
        }
        if a.scalarCount == 1 && b.scalarCount == n {
            Parallel.forEachChunk(count: n, minimumChunk: parallelGrain) { zipRange(pa, 0, pb, 1, out, $0, vector, scalar) }
            return
        }
        // General case: coalesce dimensions, then loop over all but the innermost.
        let (dims, sa, sb) = broadcastLayout(a.shape, b.shape, outShape)
        let inner = dims.last ?? 1
        let ia = sa.last ?? 0, ib = sb.last ?? 0
        let rows = n / max(inner, 1)
        let outer = Array(dims.dropLast())
        let osa = Array(sa.dropLast()), osb = Array(sb.dropLast())
        let grain = max(1, parallelGrain / max(inner, 1))
        Parallel.forEachChunk(count: rows, minimumChunk: grain) { r in
            var index = [Int](repeating: 0, count: outer.count)
            var rem = r.lowerBound
            for d in stride(from: outer.count - 1, through: 0, by: -1) {
                index[d] = rem % outer[d]; rem /= outer[d]
            }
            for row in r {
                var offA = 0, offB = 0
                for d in 0..<outer.count { offA += index[d] * osa[d]; offB += index[d] * osb[d] }
                zipRange(pa + offA, ia, pb + offB, ib, out + row * inner, 0..<inner, vector, scalar)
                // advance the multi-index
                var d = outer.count - 1
                while d >= 0 {
                    index[d] += 1
                    if index[d] < outer[d] { break }
                    index[d] = 0; d -= 1
                }
            }
        }
    }

    /// Coalesced dimensions of a broadcast and the element strides of each operand
    /// (0 along broadcast dimensions).
    public static func broadcastLayout(_ a: [Int], _ b: [Int], _ out: [Int]) -> (dims: [Int], a: [Int], b: [Int]) {
        func stridesIn(_ s: [Int]) -> [Int] {
            let padded = [Int](repeating: 1, count: out.count - s.count) + s
            let st = Shape.strides(padded)
            return (0..<out.count).map { padded[$0] == 1 && out[$0] != 1 ? 0 : st[$0] }
        }
        let fa = stridesIn(a), fb = stridesIn(b)
        var dims: [Int] = [], sa: [Int] = [], sb: [Int] = []
        for d in 0..<out.count where out[d] != 1 {
            if let last = dims.last,
               sa.last! == fa[d] * out[d], sb.last! == fb[d] * out[d] {
                dims[dims.count - 1] = last * out[d]
                sa[sa.count - 1] = fa[d]; sb[sb.count - 1] = fb[d]
            } else {
                dims.append(out[d]); sa.append(fa[d]); sb.append(fb[d])
            }
        }
        if dims.isEmpty { return ([1], [0], [0]) }
        return (dims, sa, sb)
    }
}
