/// The unit-stride case of ``Im2Col`` (the common 3 × 3, padding-1 convolution), through
/// a zero-padded copy of each image plane.
///
/// With stride 1, window row `i` and tap `(a, b)` read the padded plane's row
/// `i + a·dH` from column `b·dW` on: every row of the column matrix is one contiguous
/// run of `Wo` pixels, copied without bounds checks (the padding supplies the zeros).
/// Planes larger than ``maximumPlane`` floats take the general path.
extension Im2Col {
    /// Largest padded plane (in floats) kept in a temporary buffer (64 KiB).
    static let maximumPlane = 1 << 14

    /// The padded plane's `(rows, columns)`: the pixels some window reaches, shifted by the
    /// padding; `nil` unless both strides are 1 and the plane fits ``maximumPlane``.
    static func paddedPlane(_ g: ConvolutionGeometry) -> (rows: Int, columns: Int)? {
        guard g.strideHeight == 1, g.strideWidth == 1, g.outputHeight > 0, g.outputWidth > 0 else { return nil }
        let rows = g.outputHeight + (g.kernelHeight - 1) * g.dilationHeight
        let columns = g.outputWidth + (g.kernelWidth - 1) * g.dilationWidth
        return rows * columns <= maximumPlane ? (rows, columns) : nil
    }

    /// Whether the padded plane is the image plane itself (no padding, windows inside).
    static func planeIsPadded(_ g: ConvolutionGeometry, _ p: (rows: Int, columns: Int)) -> Bool {
        g.paddingHeight != 0 || g.paddingWidth != 0 || p.rows > g.inputHeight || p.columns > g.inputWidth
    }

    /// ``im2col(image:channels:geometry:columns:rowStride:)`` for unit strides; `padded`
    /// is `paddedPlane(g)`.
    static func unitStrideIm2col(image: UnsafePointer<Float>, channels: Int, geometry g: ConvolutionGeometry,
                                 columns: UnsafeMutablePointer<Float>, rowStride: Int, padded p: (rows: Int, columns: Int)) {
        let copies = planeIsPadded(g, p)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: copies ? p.rows * p.columns : 0) { buffer in
            for c in 0..<channels {
                let plane = image + c * g.inputArea
                let source: UnsafePointer<Float>, width: Int
                if let base = buffer.baseAddress, copies {
                    pad(plane, geometry: g, into: base, padded: p)
                    (source, width) = (UnsafePointer(base), p.columns)
                } else {
                    (source, width) = (plane, g.inputWidth)
                }
                for a in 0..<g.kernelHeight {
                    for b in 0..<g.kernelWidth {
                        let out = columns + ((c * g.kernelHeight + a) * g.kernelWidth + b) * rowStride
                        let start = source + a * g.dilationHeight * width + b * g.dilationWidth
                        for i in 0..<g.outputHeight {
                            copyRow(start + i * width, out + i * g.outputWidth, count: g.outputWidth)
                        }
                    }
                }
            }
        }
    }

    /// ``col2im(columns:channels:geometry:image:rowStride:)`` for unit strides: sums into a
    /// zeroed padded plane, then adds its interior onto the image plane.
    static func unitStrideCol2im(columns: UnsafePointer<Float>, channels: Int, geometry g: ConvolutionGeometry,
                                 image: UnsafeMutablePointer<Float>, rowStride: Int, padded p: (rows: Int, columns: Int)) {
        let copies = planeIsPadded(g, p)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: copies ? p.rows * p.columns : 0) { buffer in
            for c in 0..<channels {
                let plane = image + c * g.inputArea
                let target: UnsafeMutablePointer<Float>, width: Int
                if let base = buffer.baseAddress, copies {
                    base.update(repeating: 0, count: p.rows * p.columns)
                    (target, width) = (base, p.columns)
                } else {
                    (target, width) = (plane, g.inputWidth)
                }
                for a in 0..<g.kernelHeight {
                    for b in 0..<g.kernelWidth {
                        let input = columns + ((c * g.kernelHeight + a) * g.kernelWidth + b) * rowStride
                        let start = target + a * g.dilationHeight * width + b * g.dilationWidth
                        for i in 0..<g.outputHeight {
                            addRow(input + i * g.outputWidth, start + i * width, count: g.outputWidth)
                        }
                    }
                }
                guard copies else { continue }
                // Padded (r, s) is pixel (r − pH, s − pW); add the part inside the image.
                let rows = max(0, g.paddingHeight)..<min(p.rows, g.inputHeight + g.paddingHeight)
                let cols = max(0, g.paddingWidth)..<min(p.columns, g.inputWidth + g.paddingWidth)
                guard !cols.isEmpty else { continue }
                for r in rows {
                    addRow(target + r * width + cols.lowerBound,
                           plane + (r - g.paddingHeight) * g.inputWidth + cols.lowerBound - g.paddingWidth,
                           count: cols.count)
                }
            }
        }
    }

    /// Writes the zero-padded copy of one image plane: padded `(r, s)` = pixel `(r − pH, s − pW)`.
    static func pad(_ plane: UnsafePointer<Float>, geometry g: ConvolutionGeometry, into padded: UnsafeMutablePointer<Float>,
                    padded p: (rows: Int, columns: Int)) {
        let cols = max(0, g.paddingWidth)..<min(p.columns, g.inputWidth + g.paddingWidth)
        for r in 0..<p.rows {
            let row = padded + r * p.columns, pixelRow = r - g.paddingHeight
            guard pixelRow >= 0, pixelRow < g.inputHeight, !cols.isEmpty else {
                row.update(repeating: 0, count: p.columns)
                continue
            }
            for s in 0..<cols.lowerBound { row[s] = 0 }
            let source = plane + pixelRow * g.inputWidth - g.paddingWidth
            for s in cols { row[s] = source[s] }
            for s in cols.upperBound..<p.columns { row[s] = 0 }
        }
    }

    /// `target[0..<count] = source[0..<count]` in 8-wide pieces (the last one overlapping
    /// its predecessor), for the short rows of small images.
    @inline(__always)
    static func copyRow(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, count: Int) {
        if count < 8 {
            for j in 0..<count { target[j] = source[j] }
            return
        }
        var j = 0
        while j + 8 <= count {
            store(load(source + j), target + j)
            j += 8
        }
        if j < count { store(load(source + count - 8), target + count - 8) }
    }

    /// `target[0..<count] += source[0..<count]`, 8 at a time then one by one.
    @inline(__always)
    static func addRow(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j + 8 <= count {
            store(load(UnsafePointer(target + j)) + load(source + j), target + j)
            j += 8
        }
        while j < count {
            target[j] += source[j]
            j += 1
        }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }
}
