/// 2-D pooling over `[N, C, H, W]` tensors (PyTorch's `max_pool2d`, `avg_pool2d`,
/// `adaptive_avg_pool2d`, with `ceil_mode = false`).

/// Validates a 2-D pooling window over `input` and returns the output shape
/// `[N, C, Ho, Wo]`, `Ho = ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1`. As in PyTorch, padding may be
/// at most half the kernel size.
///
/// - Parameter op: the op to name in the message, e.g. `"maxPool2d"`.
public func pool2dOutputShape(op: String, input: [Int], kernelSize: (Int, Int), stride: (Int, Int),
                              padding: (Int, Int), dilation: (Int, Int) = (1, 1)) throws(ShapeError) -> [Int] {
    let kernel = [kernelSize.0, kernelSize.1], strides = [stride.0, stride.1]
    let pads = [padding.0, padding.1], dilations = [dilation.0, dilation.1]
    let describe = ConvolutionShapes.describe
    guard input.count == 4 else {
        throw ShapeError(op: op, "expects a 4-D input [N, C, H, W], got shape \(shapeString(input))")
    }
    guard kernel.allSatisfy({ $0 >= 1 }) else { throw ShapeError(op: op, "kernel size must be positive, got \(describe(kernel))") }
    guard strides.allSatisfy({ $0 >= 1 }) else { throw ShapeError(op: op, "stride must be positive, got \(describe(strides))") }
    guard dilations.allSatisfy({ $0 >= 1 }) else {
        throw ShapeError(op: op, "dilation must be positive, got \(describe(dilations))")
    }
    guard pads.allSatisfy({ $0 >= 0 }), pads[0] <= kernel[0] / 2, pads[1] <= kernel[1] / 2 else {
        throw ShapeError(op: op, "padding \(describe(pads)) must be non-negative and at most half the kernel size \(describe(kernel))")
    }
    let size = (0..<2).map { d in
        ConvolutionGeometry.outputSize(input: input[d + 2], kernel: kernel[d], stride: strides[d],
                                       padding: pads[d], dilation: dilations[d])
    }
    guard size.allSatisfy({ $0 >= 1 }) else {
        throw ShapeError(op: op, "output size \(describe(size)) is not positive for input shape \(shapeString(input)), "
                         + "kernel size \(describe(kernel)), stride \(describe(strides)), padding \(describe(pads)), "
                         + "dilation \(describe(dilations))")
    }
    return [input[0], input[1]] + size
}

extension Tensor {
    /// Max pooling: the largest element of each (dilated) window of each channel.
    ///
    ///     y[n, c, i, j] = max_{a, b} x[n, c, i·sH − pH + a·dH, j·sW − pW + b·dW]
    ///
    /// with padding acting as −∞. The gradient flows to the first maximal element of each
    /// window (a recorded scatter, whose own gradient is a gather at the same positions,
    /// so second derivatives work).
    ///
    /// - Parameters:
    ///   - kernelSize: window size `(kH, kW)`.
    ///   - stride: step between windows; defaults to `kernelSize`.
    ///   - padding: implicit −∞ border, at most half the kernel size.
    ///   - dilation: spacing between window elements.
    /// - Returns: `[N, C, Ho, Wo]`.
    public func maxPool2d(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          dilation: (Int, Int) = (1, 1)) -> Tensor {
        let stride = stride ?? kernelSize
        let outShape = checkShapes { () throws(ShapeError) in
            try pool2dOutputShape(op: "maxPool2d", input: shape, kernelSize: kernelSize, stride: stride,
                                  padding: padding, dilation: dilation)
        }
        let geometry = ConvolutionGeometry(input: (shape[2], shape[3]), output: (outShape[2], outShape[3]),
                                           kernel: kernelSize, stride: stride, padding: padding, dilation: dilation)
        var positions = [Int32](repeating: 0, count: Shape.count(outShape))
        let out = Tensor(shape: outShape) { y, _ in
            positions.withUnsafeMutableBufferPointer { at in
                guard let at = at.baseAddress else { return }
                PoolingKernels.maxPool(input: storage.pointer, output: y, indices: at,
                                       planes: shape[0] * shape[1], geometry: geometry)
            }
        }
        let indices = IndexTensor(shape: outShape, scalars: positions)
        return Tensor.record("maxPool2d", inputs: [self], output: out) { [shape] ctx in
            [ctx.gradient.scatteringWithinPlanes(at: indices, planeShape: shape)]
        }
    }

