/// Transposed convolutions (PyTorch's `conv_transpose2d` / `conv_transpose1d`), the
/// adjoint of a convolution in its input: each input pixel scatters a weighted copy of
/// its filter into the output.
///
/// For input `x` of shape `[N, Cin, H, W]` and weight `w` of shape `[Cin, Cout/G, kH, kW]`
/// (`G` = `groups`),
///
///     y[n, g·Cout/G + c, i·sH − pH + a·dH, j·sW − pW + b'·dW] += x[n, k, i, j] · w[k, c, a, b']
///
/// summed over input channels `k` of group `g`, plus `bias[c]`, where
/// `Ho = (H − 1)·sH − 2pH + dH·(kH − 1) + opH + 1` (likewise `Wo`) and the output padding
/// `op` (smaller than the stride or the dilation) adds rows and columns at the end that no
/// window reaches. `convTranspose2d(·, w)` is the gradient of `conv2d(·, w)` with respect
/// to its input.
///
/// Gradients (each itself differentiable): `∂/∂x = conv2d(g, w)` (cropped to `H, W`),
/// `∂/∂w = conv2dWeightGradient(g, x)` (the output gradient takes the role of conv2d's
/// input), `∂/∂b = Σ_{n,i,j} g`.
///
/// - Parameters:
///   - input: `[N, Cin, H, W]`.
///   - weight: `[Cin, Cout/groups, kH, kW]`.
///   - bias: optional `[Cout]`.
///   - stride, padding, dilation: those of the convolution this is the transpose of.
///   - outputPadding: extra size added at the end of each output axis.
///   - groups: number of channel groups; `Cin` must be divisible by it.
/// - Returns: `[N, Cout, Ho, Wo]`.
public func convTranspose2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                            padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0),
                            dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor {
    let shape = checkShapes { () throws(ShapeError) in
        try convTranspose2dOutputShape(input: input.shape, weight: weight.shape, bias: bias?.shape, stride: stride,
                                       padding: padding, outputPadding: outputPadding, dilation: dilation,
                                       groups: groups)
    }
    let geometry = ConvolutionGeometry(input: (shape[2], shape[3]), output: (input.shape[2], input.shape[3]),
                                       kernel: (weight.shape[2], weight.shape[3]), stride: stride,
                                       padding: padding, dilation: dilation)
    return Tensor.transposedConvolution(input, weight, bias: bias, geometry: geometry, groups: groups)
}

/// ``convTranspose2d(_:weight:bias:stride:padding:outputPadding:dilation:groups:)`` with
/// the same options along both axes.
@_disfavoredOverload
public func convTranspose2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                            outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1) -> Tensor {
    convTranspose2d(input, weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding),
                    outputPadding: (outputPadding, outputPadding), dilation: (dilation, dilation), groups: groups)
}

/// 1-D transposed convolution (PyTorch's `conv_transpose1d`) of `[N, Cin, L]` with a
/// weight `[Cin, Cout/groups, k]`, giving `[N, Cout, (L − 1)s − 2p + d(k − 1) + op + 1]`.
///
/// Computed as ``convTranspose2d(_:weight:bias:stride:padding:outputPadding:dilation:groups:)``
/// on `[N, Cin, 1, L]`.
public func convTranspose1d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                            outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1) -> Tensor {
    let shape = checkShapes { () throws(ShapeError) in
        try convTranspose1dOutputShape(input: input.shape, weight: weight.shape, bias: bias?.shape, stride: stride,
                                       padding: padding, outputPadding: outputPadding, dilation: dilation,
                                       groups: groups)
    }
    let geometry = ConvolutionGeometry(input: (1, shape[2]), output: (1, input.shape[2]), kernel: (1, weight.shape[2]),
                                       stride: (1, stride), padding: (0, padding), dilation: (1, dilation))
    let x = input.reshaped(to: [input.shape[0], input.shape[1], 1, input.shape[2]])
    let w = weight.reshaped(to: [weight.shape[0], weight.shape[1], 1, weight.shape[2]])
    return Tensor.transposedConvolution(x, w, bias: bias, geometry: geometry, groups: groups).reshaped(to: shape)
}

extension Tensor {
    /// The recorded transposed-convolution primitive: the adjoint in `x` of
    /// `convolution(x, weight, geometry)`. `input` lies on the window grid
    /// `[N, O, Ho, Wo]`, the result on the image side `[N, C, H, W]` with
    /// `C = weight.shape[1] · groups`.
    static func transposedConvolution(_ input: Tensor, _ weight: Tensor, bias: Tensor?, geometry: ConvolutionGeometry,
                                      groups: Int) -> Tensor {
        let (batch, gridChannels, channels) = (input.shape[0], input.shape[1], weight.shape[1] * groups)
        let out = Tensor(shape: [batch, channels, geometry.inputHeight, geometry.inputWidth]) { y, _ in
            ConvolutionKernels.transposed(input: input.storage.pointer, weight: weight.storage.pointer,
                                          bias: bias.map { UnsafePointer($0.storage.pointer) }, output: y,
                                          batch: batch, channels: channels, outputChannels: gridChannels,
                                          groups: groups, geometry: geometry)
        }
        let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
        return record("convTranspose2d", inputs: inputs, output: out) { ctx in
            let (x, w, g) = (ctx.inputs[0], ctx.inputs[1], ctx.gradient)
            var gradients: [Tensor?] = [
                ctx.needsGradient(0) ? convolution(g, w, bias: nil, geometry: geometry, groups: groups) : nil,
                ctx.needsGradient(1) ? convolutionWeightGradient(g, x, geometry: geometry, groups: groups) : nil,
            ]
            if ctx.inputs.count == 3 { gradients.append(ctx.needsGradient(2) ? g.sum(alongAxes: [0, 2, 3]) : nil) }
            return gradients
        }
    }
}
