/// The three products of a grouped 2-D convolution, as im2col / col2im plus GEMM.
///
/// All three share one geometry and one trilinear form. With `x` an image batch
/// `[N, C, H, W]` (the geometry's input side), `y` a batch on the window grid
/// `[N, O, Ho, Wo]`, and `w` a weight `[O, C/groups, kH, kW]`, and with `G` groups each
/// pairing `C/G` image channels with `O/G` grid channels:
///
/// - ``forward``: `y[n]_g = W_g · im2col(x[n])_g`          (convolution)
/// - ``transposed``: `x[n] = col2im(W_gᵀ · y[n]_g)`          (its adjoint in `x`)
/// - ``weightGradient``: `W_g = Σ_n y[n]_g · im2col(x[n])_gᵀ` (its adjoint in `w`)
///
/// where `W_g` is the `[O/G, (C/G)·kH·kW]` block of rows of `w` for group `g`.
///
/// **Chunks.** The batch is cut into chunks of ``chunkSize(batch:channels:geometry:)``
/// images whose column matrices, laid side by side as one `(C·kH·kW) × (n·Ho·Wo)` matrix,
/// fit in a core's L2 cache; the chunk's grid-side tensor is rearranged from
/// `[n, O, Ho·Wo]` to `[O, n·Ho·Wo]` to match. Each group then needs one GEMM per chunk,
/// wide enough to run at full speed even for small images (a 7 × 7 grid alone gives a
/// 49-column product).
///
/// **Threads.** Chunks are split over ``Parallel`` workers, each running its GEMMs on
/// one thread (``BLAS/withSingleThread(_:)``, `maximumThreads: 1` for ``SwiftGEMM``), so
/// BLAS threads never compete with the workers for the cores. When a call runs on one
/// worker, its GEMMs use the usual threads instead.
///
/// **Determinism.** Chunks and the blocks of the weight gradient depend on the shapes
/// only; the weight gradient sums each block inside the GEMMs' reduction dimension, then
/// adds the blocks' partial sums in block order, so results do not depend on the thread count.
enum ConvolutionKernels {
    /// Upper bound, in floats, on a chunk's column matrix (512 KiB, half of a core's L2
    /// on current x86 cores; the GEMM's packed operands need the rest).
    static let columnBudget = 1 << 17

    /// Multiply–adds per worker below which a call is not split across threads.
    static let parallelWork = 1 << 18

    /// Images per chunk: as many as fit ``columnBudget`` (at least one). Depends on the
    /// shapes only, never on the thread count.
    static func chunkSize(batch: Int, channels: Int, geometry g: ConvolutionGeometry) -> Int {
        let perImage = max(1, channels * g.kernelArea * g.outputArea)
        return max(1, min(batch, columnBudget / perImage))
    }

