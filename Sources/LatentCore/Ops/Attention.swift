/// Scaled dot-product attention, with a fused masked, scaled softmax.

/// Validates the operands of ``scaledDotProductAttention(query:key:value:mask:isCausal:scale:)``
/// (or of ``attentionWeights(query:key:mask:isCausal:scale:)`` when `value` is `nil`) and
/// returns the shape of the attention scores, `[..., L, S]`.
///
/// Queries are `[..., L, D]`, keys `[..., S, D]` and values `[..., S, Dv]`; the leading
/// (batch) axes broadcast as in `matmul`, and the mask must broadcast to the scores.
public func attentionShapes(query: [Int], key: [Int], value: [Int]?, mask: [Int]?) throws(ShapeError) -> [Int] {
    let op = "scaledDotProductAttention"
    guard query.count >= 2, key.count >= 2, query.last == key.last else {
        throw ShapeError(op: op, "query [..., L, D] and key [..., S, D] must have rank ≥ 2 and the same D, got \(shapeString(query)) and \(shapeString(key))")
    }
    let batch = try Shape.broadcast(Array(query.dropLast(2)), Array(key.dropLast(2)), op: op)
    let scores = batch + [query[query.count - 2], key[key.count - 2]]
    if let value {
        guard value.count >= 2, value[value.count - 2] == key[key.count - 2] else {
            throw ShapeError(op: op, "value [..., S, Dv] must have as many rows as key, got key \(shapeString(key)) and value \(shapeString(value))")
        }
        _ = try Shape.broadcast(batch, Array(value.dropLast(2)), op: op)
    }
    if let mask {
        guard (try? Shape.validateBroadcast(mask, to: scores, op: op)) != nil else {
            throw ShapeError(op: op, "mask of shape \(shapeString(mask)) does not broadcast to the attention scores \(shapeString(scores))")
        }
    }
    return scores
}

/// Scaled dot-product attention: `softmax(scale · Q Kᵀ + M) V`.
///
/// `M` is the additive `mask` (use `-.infinity` to forbid a position), plus `-∞` above the
/// diagonal when `isCausal` (query `i` sees keys `j ≤ i`, aligned top-left as in
/// PyTorch). A query whose keys are all forbidden attends to nothing and gets zeros
/// (PyTorch's reference math gives NaN there). The scores are scaled, masked and
/// normalised in one fused kernel (``Tensor/attentionSoftmax(mask:isCausal:scale:)``);
/// the products use `matmul`, so every gradient, including second order, is exact.
///
/// From Vaswani et al., "Attention is all you need" (2017).
///
/// - Parameters:
///   - query: `[..., L, D]`.
///   - key: `[..., S, D]`.
///   - value: `[..., S, Dv]`.
///   - mask: An additive mask broadcastable to `[..., L, S]`, or `nil`.
///   - isCausal: Forbid attention to later positions.
///   - scale: The factor on `Q Kᵀ`; `1/√D` when `nil`.
/// - Returns: `[..., L, Dv]`.
public func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, mask: Tensor? = nil,
                                      isCausal: Bool = false, scale: Float? = nil) -> Tensor {
    checkShapes { () throws(ShapeError) in
        _ = try attentionShapes(query: query.shape, key: key.shape, value: value.shape, mask: mask?.shape)
    }
    return matmul(attentionWeights(query: query, key: key, mask: mask, isCausal: isCausal, scale: scale), value)
}

/// The attention weights `softmax(scale · Q Kᵀ + M)`, `[..., L, S]`, each row summing to 1
/// (or all zeros when every key is masked); see
/// ``scaledDotProductAttention(query:key:value:mask:isCausal:scale:)``.
public func attentionWeights(query: Tensor, key: Tensor, mask: Tensor? = nil, isCausal: Bool = false,
                             scale: Float? = nil) -> Tensor {
    checkShapes { () throws(ShapeError) in
        _ = try attentionShapes(query: query.shape, key: key.shape, value: nil, mask: mask?.shape)
    }
    let factor = scale ?? 1 / Float(query.shape[query.rank - 1]).squareRoot()
    return matmul(query, key, transposeB: true).attentionSoftmax(mask: mask, isCausal: isCausal, scale: factor)
}

