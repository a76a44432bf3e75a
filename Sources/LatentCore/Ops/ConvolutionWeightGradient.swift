/// The gradient of ``conv2d(_:weight:bias:stride:padding:dilation:groups:)`` with respect
/// to its weight, as a differentiable op of its own:
///
///     ∂L/∂w[o, c, a, b'] = Σ_{n, i, j} g[n, o, i, j] · x[n, g·C/G + c, i·sH − pH + a·dH, j·sW − pW + b'·dW]
///
/// It is recorded (its gradients are `∂/∂x = convTranspose2d(g, ḡ)` and
/// `∂/∂g = conv2d(x, ḡ)` for an upstream gradient `ḡ` shaped like the weight), which is
/// what makes second derivatives of convolutions work.
///
/// - Parameters:
///   - input: the convolution's input `[N, C, H, W]`.
///   - outputGradient: `∂L/∂y`, `[N, O, Ho, Wo]`; `Ho, Wo` may be smaller than conv2d's
///     output size (the windows past them are left out).
///   - weightShape: `[O, C/groups, kH, kW]`.
///   - stride, padding, dilation, groups: those of the convolution.
/// - Returns: a tensor of shape `weightShape`.
public func conv2dWeightGradient(input: Tensor, outputGradient: Tensor, weightShape: [Int],
                                 stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                                 dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor {
    checkShapes { () throws(ShapeError) in
        try conv2dWeightGradientShape(input: input.shape, outputGradient: outputGradient.shape, weightShape: weightShape,
                                      stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
    let geometry = ConvolutionGeometry(input: (input.shape[2], input.shape[3]),
                                       output: (outputGradient.shape[2], outputGradient.shape[3]),
                                       kernel: (weightShape[2], weightShape[3]), stride: stride,
                                       padding: padding, dilation: dilation)
    return Tensor.convolutionWeightGradient(input, outputGradient, geometry: geometry, groups: groups)
}

extension Tensor {
    /// The recorded weight-gradient primitive: the adjoint in `weight` of
    /// `convolution(input, weight, geometry)`. Returns `[O, C/groups, kH, kW]`.
    static func convolutionWeightGradient(_ input: Tensor, _ outputGradient: Tensor, geometry: ConvolutionGeometry,
                                          groups: Int) -> Tensor {
        let (batch, channels, gridChannels) = (input.shape[0], input.shape[1], outputGradient.shape[1])
        let shape = [gridChannels, channels / groups, geometry.kernelHeight, geometry.kernelWidth]
        let out = Tensor(shape: shape) { w, _ in
            ConvolutionKernels.weightGradient(input: input.storage.pointer, outputGradient: outputGradient.storage.pointer,
                                              weightGradient: w, batch: batch, channels: channels,
                                              outputChannels: gridChannels, groups: groups, geometry: geometry)
        }
        return record("conv2dWeightGradient", inputs: [input, outputGradient], output: out) { ctx in
            let (x, dy, g) = (ctx.inputs[0], ctx.inputs[1], ctx.gradient)
            return [ctx.needsGradient(0) ? transposedConvolution(dy, g, bias: nil, geometry: geometry, groups: groups) : nil,
                    ctx.needsGradient(1) ? convolution(x, g, bias: nil, geometry: geometry, groups: groups) : nil]
        }
    }
}
