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
/// Work is split over the batch with ``Parallel/forEachChunk(count:minimumChunk:_:)``.
enum ConvolutionKernels {
    /// Batch entries per chunk so that a chunk does at least ~64k multiply–adds.
    static func minimumChunk(_ g: ConvolutionGeometry, channels: Int, outputChannels: Int, groups: Int) -> Int {
        let work = outputChannels * (channels / groups) * g.kernelArea * g.outputArea
        return max(1, 65_536 / max(work, 1))
    }

    /// `output[n] = conv(input[n], weight) + bias`; `input` is `[N, C, H, W]`, `output` is `[N, O, Ho, Wo]`.
    static func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>, batch: Int, channels: Int, outputChannels: Int,
                        groups: Int, geometry g: ConvolutionGeometry) {
        let cg = channels / groups, og = outputChannels / groups
        let rows = cg * g.kernelArea                       // reduction length per group
        let imageSize = channels * g.inputArea, outSize = outputChannels * g.outputArea
        let identity = g.isIdentity
        let x = UncheckedSendable(input), w = UncheckedSendable(weight)
        let b = UncheckedSendable(bias), y = UncheckedSendable(output)
        Parallel.forEachChunk(count: batch, minimumChunk: minimumChunk(g, channels: channels,
                                                                      outputChannels: outputChannels, groups: groups)) { range in
            let buffer = identity ? nil : UnsafeMutablePointer<Float>.allocate(capacity: channels * g.kernelArea * g.outputArea)
            defer { buffer?.deallocate() }
            for n in range {
                let image = x.value + n * imageSize
                let columns: UnsafePointer<Float>
                if let buffer {
                    Im2Col.im2col(image: image, channels: channels, geometry: g, columns: buffer)
                    columns = UnsafePointer(buffer)
                } else {
                    columns = image
                }
                let out = y.value + n * outSize
                for group in 0..<groups {
                    GEMM.multiply(transposeA: false, transposeB: false, m: og, n: g.outputArea, k: rows, alpha: 1,
                                  a: w.value + group * og * rows, lda: rows,
                                  b: columns + group * rows * g.outputArea, ldb: g.outputArea,
                                  beta: 0, c: out + group * og * g.outputArea, ldc: g.outputArea)
                }
                if let bias = b.value { addBias(bias, to: out, channels: outputChannels, area: g.outputArea) }
            }
        }
    }

    /// `output[n] = convᵀ(input[n], weight) + bias`; `input` is `[N, O, Ho, Wo]` (the grid side),
    /// `output` is `[N, C, H, W]` (the image side).
    static func transposed(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                           output: UnsafeMutablePointer<Float>, batch: Int, channels: Int, outputChannels: Int,
                           groups: Int, geometry g: ConvolutionGeometry) {
        let cg = channels / groups, og = outputChannels / groups
        let rows = cg * g.kernelArea
        let imageSize = channels * g.inputArea, gridSize = outputChannels * g.outputArea
        let identity = g.isIdentity
        let x = UncheckedSendable(input), w = UncheckedSendable(weight)
        let b = UncheckedSendable(bias), y = UncheckedSendable(output)
        Parallel.forEachChunk(count: batch, minimumChunk: minimumChunk(g, channels: channels,
                                                                      outputChannels: outputChannels, groups: groups)) { range in
            let buffer = identity ? nil : UnsafeMutablePointer<Float>.allocate(capacity: channels * g.kernelArea * g.outputArea)
            defer { buffer?.deallocate() }
            for n in range {
                let grid = x.value + n * gridSize
                let image = y.value + n * imageSize
                let columns = buffer ?? image
                for group in 0..<groups {
                    GEMM.multiply(transposeA: true, transposeB: false, m: rows, n: g.outputArea, k: og, alpha: 1,
                                  a: w.value + group * og * rows, lda: rows,
                                  b: grid + group * og * g.outputArea, ldb: g.outputArea,
                                  beta: 0, c: columns + group * rows * g.outputArea, ldc: g.outputArea)
                }
                if let buffer {
                    image.update(repeating: 0, count: imageSize)
                    Im2Col.col2im(columns: buffer, channels: channels, geometry: g, image: image)
                }
                if let bias = b.value { addBias(bias, to: image, channels: channels, area: g.inputArea) }
            }
        }
    }

    /// `weightGradient = Σ_n outputGradient[n] ⋆ input[n]`, shape `[O, C/G, kH, kW]`; `input` is
    /// `[N, C, H, W]`, `outputGradient` is `[N, O, Ho, Wo]`.
    ///
    /// The batch is cut into blocks (fixed by the batch size) whose partial sums are added
    /// in block order, so the result does not depend on the number of threads.
    static func weightGradient(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                               weightGradient: UnsafeMutablePointer<Float>, batch: Int, channels: Int,
                               outputChannels: Int, groups: Int, geometry g: ConvolutionGeometry) {
        let cg = channels / groups, og = outputChannels / groups
        let rows = cg * g.kernelArea
        let weightSize = outputChannels * rows
        let imageSize = channels * g.inputArea, gridSize = outputChannels * g.outputArea
        let identity = g.isIdentity
        // At most 16 blocks of at least 4 images: the split depends on the batch size only.
        let blockSize = max(4, (batch + 15) / 16)
        let blocks = (batch + blockSize - 1) / blockSize
        weightGradient.update(repeating: 0, count: weightSize)
        guard blocks > 0 else { return }
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: blocks * weightSize)
        defer { partials.deallocate() }
        let x = UncheckedSendable(input), dy = UncheckedSendable(outputGradient), p = UncheckedSendable(partials)
        let chunk = max(1, minimumChunk(g, channels: channels, outputChannels: outputChannels, groups: groups) / blockSize)
        Parallel.forEachChunk(count: blocks, minimumChunk: chunk) { range in
            let buffer = identity ? nil : UnsafeMutablePointer<Float>.allocate(capacity: channels * g.kernelArea * g.outputArea)
            defer { buffer?.deallocate() }
            for block in range {
                let partial = p.value + block * weightSize
                partial.update(repeating: 0, count: weightSize)
                for n in (block * blockSize)..<min(batch, (block + 1) * blockSize) {
                    let image = x.value + n * imageSize
                    let columns: UnsafePointer<Float>
                    if let buffer {
                        Im2Col.im2col(image: image, channels: channels, geometry: g, columns: buffer)
                        columns = UnsafePointer(buffer)
                    } else {
                        columns = image
                    }
                    let grid = dy.value + n * gridSize
                    for group in 0..<groups {
                        GEMM.multiply(transposeA: false, transposeB: true, m: og, n: rows, k: g.outputArea, alpha: 1,
                                      a: grid + group * og * g.outputArea, lda: g.outputArea,
                                      b: columns + group * rows * g.outputArea, ldb: g.outputArea,
                                      beta: 1, c: partial + group * og * rows, ldc: rows)
                    }
                }
            }
        }
        for block in 0..<blocks {
            let partial = partials + block * weightSize
            for i in 0..<weightSize { weightGradient[i] += partial[i] }
        }
    }

    /// Adds `bias[c]` to every element of channel `c` of one `[channels, area]` image.
    static func addBias(_ bias: UnsafePointer<Float>, to image: UnsafeMutablePointer<Float>, channels: Int, area: Int) {
        for c in 0..<channels {
            let v = bias[c], plane = image + c * area
            for i in 0..<area { plane[i] += v }
        }
    }
}
