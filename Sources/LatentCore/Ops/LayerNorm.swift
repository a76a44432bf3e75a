/// Layer normalisation (Ba, Kiros & Hinton, "Layer Normalization", 2016) as one fused op.

/// Validates the shapes of ``layerNorm(_:normalizedShape:weight:bias:epsilon:)``.
///
/// - Throws: ``ShapeError`` unless `input` ends with `normalizedShape` (non-empty, no
///   zero dimensions) and `weight` and `bias` (when given) have exactly that shape.
public func validateLayerNormShapes(input: [Int], normalizedShape: [Int], weight: [Int]?, bias: [Int]?) throws(ShapeError) {
    guard !normalizedShape.isEmpty, Shape.count(normalizedShape) > 0 else {
        throw ShapeError(op: "layerNorm", "normalized shape \(shapeString(normalizedShape)) is empty")
    }
    guard input.count >= normalizedShape.count, Array(input.suffix(normalizedShape.count)) == normalizedShape else {
        throw ShapeError(op: "layerNorm", "input of shape \(shapeString(input)) does not end with the normalized shape \(shapeString(normalizedShape))")
    }
    if let weight, weight != normalizedShape {
        throw ShapeError(op: "layerNorm", "weight of shape \(shapeString(weight)) for normalized shape \(shapeString(normalizedShape))")
    }
    if let bias, bias != normalizedShape {
        throw ShapeError(op: "layerNorm", "bias of shape \(shapeString(bias)) for normalized shape \(shapeString(normalizedShape))")
    }
}

/// Layer normalisation over the trailing `normalizedShape` axes, with an optional
/// elementwise affine (PyTorch's `layer_norm`):
///
///     y = (x − μ) / √(σ² + ε) · w + b
///
/// with `μ` and the biased variance `σ²` per row (all trailing axes together).
///
/// One fused kernel computes the statistics, normalises and applies `w` and `b`. Backward,
/// with `x̂ = (x − μ)·r`, `r = 1/√(σ² + ε)`, `ĝ = g·w` and means over each row:
///
///     ∂L/∂x = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)),   ∂L/∂w = Σ_rows g · x̂,   ∂L/∂b = Σ_rows g
///
/// run by fused kernels; under `createGraph` the same formulas are built from
/// differentiable ops, so higher derivatives work.
///
/// - Parameters:
///   - input: `[..., normalizedShape...]`.
///   - normalizedShape: The trailing dimensions normalised together.
///   - weight: Optional scale `w`, shaped `normalizedShape`.
///   - bias: Optional shift `b`, shaped `normalizedShape`.
///   - epsilon: Added to the variance.
public func layerNorm(_ input: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                      epsilon: Float = 1e-5) -> Tensor {
    checkShapes { () throws(ShapeError) in
        try validateLayerNormShapes(input: input.shape, normalizedShape: normalizedShape,
                                    weight: weight?.shape, bias: bias?.shape)
    }
    let features = Shape.count(normalizedShape)
    let rows = input.scalarCount / features
    let layout = AxisLayout(outer: 1, length: rows, inner: features)
    let (mean, _, rstd) = Tensor.normalizationStatistics(input, layout: layout, epsilon: epsilon, shape: [rows])
    let out = Tensor(shape: input.shape) { p, _ in
        NormalizationKernels.normalize(input.storage.pointer, layout: layout, mean: mean.storage.pointer,
                                       inverseStandardDeviation: rstd.storage.pointer,
                                       weight: weight?.storage.pointer, bias: bias?.storage.pointer, into: p)
    }
    let weightIndex: Int? = weight == nil ? nil : 1
    let biasIndex: Int? = bias == nil ? nil : (weight == nil ? 1 : 2)
    let inputs = [input] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
    // Which inputs need gradients, and room for them in the order of `inputs`.
    func requests(_ ctx: BackwardContext) -> (grads: [Tensor?], weight: Bool, bias: Bool) {
        ([Tensor?](repeating: nil, count: ctx.inputs.count),
         weightIndex.map { ctx.needsGradient($0) } ?? false, biasIndex.map { ctx.needsGradient($0) } ?? false)
    }
    return Tensor.record("layerNorm", inputs: inputs, output: out, fusedBackward: { ctx in
        let x = ctx.inputs[0], g = ctx.gradient
        let w = weightIndex.map { ctx.inputs[$0] }
        var (grads, needsWeight, needsBias) = requests(ctx)
        if ctx.needsGradient(0) {
            grads[0] = Tensor(shape: x.shape) { p, _ in
                NormalizationKernels.inputGradient(g.storage.pointer, x.storage.pointer, layout: layout,
                                                   mean: mean.storage.pointer,
                                                   inverseStandardDeviation: rstd.storage.pointer,
                                                   weight: w?.storage.pointer, into: p)
            }
        }
        if needsWeight || needsBias {
            let both = Tensor(shape: [2 * features]) { p, _ in
                NormalizationKernels.affineGradients(g.storage.pointer, x.storage.pointer, rows: rows,
                                                     features: features, mean: mean.storage.pointer,
                                                     inverseStandardDeviation: rstd.storage.pointer,
                                                     weightGradient: needsWeight ? p : nil,
                                                     biasGradient: needsBias ? p + features : nil)
            }
            func part(_ k: Int) -> Tensor {
                Tensor(shape: normalizedShape) { p, _ in p.update(from: both.storage.pointer + k * features, count: features) }
            }
            if let weightIndex, needsWeight { grads[weightIndex] = part(0) }
            if let biasIndex, needsBias { grads[biasIndex] = part(1) }
        }
        return grads
    }, composedBackward: { ctx in
        let x = ctx.inputs[0], g = ctx.gradient
        let w = weightIndex.map { ctx.inputs[$0] }
        var (grads, needsWeight, needsBias) = requests(ctx)
        let x2 = x.reshaped(to: [rows, features]), g2 = g.reshaped(to: [rows, features])
        let xHat = x2.normalized(keepingAxes: 0..<1, epsilon: epsilon)
        if ctx.needsGradient(0) {
            let r = x2.reshaped(to: [1, rows, features]).normalizationInverseStandardDeviation(epsilon: epsilon)
                .reshaped(to: [rows, 1])
            let gw = w.map { g2 * $0.reshaped(to: [features]) } ?? g2
            let dx = r * (gw - gw.mean(alongAxis: 1, keepDims: true)
                - xHat * (gw * xHat).mean(alongAxis: 1, keepDims: true))
            grads[0] = dx.reshaped(to: x.shape)
        }
        if let weightIndex, needsWeight {
            grads[weightIndex] = (g2 * xHat).sum(alongAxis: 0).reshaped(to: normalizedShape)
        }
        if let biasIndex, needsBias { grads[biasIndex] = g2.sum(alongAxis: 0).reshaped(to: normalizedShape) }
        return grads
    })
}
