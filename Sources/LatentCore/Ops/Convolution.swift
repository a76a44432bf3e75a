/// Convolutions (PyTorch's `conv2d` / `conv1d`): cross-correlation of a batch of images
/// with a bank of filters, with stride, zero padding, dilation and groups.
///
/// For input `x` of shape `[N, C, H, W]` and weight `w` of shape `[O, C/G, kH, kW]`
/// (`G` = `groups`; output channel `o` sees the input channels of its group
/// `⌊o / (O/G)⌋`),
///
///     y[n, o, i, j] = b[o] + Σ_{c, a, b'} w[o, c, a, b'] · x[n, g·C/G + c, i·sH − pH + a·dH, j·sW − pW + b'·dW]
///
/// with zeros outside the image, and `Ho = ⌊(H + 2pH − dH(kH − 1) − 1) / sH⌋ + 1` (likewise `Wo`).
///
/// Gradients (each itself differentiable, so second derivatives work):
/// `∂/∂x = convTranspose2d(g, w)` (with the output padding that restores `H, W`),
/// `∂/∂w = conv2dWeightGradient(x, g)`, `∂/∂b = Σ_{n,i,j} g`.
///
/// - Parameters:
///   - input: `[N, C, H, W]`.
///   - weight: `[O, C/groups, kH, kW]`.
///   - bias: optional `[O]`.
///   - stride: step between windows `(sH, sW)`.
///   - padding: zeros added on each side `(pH, pW)`.
///   - dilation: spacing between kernel taps `(dH, dW)`.
///   - groups: number of channel groups; `C` and `O` must be divisible by it.
/// - Returns: `[N, O, Ho, Wo]`.
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                   padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor {
    let shape = checkShapes { () throws(ShapeError) in
        try conv2dOutputShape(input: input.shape, weight: weight.shape, bias: bias?.shape, stride: stride,
                              padding: padding, dilation: dilation, groups: groups)
    }
    let geometry = ConvolutionGeometry(input: (input.shape[2], input.shape[3]), output: (shape[2], shape[3]),
                                       kernel: (weight.shape[2], weight.shape[3]), stride: stride,
                                       padding: padding, dilation: dilation)
    return Tensor.convolution(input, weight, bias: bias, geometry: geometry, groups: groups)
}

/// ``conv2d(_:weight:bias:stride:padding:dilation:groups:)`` with the same stride,
/// padding and dilation along both axes.
@_disfavoredOverload
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                   dilation: Int = 1, groups: Int = 1) -> Tensor {
    conv2d(input, weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding),
           dilation: (dilation, dilation), groups: groups)
}

/// 1-D convolution (PyTorch's `conv1d`) of `[N, C, L]` with a weight `[O, C/groups, k]`,
/// giving `[N, O, Lo]`, `Lo = ⌊(L + 2p − d(k − 1) − 1) / s⌋ + 1`.
///
/// Computed as ``conv2d(_:weight:bias:stride:padding:dilation:groups:)`` on `[N, C, 1, L]`,
/// so it has the same gradients.
///
/// - Parameters:
///   - input: `[N, C, L]`.
///   - weight: `[O, C/groups, k]`.
///   - bias: optional `[O]`.
///   - stride, padding, dilation: as for conv2d, along the one axis.
///   - groups: number of channel groups.
public func conv1d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                   dilation: Int = 1, groups: Int = 1) -> Tensor {
    let shape = checkShapes { () throws(ShapeError) in
        try conv1dOutputShape(input: input.shape, weight: weight.shape, bias: bias?.shape, stride: stride,
                              padding: padding, dilation: dilation, groups: groups)
    }
    let geometry = ConvolutionGeometry(input: (1, input.shape[2]), output: (1, shape[2]), kernel: (1, weight.shape[2]),
                                       stride: (1, stride), padding: (0, padding), dilation: (1, dilation))
    let x = input.reshaped(to: [input.shape[0], input.shape[1], 1, input.shape[2]])
    let w = weight.reshaped(to: [weight.shape[0], weight.shape[1], 1, weight.shape[2]])
    return Tensor.convolution(x, w, bias: bias, geometry: geometry, groups: groups).reshaped(to: shape)
}

extension Tensor {
    /// The recorded convolution primitive over an explicit geometry (input side `[N, C, H, W]`,
    /// window grid `[N, O, Ho, Wo]`); shapes are already validated.
    static func convolution(_ input: Tensor, _ weight: Tensor, bias: Tensor?, geometry: ConvolutionGeometry,
                            groups: Int) -> Tensor {
        let (batch, channels, outputChannels) = (input.shape[0], input.shape[1], weight.shape[0])
        let out = Tensor(shape: [batch, outputChannels, geometry.outputHeight, geometry.outputWidth]) { y, _ in
            ConvolutionKernels.forward(input: input.storage.pointer, weight: weight.storage.pointer,
                                       bias: bias.map { UnsafePointer($0.storage.pointer) }, output: y, batch: batch,
                                       channels: channels, outputChannels: outputChannels, groups: groups,
                                       geometry: geometry)
        }
        let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
        return record("conv2d", inputs: inputs, output: out) { ctx in
            let (x, w, g) = (ctx.inputs[0], ctx.inputs[1], ctx.gradient)
            var gradients: [Tensor?] = [
                ctx.needsGradient(0) ? transposedConvolution(g, w, bias: nil, geometry: geometry, groups: groups) : nil,
                ctx.needsGradient(1) ? convolutionWeightGradient(x, g, geometry: geometry, groups: groups) : nil,
            ]
            if ctx.inputs.count == 3 { gradients.append(ctx.needsGradient(2) ? g.sum(alongAxes: [0, 2, 3]) : nil) }
            return gradients
        }
    }
}
