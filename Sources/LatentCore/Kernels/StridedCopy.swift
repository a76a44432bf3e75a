/// Copies between strided views of two buffers: the kernel behind permute, slice,
/// unslice, pad, flip and concatenate.
///
/// A view is a base offset plus one element stride per dimension (strides may be zero
/// or negative). For every multi-index `i` over `shape`,
///
///     dst[dstOffset + Σ i_d · dstStrides_d] = src[srcOffset + Σ i_d · srcStrides_d]
///
/// Dimensions are first coalesced (size-1 dimensions dropped, adjacent dimensions that
/// are contiguous in both views merged). The innermost run is then copied with `memcpy`
/// when both views are contiguous along it; when only the destination is, and some other
/// dimension is contiguous in the source (a transpose), the copy goes through cache-sized
/// square tiles. Large copies are split across cores by independent output rows.
public enum StridedCopy {
    /// Side of the square tiles used for transposing copies.
    public static let tileSize = 32

    /// Copies `shape` elements from the `src` view to the `dst` view (see ``StridedCopy``).
    /// The destination positions must be distinct (no zero destination strides on
    /// dimensions of size > 1), so that rows can be written in parallel.
    public static func copy(shape: [Int],
                            from src: UnsafePointer<Float>, offset srcOffset: Int, strides srcStrides: [Int],
                            to dst: UnsafeMutablePointer<Float>, offset dstOffset: Int, strides dstStrides: [Int]) {
        let total = Shape.count(shape)
        guard total > 0 else { return }
        var (dims, ss, ds) = coalesce(shape, srcStrides, dstStrides)
        if dims.isEmpty { dims = [1]; ss = [0]; ds = [0] }
        let s = UncheckedSendable((src + srcOffset, dst + dstOffset))
        let last = dims.count - 1

        // Transposing copy: destination contiguous innermost, source contiguous along p.
        if ds[last] == 1, ss[last] != 1, dims[last] >= 4,
           let p = (0..<last).last(where: { ss[$0] == 1 && dims[$0] >= 4 }) {
            let outer = (0..<last).filter { $0 != p }
            let outerDims = outer.map { dims[$0] }, outerSS = outer.map { ss[$0] }, outerDS = outer.map { ds[$0] }
            let rowTiles = (dims[p] + tileSize - 1) / tileSize
            let units = Shape.count(outerDims) * rowTiles
            let (rows, columns) = (dims[p], dims[last])
            let (srcColumn, dstRow) = (ss[last], ds[p])
            Parallel.forEachChunk(count: units, minimumChunk: max(1, Elementwise.parallelGrain / (tileSize * columns))) { r in
                let (src, dst) = s.value
                for unit in r {
                    let (o, tile) = unit.quotientAndRemainder(dividingBy: rowTiles)
                    let (so, dso) = offsets(of: o, dims: outerDims, outerSS, outerDS)
                    let r0 = tile * tileSize, r1 = min(rows, r0 + tileSize)
                    var c0 = 0
                    while c0 < columns {
                        let c1 = min(columns, c0 + tileSize)
                        for i in r0..<r1 {
                            let sp = src + so + i, dp = dst + dso + i * dstRow
                            for j in c0..<c1 { dp[j] = sp[j * srcColumn] }
                        }
                        c0 = c1
                    }
                }
            }
            return
        }

        // Row copy: loop over all but the innermost run.
        let inner = dims[last], si = ss[last], di = ds[last]
        let outerDims = Array(dims[..<last]), outerSS = Array(ss[..<last]), outerDS = Array(ds[..<last])
        let rows = total / inner
        Parallel.forEachChunk(count: rows, minimumChunk: max(1, Elementwise.parallelGrain / inner)) { r in
            let (src, dst) = s.value
            var index = multiIndex(of: r.lowerBound, dims: outerDims)
            var (so, dso) = offsets(of: r.lowerBound, dims: outerDims, outerSS, outerDS)
            for _ in r {
                let sp = src + so, dp = dst + dso
                if si == 1 && di == 1 {
                    dp.update(from: sp, count: inner)
                } else if si == -1 && di == 1 {
                    for j in 0..<inner { dp[j] = sp[-j] }  // a flip; vectorises with a lane reversal
                } else {
                    for j in 0..<inner { dp[j * di] = sp[j * si] }
                }
                // Advance the outer multi-index and both offsets.
                var d = outerDims.count - 1
                while d >= 0 {
                    index[d] += 1; so += outerSS[d]; dso += outerDS[d]
                    if index[d] < outerDims[d] { break }
                    so -= outerSS[d] * outerDims[d]; dso -= outerDS[d] * outerDims[d]
                    index[d] = 0; d -= 1
                }
            }
        }
    }

    /// Drops size-1 dimensions and merges neighbours that are contiguous in both views.
    static func coalesce(_ shape: [Int], _ a: [Int], _ b: [Int]) -> ([Int], [Int], [Int]) {
        var dims: [Int] = [], sa: [Int] = [], sb: [Int] = []
        for d in shape.indices where shape[d] != 1 {
            if let n = dims.last, sa.last! == a[d] * shape[d], sb.last! == b[d] * shape[d] {
                dims[dims.count - 1] = n * shape[d]
                sa[sa.count - 1] = a[d]; sb[sb.count - 1] = b[d]
            } else {
                dims.append(shape[d]); sa.append(a[d]); sb.append(b[d])
            }
        }
        return (dims, sa, sb)
    }

    @inline(__always)
    static func multiIndex(of flat: Int, dims: [Int]) -> [Int] {
        var index = [Int](repeating: 0, count: dims.count)
        var rem = flat
        for d in stride(from: dims.count - 1, through: 0, by: -1) {
            (rem, index[d]) = rem.quotientAndRemainder(dividingBy: dims[d])
        }
        return index
    }

    @inline(__always)
    static func offsets(of flat: Int, dims: [Int], _ a: [Int], _ b: [Int]) -> (Int, Int) {
        var rem = flat, oa = 0, ob = 0
        for d in stride(from: dims.count - 1, through: 0, by: -1) {
            let (q, i) = rem.quotientAndRemainder(dividingBy: dims[d])
            oa += i * a[d]; ob += i * b[d]; rem = q
        }
        return (oa, ob)
    }
}
