/// Shape validation for convolutions: each function checks ranks, channel counts, groups
/// and options, and returns the output shape or throws a ``ShapeError`` naming the op and
/// the shapes. The ops call them through ``checkShapes(_:)`` (so bad shapes trap with the
/// same message); callers with untrusted shapes can call them first.

/// Validates the operands of ``conv2d(_:weight:bias:stride:padding:dilation:groups:)``
/// and returns the output shape `[N, out, Ho, Wo]`.
public func conv2dOutputShape(input: [Int], weight: [Int], bias: [Int]? = nil,
                              stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                              dilation: (Int, Int) = (1, 1), groups: Int = 1) throws(ShapeError) -> [Int] {
    try ConvolutionShapes.validate(op: "conv2d", input: input, weight: weight, bias: bias,
                                   stride: [stride.0, stride.1], padding: [padding.0, padding.1],
                                   dilation: [dilation.0, dilation.1], outputPadding: nil, groups: groups)
}

/// Validates the operands of ``conv1d(_:weight:bias:stride:padding:dilation:groups:)``
/// and returns the output shape `[N, out, Lo]`.
public func conv1dOutputShape(input: [Int], weight: [Int], bias: [Int]? = nil, stride: Int = 1, padding: Int = 0,
                              dilation: Int = 1, groups: Int = 1) throws(ShapeError) -> [Int] {
    try ConvolutionShapes.validate(op: "conv1d", input: input, weight: weight, bias: bias, stride: [stride],
                                   padding: [padding], dilation: [dilation], outputPadding: nil, groups: groups)
}

/// Validates the operands of
/// ``convTranspose2d(_:weight:bias:stride:padding:outputPadding:dilation:groups:)`` and
/// returns the output shape `[N, out, Ho, Wo]`.
public func convTranspose2dOutputShape(input: [Int], weight: [Int], bias: [Int]? = nil,
                                       stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                                       outputPadding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
                                       groups: Int = 1) throws(ShapeError) -> [Int] {
    try ConvolutionShapes.validate(op: "convTranspose2d", input: input, weight: weight, bias: bias,
                                   stride: [stride.0, stride.1], padding: [padding.0, padding.1],
                                   dilation: [dilation.0, dilation.1],
                                   outputPadding: [outputPadding.0, outputPadding.1], groups: groups)
}

/// Validates the operands of
/// ``convTranspose1d(_:weight:bias:stride:padding:outputPadding:dilation:groups:)`` and
/// returns the output shape `[N, out, Lo]`.
public func convTranspose1dOutputShape(input: [Int], weight: [Int], bias: [Int]? = nil, stride: Int = 1,
                                       padding: Int = 0, outputPadding: Int = 0, dilation: Int = 1,
                                       groups: Int = 1) throws(ShapeError) -> [Int] {
    try ConvolutionShapes.validate(op: "convTranspose1d", input: input, weight: weight, bias: bias, stride: [stride],
                                   padding: [padding], dilation: [dilation], outputPadding: [outputPadding],
                                   groups: groups)
}

/// Validates the operands of
/// ``conv2dWeightGradient(input:outputGradient:weightShape:stride:padding:dilation:groups:)``:
/// `outputGradient` must be `[N, out, Ho, Wo]` with `1 ≤ Ho, Wo ≤` the conv2d output size
/// (smaller sizes crop the window grid, as in the weight gradient of a transposed
/// convolution with output padding).
public func conv2dWeightGradientShape(input: [Int], outputGradient: [Int], weightShape: [Int],
                                      stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                                      dilation: (Int, Int) = (1, 1), groups: Int = 1) throws(ShapeError) {
    let op = "conv2dWeightGradient"
    let full = try ConvolutionShapes.validate(op: op, input: input, weight: weightShape, bias: nil,
                                              stride: [stride.0, stride.1], padding: [padding.0, padding.1],
                                              dilation: [dilation.0, dilation.1], outputPadding: nil, groups: groups)
    guard outputGradient.count == 4, outputGradient[0] == input[0], outputGradient[1] == weightShape[0],
          outputGradient[2] >= 1, outputGradient[3] >= 1,
          outputGradient[2] <= full[2], outputGradient[3] <= full[3] else {
        throw ShapeError(op: op, "output gradient shape \(shapeString(outputGradient)) does not fit input shape "
                         + "\(shapeString(input)) and weight shape \(shapeString(weightShape)) (expected at most \(shapeString(full)))")
    }
}

enum ConvolutionShapes {
    /// Formats per-axis options: `2` for one axis, `(2, 1)` for two.
    static func describe(_ values: [Int]) -> String {
        values.count == 1 ? "\(values[0])" : "(" + values.map(String.init).joined(separator: ", ") + ")"
    }

