/// Kernels for max pooling: the window maximum with its position, and the gather /
/// scatter-add pair that moves values between window positions and the pixels they
/// came from. All work plane by plane (one `[H, W]` image channel), in parallel.
enum PoolingKernels {
    /// Planes per chunk so that a chunk touches at least ~16k elements.
    static func minimumChunk(area: Int) -> Int { max(1, 16_384 / max(area, 1)) }

    /// `output[p, i, j] = max over window (i, j) of input[p]`, skipping pixels outside the
    /// image (padding acts as −∞); `indices` gets the flat in-plane position `h·W + w` of
    /// the first maximum (a NaN wins, as in PyTorch), or −1 for a window with no pixel.
    static func maxPool(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                        indices: UnsafeMutablePointer<Int32>, planes: Int, geometry g: ConvolutionGeometry) {
        let x = UncheckedSendable(input), y = UncheckedSendable(output), index = UncheckedSendable(indices)
        Parallel.forEachChunk(count: planes, minimumChunk: minimumChunk(area: g.inputArea * g.kernelArea)) { range in
            for plane in range {
                let source = x.value + plane * g.inputArea
                let out = y.value + plane * g.outputArea, at = index.value + plane * g.outputArea
                for i in 0..<g.outputHeight {
                    let rows = i * g.strideHeight - g.paddingHeight
                    for j in 0..<g.outputWidth {
                        let columns = j * g.strideWidth - g.paddingWidth
                        var best = -Float.infinity, position = -1
                        for a in 0..<g.kernelHeight {
                            let h = rows + a * g.dilationHeight
                            guard h >= 0 && h < g.inputHeight else { continue }
                            for b in 0..<g.kernelWidth {
                                let w = columns + b * g.dilationWidth
                                guard w >= 0 && w < g.inputWidth else { continue }
                                let v = source[h * g.inputWidth + w]
                                if position < 0 || v > best || v.isNaN {
                                    best = v
                                    position = h * g.inputWidth + w
                                }
                            }
                        }
                        out[i * g.outputWidth + j] = best
                        at[i * g.outputWidth + j] = Int32(position)
                    }
                }
            }
        }
    }

    /// `output[p, k] = input[p, indices[p, k]]` (0 where the index is −1).
    static func gather(input: UnsafePointer<Float>, indices: UnsafePointer<Int32>, output: UnsafeMutablePointer<Float>,
                       planes: Int, inputArea: Int, outputArea: Int) {
        let x = UncheckedSendable(input), y = UncheckedSendable(output), index = UncheckedSendable(indices)
        Parallel.forEachChunk(count: planes, minimumChunk: minimumChunk(area: outputArea)) { range in
            for plane in range {
                let source = x.value + plane * inputArea
                let out = y.value + plane * outputArea, at = index.value + plane * outputArea
                for k in 0..<outputArea {
                    let i = Int(at[k])
                    out[k] = i >= 0 ? source[i] : 0
                }
            }
        }
    }

    /// `output[p] = 0`, then `output[p, indices[p, k]] += input[p, k]` (the transpose of
    /// ``gather(input:indices:output:planes:inputArea:outputArea:)``).
    static func scatterAdd(input: UnsafePointer<Float>, indices: UnsafePointer<Int32>, output: UnsafeMutablePointer<Float>,
                           planes: Int, inputArea: Int, outputArea: Int) {
        let x = UncheckedSendable(input), y = UncheckedSendable(output), index = UncheckedSendable(indices)
        Parallel.forEachChunk(count: planes, minimumChunk: minimumChunk(area: outputArea)) { range in
            for plane in range {
                let source = x.value + plane * inputArea
                let out = y.value + plane * outputArea, at = index.value + plane * inputArea
                out.update(repeating: 0, count: outputArea)
                for k in 0..<inputArea {
                    let i = Int(at[k])
                    if i >= 0 { out[i] += source[k] }
                }
            }
        }
    }
}