extension Tensor {
    /// The softmax along the last axis of `scale · x + mask`, with positions `j > i` of
    /// every `[L, S]` matrix excluded when `isCausal`: one fused pass per row.
    ///
    ///     yᵢⱼ = exp(zᵢⱼ − mᵢ) / Σₖ exp(zᵢₖ − mᵢ),   z = scale · x + mask (−∞ where causal-masked)
    ///
    /// Rows that are entirely `−∞` give zeros. Backward (itself a fused op, whose own
    /// backward is written with differentiable ops): `∂L/∂x = scale · y ⊙ (g − Σ g ⊙ y)`,
    /// and the same without `scale` (summed over broadcast axes) for the mask.
    ///
    /// - Parameters:
    ///   - mask: An additive mask broadcastable to this tensor's shape, or `nil`.
    ///   - isCausal: Exclude positions above the diagonal of the last two axes.
    ///   - scale: The factor applied to this tensor before masking.
    public func attentionSoftmax(mask: Tensor? = nil, isCausal: Bool = false, scale: Float = 1) -> Tensor {
        let s = shape
        checkShapes { () throws(ShapeError) in
            guard s.count >= (isCausal ? 2 : 1) else {
                throw ShapeError(op: "attentionSoftmax", "needs rank ≥ \(isCausal ? 2 : 1), got shape \(shapeString(s))")
            }
            if let m = mask?.shape { try Shape.validateBroadcast(m, to: s, op: "attentionSoftmax") }
        }
        let columns = s.last!
        let rowsPerMatrix = isCausal ? s[s.count - 2] : 1
        // A mask shaped like the scores, or like one [L, S] matrix, is read in place; any
        // other broadcast is materialised first.
        var maskRows = 0
        var fullMask: Tensor? = nil
        if let mask {
            let trailing = Array(s.suffix(2))
            if mask.shape == s || (s.count >= 2 && mask.shape.drop(while: { $0 == 1 }) == ArraySlice(trailing)) {
                fullMask = mask
                maskRows = mask.shape == s ? scalarCount / max(columns, 1) : trailing[0]
            } else {
                fullMask = mask.broadcast(to: s)
                maskRows = scalarCount / max(columns, 1)
            }
        }
        let rows = scalarCount / max(columns, 1)
        let maskValues = fullMask?.detached()
        let out = Tensor(shape: s) { o, _ in
            let x = storage.pointer
            let m = maskValues?.storage.pointer
            Parallel.forEachChunk(count: rows, minimumChunk: max(1, Elementwise.parallelGrain / max(columns, 1))) { range in
                for r in range {
                    let limit = isCausal ? min(r % rowsPerMatrix + 1, columns) : columns
                    let maskRow = m.map { UnsafePointer($0 + (r % maskRows) * columns) }
                    AttentionKernels.softmaxRow(x + r * columns, mask: maskRow, out: o + r * columns,
                                                count: columns, limit: limit, scale: scale)
                }
            }
        }
        guard let mask else {
            return Tensor.record("attentionSoftmax", inputs: [self], output: out) { ctx in
                [ctx.output.attentionSoftmaxGradient(ctx.gradient, scale: scale)]
            }
        }
        return Tensor.record("attentionSoftmax", inputs: [self, mask], output: out) { ctx in
            guard ctx.needsGradient(1) else { return [ctx.output.attentionSoftmaxGradient(ctx.gradient, scale: scale), nil] }
            let dz = ctx.output.attentionSoftmaxGradient(ctx.gradient, scale: 1)
            return [ctx.needsGradient(0) ? dz * scale : nil, dz.sum(toShape: ctx.inputs[1].shape)]
        }
    }

