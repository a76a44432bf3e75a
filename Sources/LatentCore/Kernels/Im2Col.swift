/// The geometry of a 2-D sliding window: an image of `inputHeight × inputWidth` pixels
/// and the grid of `outputHeight × outputWidth` window positions laid over it.
///
/// Window position `(i, j)` reads pixel `(i·strideHeight − paddingHeight + a·dilationHeight,
/// j·strideWidth − paddingWidth + b·dilationWidth)` for kernel offset `(a, b)`; pixels
/// outside the image read as zero. The grid size is explicit rather than derived, so the
/// same geometry describes a convolution and its adjoints (a transposed convolution whose
/// `outputPadding` adds rows no window reaches, or a gradient cropped to a given size).
public struct ConvolutionGeometry: Sendable, Equatable {
    public var inputHeight: Int, inputWidth: Int
    public var outputHeight: Int, outputWidth: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var paddingHeight: Int, paddingWidth: Int
    public var dilationHeight: Int, dilationWidth: Int

    /// A geometry; `output` defaults to the natural (floor) size for these options.
    public init(input: (Int, Int), output: (Int, Int)? = nil, kernel: (Int, Int),
                stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)) {
        (inputHeight, inputWidth) = input
        (kernelHeight, kernelWidth) = kernel
        (strideHeight, strideWidth) = stride
        (paddingHeight, paddingWidth) = padding
        (dilationHeight, dilationWidth) = dilation
        (outputHeight, outputWidth) = output ?? (
            Self.outputSize(input: input.0, kernel: kernel.0, stride: stride.0, padding: padding.0, dilation: dilation.0),
            Self.outputSize(input: input.1, kernel: kernel.1, stride: stride.1, padding: padding.1, dilation: dilation.1))
    }

    /// Number of window positions along one axis:
    /// `⌊(input + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1`, or 0 if no window fits.
    public static func outputSize(input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Int {
        let span = input + 2 * padding - dilation * (kernel - 1) - 1
        return span < 0 ? 0 : span / stride + 1
    }

    /// Pixels per image channel.
    @inlinable public var inputArea: Int { inputHeight * inputWidth }
    /// Window positions.
    @inlinable public var outputArea: Int { outputHeight * outputWidth }
    /// Taps per window and channel.
    @inlinable public var kernelArea: Int { kernelHeight * kernelWidth }

    /// Whether the column matrix of an image is the image itself (a 1 × 1 kernel with
    /// unit stride, no padding and a grid the size of the image).
    @inlinable public var isIdentity: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
            && paddingHeight == 0 && paddingWidth == 0
            && outputHeight == inputHeight && outputWidth == inputWidth
    }

    /// The range of grid indices `j` whose tap `offset·dilation` lands inside `0..<size`:
    /// `0 ≤ j·stride − padding + offset·dilation < size`.
    @inlinable
    static func validRange(offset: Int, size: Int, grid: Int, stride: Int, padding: Int, dilation: Int) -> Range<Int> {
        let shift = offset * dilation - padding          // pixel = j·stride + shift
        let low = shift >= 0 ? 0 : (-shift + stride - 1) / stride
        let lastPixel = size - 1 - shift                  // j·stride ≤ lastPixel
        guard lastPixel >= 0 else { return 0..<0 }
        let high = min(grid, lastPixel / stride + 1)
        return low < high ? low..<high : 0..<0
    }
}

/// The column (im2col) form of images, which turns a convolution into a matrix product,
/// and its adjoint (col2im).
///
/// For an image `x` of `C` channels, `im2col(x)` is the `(C·kH·kW) × (Ho·Wo)` matrix
///
///     columns[(c·kH + a)·kW + b, i·Wo + j] = x[c, i·sH − pH + a·dH, j·sW − pW + b·dW]
///
/// (zero outside the image), so that a convolution with weight `W` of shape
/// `[out, C·kH·kW]` is `W · columns`. `col2im` is its transpose: it adds every column
/// entry back onto the pixel it was read from.
public enum Im2Col {
    /// Writes the column matrix of one `channels × inputHeight × inputWidth` image.
    ///
    /// - Parameters:
    ///   - image: `channels` planes of `inputHeight × inputWidth` pixels.
    ///   - channels: number of planes.
    ///   - geometry: the window geometry.
    ///   - columns: the `(channels·kH·kW) × (Ho·Wo)` column matrix to write.
    ///   - rowStride: elements between consecutive rows of `columns` (default `Ho·Wo`). A
    ///     larger stride lays the column matrices of several images side by side, as one
    ///     `(channels·kH·kW) × (images·Ho·Wo)` matrix, so that one matrix product serves them all.
    public static func im2col(image: UnsafePointer<Float>, channels: Int, geometry g: ConvolutionGeometry,
                              columns: UnsafeMutablePointer<Float>, rowStride: Int? = nil) {
        let area = rowStride ?? g.outputArea
        if let padded = paddedPlane(g) {
            unitStrideIm2col(image: image, channels: channels, geometry: g, columns: columns, rowStride: area, padded: padded)
            return
        }
        for c in 0..<channels {
            let plane = image + c * g.inputArea
            for a in 0..<g.kernelHeight {
                let rows = ConvolutionGeometry.validRange(offset: a, size: g.inputHeight, grid: g.outputHeight,
                                                          stride: g.strideHeight, padding: g.paddingHeight,
                                                          dilation: g.dilationHeight)
                for b in 0..<g.kernelWidth {
                    let out = columns + ((c * g.kernelHeight + a) * g.kernelWidth + b) * area
                    let cols = ConvolutionGeometry.validRange(offset: b, size: g.inputWidth, grid: g.outputWidth,
                                                              stride: g.strideWidth, padding: g.paddingWidth,
                                                              dilation: g.dilationWidth)
                    let shift = b * g.dilationWidth - g.paddingWidth
                    for i in 0..<g.outputHeight {
                        let row = out + i * g.outputWidth
                        guard rows.contains(i), !cols.isEmpty else {
                            for j in 0..<g.outputWidth { row[j] = 0 }
                            continue
                        }
                        let source = plane + (i * g.strideHeight - g.paddingHeight + a * g.dilationHeight) * g.inputWidth
                        // Explicit loops: rows are short (often < 32 pixels), where calls to
                        // memcpy / memset cost more than the copy.
                        for j in 0..<cols.lowerBound { row[j] = 0 }
                        if g.strideWidth == 1 {
                            let shifted = source + shift
                            for j in cols { row[j] = shifted[j] }
                        } else {
                            for j in cols { row[j] = source[j * g.strideWidth + shift] }
                        }
                        for j in cols.upperBound..<g.outputWidth { row[j] = 0 }
                    }
                }
            }
        }
    }