    /// ``maxPool2d(kernelSize:stride:padding:dilation:)`` with a square window.
    public func maxPool2d(kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1) -> Tensor {
        maxPool2d(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding),
                  dilation: (dilation, dilation))
    }

    /// Average pooling: the mean of each window of each channel.
    ///
    ///     y[n, c, i, j] = (1 / count) · Σ_{a, b} x[n, c, i·sH − pH + a, j·sW − pW + b]
    ///
    /// where padding contributes zeros and `count` is `kH·kW` when `countIncludePad`, else
    /// the number of window elements inside the image. Computed as a depthwise
    /// ``conv2d(_:weight:bias:stride:padding:dilation:groups:)`` with a constant kernel,
    /// which gives it gradients of any order.
    ///
    /// - Parameters:
    ///   - kernelSize: window size `(kH, kW)`.
    ///   - stride: step between windows; defaults to `kernelSize`.
    ///   - padding: zero border, at most half the kernel size.
    ///   - countIncludePad: whether padded zeros count in the divisor.
    /// - Returns: `[N, C, Ho, Wo]`.
    public func avgPool2d(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          countIncludePad: Bool = true) -> Tensor {
        let stride = stride ?? kernelSize
        let outShape = checkShapes { () throws(ShapeError) in
            try pool2dOutputShape(op: "avgPool2d", input: shape, kernelSize: kernelSize, stride: stride,
                                  padding: padding)
        }
        let channels = shape[1]
        // Without padding every window holds kH·kW pixels, so the divisor is uniform.
        let uniform = countIncludePad || padding == (0, 0)
        let kernel = Tensor(repeating: uniform ? 1 / Float(kernelSize.0 * kernelSize.1) : 1,
                            shape: [channels, 1, kernelSize.0, kernelSize.1])
        let sums = conv2d(self, weight: kernel, stride: stride, padding: padding, groups: channels)
        if uniform { return sums }
        let (height, width) = (shape[2], shape[3])
        func counts(_ outputs: Int, _ size: Int, _ kernel: Int, _ stride: Int, _ padding: Int) -> [Int] {
            (0..<outputs).map { i in
                let start = i * stride - padding
                return min(start + kernel, size) - max(start, 0)
            }
        }
        let rows = counts(outShape[2], height, kernelSize.0, stride.0, padding.0)
        let columns = counts(outShape[3], width, kernelSize.1, stride.1, padding.1)
        let divisor = Tensor(shape: [outShape[2], outShape[3]], scalars: rows.flatMap { r in columns.map { Float(r * $0) } })
        return sums / divisor
    }

    /// ``avgPool2d(kernelSize:stride:padding:countIncludePad:)`` with a square window.
    public func avgPool2d(kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true) -> Tensor {
        avgPool2d(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding),
                  countIncludePad: countIncludePad)
    }

    /// Adaptive average pooling to a fixed output size (PyTorch's `adaptive_avg_pool2d`):
    /// output cell `(i, j)` averages rows `⌊iH/Ho⌋ ..< ⌈(i+1)H/Ho⌉` and the columns defined
    /// likewise. `outputSize: (1, 1)` is global average pooling.
    ///
    /// Computed as `A_H · x · A_Wᵀ` with constant averaging matrices (or a mean over
    /// `H, W` for `(1, 1)`), so it has gradients of any order.
    ///
    /// - Parameter outputSize: `(Ho, Wo)`, each at least 1.
    /// - Returns: `[N, C, Ho, Wo]`.
    public func adaptiveAvgPool2d(outputSize: (Int, Int)) -> Tensor {
        let shape = self.shape
        checkShapes { () throws(ShapeError) in
            guard shape.count == 4 else {
                throw ShapeError(op: "adaptiveAvgPool2d", "expects a 4-D input [N, C, H, W], got shape \(shapeString(shape))")
            }
            guard outputSize.0 >= 1, outputSize.1 >= 1 else {
                throw ShapeError(op: "adaptiveAvgPool2d", "output size (\(outputSize.0), \(outputSize.1)) must be positive")
            }
        }
        if outputSize == (1, 1) { return mean(alongAxes: [2, 3], keepDims: true) }
        if outputSize == (shape[2], shape[3]) { return self }
        // averaging[i, h] = 1/len(window i) for h in window i.
        func averaging(_ outputs: Int, _ size: Int) -> Tensor {
            var m = [Float](repeating: 0, count: outputs * size)
            for i in 0..<outputs {
                let start = i * size / outputs, end = ((i + 1) * size + outputs - 1) / outputs
                for h in start..<end { m[i * size + h] = 1 / Float(end - start) }
            }
            return Tensor(shape: [outputs, size], scalars: m)
        }
        let rows = averaging(outputSize.0, shape[2])
        let columns = averaging(outputSize.1, shape[3]).transposed()
        return LatentCore.matmul(LatentCore.matmul(rows, self), columns)
    }

    /// ``adaptiveAvgPool2d(outputSize:)`` with a square output.
    public func adaptiveAvgPool2d(outputSize: Int) -> Tensor {
        adaptiveAvgPool2d(outputSize: (outputSize, outputSize))
    }

    /// Gathers within each `[H, W]` plane: `y[n, c, k] = x[n, c, indices[n, c, k]]` (flat
    /// in-plane positions; −1 gives 0). Its gradient is
    /// ``scatteringWithinPlanes(at:planeShape:)`` at the same indices.
    func gatheringWithinPlanes(at indices: IndexTensor) -> Tensor {
        let planes = shape[0] * shape[1], area = shape[2] * shape[3]
        let out = Tensor(shape: indices.shape) { y, count in
            indices.scalars.withUnsafeBufferPointer { at in
                guard let at = at.baseAddress else { return }
                PoolingKernels.gather(input: storage.pointer, indices: at, output: y, planes: planes,
                                      inputArea: area, outputArea: count / max(planes, 1))
            }
        }
        return Tensor.record("gatherWithinPlanes", inputs: [self], output: out) { [shape] ctx in
            [ctx.gradient.scatteringWithinPlanes(at: indices, planeShape: shape)]
        }
    }

    /// Scatter-adds within each plane into a zero tensor of `planeShape` `[N, C, H, W]`:
    /// `y[n, c, indices[n, c, k]] += x[n, c, k]`. Its gradient is
    /// ``gatheringWithinPlanes(at:)`` at the same indices.
    func scatteringWithinPlanes(at indices: IndexTensor, planeShape: [Int]) -> Tensor {
        let planes = planeShape[0] * planeShape[1], area = planeShape[2] * planeShape[3]
        let gridArea = scalarCount / max(planes, 1)
        let out = Tensor(shape: planeShape) { y, _ in
            indices.scalars.withUnsafeBufferPointer { at in
                guard let at = at.baseAddress else {
                    y.update(repeating: 0, count: Shape.count(planeShape))
                    return
                }
                PoolingKernels.scatterAdd(input: storage.pointer, indices: at, output: y, planes: planes,
                                          inputArea: gridArea, outputArea: area)
            }
        }
        return Tensor.record("scatterWithinPlanes", inputs: [self], output: out) { ctx in
            [ctx.gradient.gatheringWithinPlanes(at: indices)]
        }
    }
}
