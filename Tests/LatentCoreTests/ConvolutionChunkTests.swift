import LatentCore
import LatentTestSupport
import Testing

/// The chunked convolution kernels (several images per GEMM, chunks split over threads)
/// and the unit-stride im2col / col2im, against per-image results and direct loops.
@Suite struct ConvolutionChunkTests {
    static func tensor(_ shape: [Int], _ salt: Int) -> Tensor {
        Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { Float(($0 * 7 + salt) % 23) / 11 - 1 })
    }

    static func image(_ t: Tensor, _ n: Int) -> Tensor {
        let size = t.scalarCount / t.shape[0]
        return Tensor(shape: [1] + t.shape.dropFirst(), scalars: Array(t.scalars[(n * size)..<((n + 1) * size)]))
    }

    /// Batches of several chunks (16 channels of 12 × 12 give chunks of a few images),
    /// large enough to be split over threads: each image matches its single-image result
    /// (a one-image chunk, one GEMM per image), and the weight gradient the sum of the
    /// per-image gradients.
    @Test(arguments: [(1, 1), (2, 1), (2, 2), (1, 2)])
    func chunkedBatchesMatchPerImage(groups: Int, stride: Int) {
        let (batch, channels) = (21, 16)
        let x = Self.tensor([batch, channels, 12, 12], 1), w = Self.tensor([channels, channels / groups, 3, 3], 5)
        let b = Self.tensor([channels], 3)
        let options = (stride: (stride, stride), padding: (1, 1))
        let y = conv2d(x, weight: w, bias: b, stride: options.stride, padding: options.padding, groups: groups)
        let t = convTranspose2d(y, weight: w, bias: b, stride: options.stride, padding: options.padding,
                                outputPadding: (stride - 1, stride - 1), groups: groups)
        let dw = conv2dWeightGradient(input: x, outputGradient: y, weightShape: w.shape, stride: options.stride,
                                      padding: options.padding, groups: groups)
        var sum = Tensor.zeros(w.shape)
        for n in 0..<batch {
            let xn = Self.image(x, n)
            let yn = conv2d(xn, weight: w, bias: b, stride: options.stride, padding: options.padding, groups: groups)
            expectClose(Self.image(y, n), yn, relative: 1e-5, absolute: 1e-5)
            expectClose(Self.image(t, n), convTranspose2d(yn, weight: w, bias: b, stride: options.stride,
                                                          padding: options.padding,
                                                          outputPadding: (stride - 1, stride - 1), groups: groups),
                        relative: 1e-5, absolute: 1e-5)
            sum = sum + conv2dWeightGradient(input: xn, outputGradient: yn, weightShape: w.shape, stride: options.stride,
                                             padding: options.padding, groups: groups)
        }
        expectClose(dw, sum, relative: 1e-4, absolute: 1e-3)
    }

    /// 1 × 1 convolutions (the column matrix is the image) in chunks, against a matrix product per image.
    @Test func pointwiseConvolutionIsAChannelProduct() {
        let (batch, channels, outputs) = (40, 24, 8)
        let x = Self.tensor([batch, channels, 9, 9], 2), w = Self.tensor([outputs, channels, 1, 1], 4)
        let y = conv2d(x, weight: w)
        let reference = matmul(w.reshaped(to: [outputs, channels]), x.reshaped(to: [batch, channels, 81]))
        expectClose(y, reference.reshaped(to: y.shape), relative: 1e-5, absolute: 1e-5)
        let g = Self.tensor(y.shape, 6)
        expectClose(convTranspose2d(g, weight: w),
                    matmul(w.reshaped(to: [outputs, channels]), g.reshaped(to: [batch, outputs, 81]), transposeA: true)
                        .reshaped(to: x.shape), relative: 1e-5, absolute: 1e-5)
        expectClose(conv2dWeightGradient(input: x, outputGradient: g, weightShape: w.shape),
                    matmul(g.reshaped(to: [batch, outputs, 81]), x.reshaped(to: [batch, channels, 81]), transposeB: true)
                        .sum(alongAxes: [0]).reshaped(to: w.shape), relative: 1e-4, absolute: 1e-4)
    }

    /// im2col against its definition, and col2im against im2col by the adjoint identity
    /// ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩, for unit-stride geometries (padded-plane path, or
    /// the image itself without padding) and one too large for the padded plane.
    @Test(arguments: [
        ConvolutionGeometry(input: (7, 9), kernel: (3, 3), padding: (1, 1)),
        ConvolutionGeometry(input: (7, 9), kernel: (3, 2), padding: (2, 0), dilation: (2, 1)),
        ConvolutionGeometry(input: (8, 8), kernel: (3, 3)),
        ConvolutionGeometry(input: (6, 20), output: (4, 11), kernel: (3, 3), padding: (1, 1)),
        ConvolutionGeometry(input: (140, 130), kernel: (3, 3), padding: (1, 1)),
    ])
    func unitStrideIm2colMatchesDefinition(_ g: ConvolutionGeometry) {
        let channels = 2, rowStride = g.outputArea + 3
        let image = (0..<(channels * g.inputArea)).map { Float(($0 * 5) % 13) / 6 - 1 }
        var columns = [Float](repeating: .nan, count: channels * g.kernelArea * rowStride)
        image.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { c in
                Im2Col.im2col(image: x.baseAddress!, channels: channels, geometry: g, columns: c.baseAddress!, rowStride: rowStride)
            }
        }
        var mismatches = 0
        for c in 0..<channels {
            for a in 0..<g.kernelHeight {
                for b in 0..<g.kernelWidth {
                    for i in 0..<g.outputHeight {
                        for j in 0..<g.outputWidth {
                            let r = i * g.strideHeight - g.paddingHeight + a * g.dilationHeight
                            let s = j * g.strideWidth - g.paddingWidth + b * g.dilationWidth
                            let expected = r >= 0 && r < g.inputHeight && s >= 0 && s < g.inputWidth
                                ? image[(c * g.inputHeight + r) * g.inputWidth + s] : 0
                            let row = (c * g.kernelHeight + a) * g.kernelWidth + b
                            if columns[row * rowStride + i * g.outputWidth + j] != expected { mismatches += 1 }
                        }
                    }
                }
            }
        }
        #expect(mismatches == 0)
        let probe = (0..<columns.count).map { Float(($0 * 3) % 17) / 8 - 1 }
        var back = [Float](repeating: 0, count: image.count)
        probe.withUnsafeBufferPointer { c in
            back.withUnsafeMutableBufferPointer { x in
                Im2Col.col2im(columns: c.baseAddress!, channels: channels, geometry: g, image: x.baseAddress!, rowStride: rowStride)
            }
        }
        var lhs = 0.0
        for row in 0..<(channels * g.kernelArea) {
            for k in 0..<g.outputArea { lhs += Double(columns[row * rowStride + k]) * Double(probe[row * rowStride + k]) }
        }
        let rhs = zip(image, back).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(lhs - rhs) < 1e-3 * max(1, abs(lhs)))
    }
}