    /// Adds the column matrix back onto one image: `image += col2im(columns)` (the
    /// transpose of ``im2col(image:channels:geometry:columns:rowStride:)``). Zero `image`
    /// first for a plain col2im.
    ///
    /// - Parameters:
    ///   - columns: the `(channels·kH·kW) × (Ho·Wo)` column matrix.
    ///   - channels: number of image planes.
    ///   - geometry: the window geometry.
    ///   - image: `channels` planes of `inputHeight × inputWidth` pixels, added to.
    ///   - rowStride: elements between consecutive rows of `columns` (default `Ho·Wo`).
    public static func col2im(columns: UnsafePointer<Float>, channels: Int, geometry g: ConvolutionGeometry,
                              image: UnsafeMutablePointer<Float>, rowStride: Int? = nil) {
        let area = rowStride ?? g.outputArea
        if let padded = paddedPlane(g) {
            unitStrideCol2im(columns: columns, channels: channels, geometry: g, image: image, rowStride: area, padded: padded)
            return
        }
        for c in 0..<channels {
            let plane = image + c * g.inputArea
            for a in 0..<g.kernelHeight {
                let rows = ConvolutionGeometry.validRange(offset: a, size: g.inputHeight, grid: g.outputHeight,
                                                          stride: g.strideHeight, padding: g.paddingHeight,
                                                          dilation: g.dilationHeight)
                for b in 0..<g.kernelWidth {
                    let input = columns + ((c * g.kernelHeight + a) * g.kernelWidth + b) * area
                    let cols = ConvolutionGeometry.validRange(offset: b, size: g.inputWidth, grid: g.outputWidth,
                                                              stride: g.strideWidth, padding: g.paddingWidth,
                                                              dilation: g.dilationWidth)
                    guard !cols.isEmpty else { continue }
                    let shift = b * g.dilationWidth - g.paddingWidth
                    for i in rows {
                        let row = input + i * g.outputWidth
                        let target = plane + (i * g.strideHeight - g.paddingHeight + a * g.dilationHeight) * g.inputWidth
                        for j in cols { target[j * g.strideWidth + shift] += row[j] }
                    }
                }
            }
        }
    }

    /// im2col of `batch` images stored one after another, in parallel over the batch.
    /// `columns` holds `batch` column matrices one after another.
    public static func im2col(images: UnsafePointer<Float>, batch: Int, channels: Int, geometry g: ConvolutionGeometry,
                              columns: UnsafeMutablePointer<Float>) {
        let imageSize = channels * g.inputArea, columnSize = channels * g.kernelArea * g.outputArea
        let source = UncheckedSendable(images), target = UncheckedSendable(columns)
        Parallel.forEachChunk(count: batch, minimumChunk: max(1, 65_536 / max(columnSize, 1))) { range in
            for n in range {
                im2col(image: source.value + n * imageSize, channels: channels, geometry: g,
                       columns: target.value + n * columnSize)
            }
        }
    }

    /// col2im of `batch` column matrices, in parallel over the batch. Overwrites `images`.
    public static func col2im(columns: UnsafePointer<Float>, batch: Int, channels: Int, geometry g: ConvolutionGeometry,
                              images: UnsafeMutablePointer<Float>) {
        let imageSize = channels * g.inputArea, columnSize = channels * g.kernelArea * g.outputArea
        let source = UncheckedSendable(columns), target = UncheckedSendable(images)
        Parallel.forEachChunk(count: batch, minimumChunk: max(1, 65_536 / max(columnSize, 1))) { range in
            for n in range {
                let image = target.value + n * imageSize
                image.update(repeating: 0, count: imageSize)
                col2im(columns: source.value + n * columnSize, channels: channels, geometry: g, image: image)
            }
        }
    }
}