    /// Shared validation for convolutions and transposed convolutions over `stride.count`
    /// spatial axes. Transposed when `outputPadding` is given: the weight is then
    /// `[in, out/groups, k…]` instead of `[out, in/groups, k…]`.
    static func validate(op: String, input: [Int], weight: [Int], bias: [Int]?, stride: [Int], padding: [Int],
                         dilation: [Int], outputPadding: [Int]?, groups: Int) throws(ShapeError) -> [Int] {
        let spatial = stride.count
        let rank = spatial + 2
        let inputLayout = spatial == 1 ? "[N, C, L]" : "[N, C, H, W]"
        let kernelLayout = spatial == 1 ? "k" : "kH, kW"
        let transposed = outputPadding != nil
        let weightLayout = transposed ? "[in, out/groups, \(kernelLayout)]" : "[out, in/groups, \(kernelLayout)]"
        guard input.count == rank else {
            throw ShapeError(op: op, "expects a \(rank)-D input \(inputLayout), got shape \(shapeString(input))")
        }
        guard weight.count == rank else {
            throw ShapeError(op: op, "expects a \(rank)-D weight \(weightLayout), got shape \(shapeString(weight))")
        }
        guard groups >= 1 else { throw ShapeError(op: op, "groups must be positive, got \(groups)") }
        guard stride.allSatisfy({ $0 >= 1 }) else {
            throw ShapeError(op: op, "stride must be positive, got \(describe(stride))")
        }
        guard dilation.allSatisfy({ $0 >= 1 }) else {
            throw ShapeError(op: op, "dilation must be positive, got \(describe(dilation))")
        }
        guard padding.allSatisfy({ $0 >= 0 }) else {
            throw ShapeError(op: op, "padding must be non-negative, got \(describe(padding))")
        }
        let kernel = Array(weight[2...])
        guard kernel.allSatisfy({ $0 >= 1 }), weight[0] >= 1, weight[1] >= 1 else {
            throw ShapeError(op: op, "weight shape \(shapeString(weight)) has an empty dimension")
        }
        guard input[2...].allSatisfy({ $0 >= 1 }) else {
            throw ShapeError(op: op, "input shape \(shapeString(input)) has an empty spatial dimension")
        }
        let channels = input[1]
        guard channels >= 1, channels % groups == 0 else {
            throw ShapeError(op: op, "input channels \(channels) (input shape \(shapeString(input))) are not divisible by groups \(groups)")
        }
        let outputChannels: Int
        if transposed {
            guard weight[0] == channels else {
                throw ShapeError(op: op, "weight shape \(shapeString(weight)) expects \(weight[0]) input channels, "
                                 + "but input shape \(shapeString(input)) has \(channels)")
            }
            outputChannels = weight[1] * groups
        } else {
            guard weight[0] % groups == 0 else {
                throw ShapeError(op: op, "output channels \(weight[0]) (weight shape \(shapeString(weight))) are not divisible by groups \(groups)")
            }
            guard weight[1] * groups == channels else {
                throw ShapeError(op: op, "weight shape \(shapeString(weight)) with groups \(groups) expects \(weight[1] * groups) "
                                 + "input channels, but input shape \(shapeString(input)) has \(channels)")
            }
            outputChannels = weight[0]
        }
        if let bias, bias != [outputChannels] {
            throw ShapeError(op: op, "bias shape \(shapeString(bias)) must be [\(outputChannels)] for weight shape \(shapeString(weight))")
        }
        var size: [Int] = []
        if let outputPadding {
            for d in 0..<spatial where outputPadding[d] < 0 || outputPadding[d] >= max(stride[d], dilation[d]) {
                throw ShapeError(op: op, "output padding \(describe(outputPadding)) must be non-negative and smaller than "
                                 + "stride \(describe(stride)) or dilation \(describe(dilation))")
            }
            for d in 0..<spatial {
                size.append((input[d + 2] - 1) * stride[d] - 2 * padding[d] + dilation[d] * (kernel[d] - 1) + outputPadding[d] + 1)
            }
        } else {
            for d in 0..<spatial {
                size.append(ConvolutionGeometry.outputSize(input: input[d + 2], kernel: kernel[d], stride: stride[d],
                                                           padding: padding[d], dilation: dilation[d]))
            }
        }
        guard size.allSatisfy({ $0 >= 1 }) else {
            throw ShapeError(op: op, "output size \(describe(size)) is not positive for input shape \(shapeString(input)), "
                             + "weight shape \(shapeString(weight)), stride \(describe(stride)), padding \(describe(padding)), "
                             + "dilation \(describe(dilation))")
        }
        return [input[0], outputChannels] + size
    }
}