    /// `output[n] = conv(input[n], weight) + bias`; `input` is `[N, C, H, W]`, `output` is `[N, O, Ho, Wo]`.
    static func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>, batch: Int, channels: Int, outputChannels: Int,
                        groups: Int, geometry g: ConvolutionGeometry) {
        let og = outputChannels / groups
        let rows = channels / groups * g.kernelArea            // reduction length per group
        let imageSize = channels * g.inputArea, gridSize = outputChannels * g.outputArea
        let chunk = chunkSize(batch: batch, channels: channels, geometry: g)
        let x = UncheckedSendable(input), w = UncheckedSendable(weight), b = UncheckedSendable(bias)
        let y = UncheckedSendable(output)
        forEachChunk(batch: batch, chunk: chunk, work: outputChannels * rows * g.outputArea) { range, threads in
            let columns = Scratch(g.isIdentity && chunk == 1 ? 0 : channels * g.kernelArea * chunk * g.outputArea)
            let product = Scratch(chunk == 1 ? 0 : outputChannels * chunk * g.outputArea)
            defer { withExtendedLifetime((columns, product)) {} }
            for start in range {
                let count = min(chunk, batch - start), width = count * g.outputArea
                let out = y.value + start * gridSize
                let matrix = columnMatrix(of: x.value + start * imageSize, count: count, channels: channels,
                                          geometry: g, scratch: columns)
                let target = count == 1 ? out : product.pointer
                for group in 0..<groups {
                    GEMM.multiply(transposeA: false, transposeB: false, m: og, n: width, k: rows, alpha: 1,
                                  a: w.value + group * og * rows, lda: rows,
                                  b: matrix + group * rows * width, ldb: width,
                                  beta: 0, c: target + group * og * width, ldc: width, maximumThreads: threads)
                }
                if count == 1 {
                    if let bias = b.value { addBias(bias, to: out, channels: outputChannels, area: g.outputArea) }
                } else {
                    separate(product.pointer, count: count, channels: outputChannels, area: g.outputArea,
                             bias: b.value, into: out)
                }
            }
        }
    }

    /// `output[n] = convᵀ(input[n], weight) + bias`; `input` is `[N, O, Ho, Wo]` (the grid side),
    /// `output` is `[N, C, H, W]` (the image side).
    static func transposed(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                           output: UnsafeMutablePointer<Float>, batch: Int, channels: Int, outputChannels: Int,
                           groups: Int, geometry g: ConvolutionGeometry) {
        let og = outputChannels / groups
        let rows = channels / groups * g.kernelArea
        let imageSize = channels * g.inputArea, gridSize = outputChannels * g.outputArea
        let chunk = chunkSize(batch: batch, channels: channels, geometry: g)
        let dy = UncheckedSendable(input), w = UncheckedSendable(weight), b = UncheckedSendable(bias)
        let x = UncheckedSendable(output)
        forEachChunk(batch: batch, chunk: chunk, work: outputChannels * rows * g.outputArea) { range, threads in
            let columns = Scratch(g.isIdentity && chunk == 1 ? 0 : channels * g.kernelArea * chunk * g.outputArea)
            let gathered = Scratch(chunk == 1 ? 0 : outputChannels * chunk * g.outputArea)
            defer { withExtendedLifetime((columns, gathered)) {} }
            for start in range {
                let count = min(chunk, batch - start), width = count * g.outputArea
                let images = x.value + start * imageSize
                let grid = sideBySide(dy.value + start * gridSize, count: count, channels: outputChannels,
                                      area: g.outputArea, scratch: gathered)
                let target = g.isIdentity && count == 1 ? images : columns.pointer
                for group in 0..<groups {
                    GEMM.multiply(transposeA: true, transposeB: false, m: rows, n: width, k: og, alpha: 1,
                                  a: w.value + group * og * rows, lda: rows,
                                  b: grid + group * og * width, ldb: width,
                                  beta: 0, c: target + group * rows * width, ldc: width, maximumThreads: threads)
                }
                if !g.isIdentity {
                    addColumns(columns.pointer, count: count, channels: channels, geometry: g, bias: b.value, into: images)
                } else if count == 1 {
                    if let bias = b.value { addBias(bias, to: images, channels: channels, area: g.inputArea) }
                } else {
                    separate(columns.pointer, count: count, channels: channels, area: g.inputArea, bias: b.value,
                             into: images)
                }
            }
        }
    }

    /// `weightGradient = Σ_n outputGradient[n] ⋆ input[n]`, shape `[O, C/G, kH, kW]`; `input` is
    /// `[N, C, H, W]`, `outputGradient` is `[N, O, Ho, Wo]`.
    ///
    /// The batch is cut into at most 16 blocks of whole chunks (fixed by the shapes); a
    /// block's sum runs through the reduction dimension of its GEMMs, chunk after chunk,
    /// and the blocks' partial sums are added in block order, so the result does not
    /// depend on the number of threads.
    static func weightGradient(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                               weightGradient: UnsafeMutablePointer<Float>, batch: Int, channels: Int,
                               outputChannels: Int, groups: Int, geometry g: ConvolutionGeometry) {
        let og = outputChannels / groups
        let rows = channels / groups * g.kernelArea
        let weightSize = outputChannels * rows
        let imageSize = channels * g.inputArea, gridSize = outputChannels * g.outputArea
        guard batch > 0, g.outputArea > 0 else {
            weightGradient.update(repeating: 0, count: weightSize)
            return
        }
        let chunk = chunkSize(batch: batch, channels: channels, geometry: g)
        let chunks = (batch + chunk - 1) / chunk
        let blockSize = chunk * ((chunks + 15) / 16)             // images per block, whole chunks
        let blocks = (batch + blockSize - 1) / blockSize
        let partials = Scratch(blocks > 1 ? (blocks - 1) * weightSize : 0)
        defer { withExtendedLifetime(partials) {} }
        let x = UncheckedSendable(input), dy = UncheckedSendable(outputGradient)
        let dw = UncheckedSendable(weightGradient), p = UncheckedSendable(blocks > 1 ? partials.pointer : weightGradient)
        forEachChunk(batch: batch, chunk: blockSize, work: outputChannels * rows * g.outputArea) { range, threads in
            let columns = Scratch(g.isIdentity && chunk == 1 ? 0 : channels * g.kernelArea * chunk * g.outputArea)
            let gathered = Scratch(chunk == 1 ? 0 : outputChannels * chunk * g.outputArea)
            defer { withExtendedLifetime((columns, gathered)) {} }
            for blockStart in range {
                // Block 0 sums straight into the result, block i > 0 into partial i − 1.
                let block = blockStart / blockSize
                let sum = block == 0 ? dw.value : p.value + (block - 1) * weightSize
                for start in stride(from: blockStart, to: min(batch, blockStart + blockSize), by: chunk) {
                    let count = min(chunk, batch - start), width = count * g.outputArea
                    let matrix = columnMatrix(of: x.value + start * imageSize, count: count, channels: channels,
                                              geometry: g, scratch: columns)
                    let grid = sideBySide(dy.value + start * gridSize, count: count, channels: outputChannels,
                                          area: g.outputArea, scratch: gathered)
                    for group in 0..<groups {
                        GEMM.multiply(transposeA: false, transposeB: true, m: og, n: rows, k: width, alpha: 1,
                                      a: grid + group * og * width, lda: width,
                                      b: matrix + group * rows * width, ldb: width,
                                      beta: start == blockStart ? 0 : 1, c: sum + group * og * rows, ldc: rows,
                                      maximumThreads: threads)
                    }
                }
            }
        }
        for block in 1..<max(blocks, 1) {
            let partial = partials.pointer + (block - 1) * weightSize
            for i in 0..<weightSize { weightGradient[i] += partial[i] }
        }
    }

    // MARK: - Threads

    /// Calls `body(starts, threads)` on consecutive runs of the chunk starts
    /// `0, chunk, 2·chunk, … < batch`, split over workers by ``GEMM/forEachChunk(count:minimumChunk:_:)``
    /// when each gets at least ``parallelWork`` multiply–adds (`work` per image); `threads`
    /// is the thread count for the GEMMs inside `body`.
    private static func forEachChunk(batch: Int, chunk: Int, work: Int,
                                     _ body: (StrideTo<Int>, Int) -> Void) {
        let chunks = (batch + chunk - 1) / chunk
        GEMM.forEachChunk(count: chunks, minimumChunk: max(1, parallelWork / max(1, work * chunk))) { range, threads in
            body(stride(from: range.lowerBound * chunk, to: min(batch, range.upperBound * chunk), by: chunk), threads)
        }
    }

    // MARK: - Layouts

    /// The side-by-side column matrix `(C·kH·kW) × (count·Ho·Wo)` of `count` consecutive
    /// images: written into `scratch`, or the image itself for one image and an identity geometry.
    private static func columnMatrix(of images: UnsafePointer<Float>, count: Int, channels: Int,
                                     geometry g: ConvolutionGeometry, scratch: Scratch) -> UnsafePointer<Float> {
        if g.isIdentity { return sideBySide(images, count: count, channels: channels, area: g.inputArea, scratch: scratch) }
        let width = count * g.outputArea, imageSize = channels * g.inputArea
        for n in 0..<count {
            Im2Col.im2col(image: images + n * imageSize, channels: channels, geometry: g,
                          columns: scratch.pointer + n * g.outputArea, rowStride: width)
        }
        return UnsafePointer(scratch.pointer)
    }

    /// `[count, channels, area]` rearranged to `[channels, count·area]` in `scratch` (or
    /// `source` itself when `count` is 1).
    private static func sideBySide(_ source: UnsafePointer<Float>, count: Int, channels: Int, area: Int,
                                   scratch: Scratch) -> UnsafePointer<Float> {
        if count == 1 { return source }
        let width = count * area
        for n in 0..<count {
            for c in 0..<channels {
                (scratch.pointer + c * width + n * area).update(from: source + (n * channels + c) * area, count: area)
            }
        }
        return UnsafePointer(scratch.pointer)
    }

    /// The inverse of ``sideBySide``: `[channels, count·area]` → `[count, channels, area]`,
    /// adding `bias[c]` to channel `c` when given.
    private static func separate(_ source: UnsafePointer<Float>, count: Int, channels: Int, area: Int,
                                 bias: UnsafePointer<Float>?, into target: UnsafeMutablePointer<Float>) {
        let width = count * area
        for n in 0..<count {
            for c in 0..<channels {
                let row = source + c * width + n * area, plane = target + (n * channels + c) * area
                let v = bias?[c] ?? 0
                for i in 0..<area { plane[i] = row[i] + v }
            }
        }
    }

    /// `images[n] = col2im(columns of image n) + bias` for the side-by-side column matrix
    /// of `count` images.
    private static func addColumns(_ columns: UnsafePointer<Float>, count: Int, channels: Int,
                                   geometry g: ConvolutionGeometry, bias: UnsafePointer<Float>?,
                                   into images: UnsafeMutablePointer<Float>) {
        let width = count * g.outputArea, imageSize = channels * g.inputArea
        for n in 0..<count {
            let image = images + n * imageSize
            for c in 0..<channels {
                let v = bias?[c] ?? 0, plane = image + c * g.inputArea
                for i in 0..<g.inputArea { plane[i] = v }
            }
            Im2Col.col2im(columns: columns + n * g.outputArea, channels: channels, geometry: g, image: image,
                          rowStride: width)
        }
    }

    /// Adds `bias[c]` to every element of channel `c` of one `[channels, area]` image.
    static func addBias(_ bias: UnsafePointer<Float>, to image: UnsafeMutablePointer<Float>, channels: Int, area: Int) {
        for c in 0..<channels {
            let v = bias[c], plane = image + c * area
            for i in 0..<area { plane[i] += v }
        }
    }

    /// A pooled temporary buffer of `count` floats (none when `count` is 0), returned to
    /// the pool when released.
    private struct Scratch {
        let storage: TensorStorage?
        init(_ count: Int) { storage = count > 0 ? TensorStorage(uninitializedCount: count) : nil }
        var pointer: UnsafeMutablePointer<Float> { storage!.pointer }
    }
}