    /// The softmax backward `scale · y ⊙ (g − Σ g ⊙ y)` along the last axis, with this
    /// tensor as `y`: one fused pass per row.
    ///
    /// Its own backward, for upstream `u` and `t = Σ u ⊙ y`:
    /// `∂/∂y = scale · (u ⊙ (g − Σ g ⊙ y) − g ⊙ t)` and `∂/∂g = scale · y ⊙ (u − t)`.
    func attentionSoftmaxGradient(_ gradient: Tensor, scale: Float) -> Tensor {
        ensure(gradient.shape == shape, "attentionSoftmaxGradient: shapes \(shapeString(shape)) and \(shapeString(gradient.shape)) differ")
        let columns = shape.last ?? 1
        let rows = scalarCount / max(columns, 1)
        let out = Tensor(shape: shape) { o, _ in
            let y = storage.pointer, g = gradient.storage.pointer
            Parallel.forEachChunk(count: rows, minimumChunk: max(1, Elementwise.parallelGrain / max(columns, 1))) { range in
                for r in range {
                    AttentionKernels.softmaxGradientRow(y + r * columns, g + r * columns, o + r * columns,
                                                        count: columns, scale: scale)
                }
            }
        }
        return Tensor.record("attentionSoftmaxGradient", inputs: [self, gradient], output: out) { ctx in
            let (y, g, u) = (ctx.inputs[0], ctx.inputs[1], ctx.gradient)
            let t = (u * y).sum(alongAxis: -1, keepDims: true)
            var dy: Tensor? = nil
            if ctx.needsGradient(0) {
                let s = (g * y).sum(alongAxis: -1, keepDims: true)
                dy = (u * (g - s) - g * t) * scale
            }
            return [dy, ctx.needsGradient(1) ? y.attentionSoftmaxGradient(u, scale: scale) : nil]
        }
    }
}

/// Row kernels of the fused attention softmax and its backward.
enum AttentionKernels {
    typealias Vector = SIMD16<Float>

    /// Lane numbers 0…15, to mask the lanes of a vector past a row's limit.
    static let lanes = Vector(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

    /// `out[j] = softmax(scale · x + mask)[j]` over `j < limit`, zero for `limit ≤ j < count`.
    ///
    /// Vectors straddling `limit` are read whole (the row continues to `count`) with the
    /// lanes past it set to `−∞`, so only a row's last vector is ever partial.
    static func softmaxRow(_ x: UnsafePointer<Float>, mask: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>,
                           count: Int, limit: Int, scale: Float) {
        var maximum = Vector(repeating: -.infinity)
        var j = 0
        while j < limit {
            let readable = min(16, count - j)
            var z = VectorMath.load(x + j, readable) * scale
            if let mask { z += VectorMath.load(mask + j, readable) }
            if limit - j < 16 { z.replace(with: -.infinity, where: lanes .>= Vector(repeating: Float(limit - j))) }
            VectorMath.store(z, out + j, readable)
            maximum.replace(with: z, where: z .> maximum)   // (pointwiseMax compiles to a per-lane loop)
            j += 16
        }
        let end = j < count ? j : count   // first element not written above
        let m = maximum.max()
        if !(m > -.infinity) {
            // Every position masked (or NaN): attend to nothing.
            out.update(repeating: m.isNaN ? .nan : 0, count: count)
            return
        }
        let shift = Vector(repeating: m)
        var sum = Vector()
        j = 0
        while j < limit {
            let readable = min(16, count - j)
            let e = SoftmaxKernels.exp(VectorMath.load(out + j, readable, fill: -.infinity) - shift)
            VectorMath.store(e, out + j, readable)
            sum += e
            j += 16
        }
        let inverse = Vector(repeating: 1 / sum.sum())
        j = 0
        while j < limit {
            let readable = min(16, count - j)
            VectorMath.store(VectorMath.load(out + j, readable) * inverse, out + j, readable)
            j += 16
        }
        if end < count { (out + end).update(repeating: 0, count: count - end) }
    }

    /// `out = scale · y ⊙ (g − Σ g ⊙ y)` over one row.
    static func softmaxGradientRow(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                   count: Int, scale: Float) {
        var dot = Vector()
        var j = 0
        while j < count {
            let w = min(16, count - j)
            dot += VectorMath.load(y + j, w) * VectorMath.load(g + j, w)
            j += 16
        }
        let s = Vector(repeating: dot.sum())
        j = 0
        while j < count {
            let w = min(16, count - j)
            VectorMath.store(VectorMath.load(y + j, w) * (VectorMath.load(g + j, w) - s) * scale, out + j, w)
            j += 16
        }
    }
}
