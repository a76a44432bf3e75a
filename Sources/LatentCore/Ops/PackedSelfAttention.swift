/// Multi-head self-attention on a packed query/key/value projection, fused into one op.

/// Validates the operand of ``packedSelfAttention(_:headCount:isCausal:scale:)`` and
/// returns `(N, T, E)`.
public func packedSelfAttentionShape(_ packed: [Int], headCount: Int) throws(ShapeError) -> (Int, Int, Int) {
    guard packed.count == 3, headCount > 0, packed[2] % (3 * headCount) == 0 else {
        throw ShapeError(op: "packedSelfAttention",
                         "input must be [N, T, 3E] with E a multiple of headCount \(headCount), got \(shapeString(packed))")
    }
    return (packed[0], packed[1], packed[2] / 3)
}

/// Multi-head self-attention from the packed projection `[Q | K | V]`, with the heads
/// merged back: the fused form of splitting the heads, ``scaledDotProductAttention(query:key:value:mask:isCausal:scale:)``
/// and merging them.
///
///     Oₕ = softmax(scale · Qₕ Kₕᵀ + M) Vₕ,   output[n, t, h·d + c] = Oₕ[n, t, c]
///
/// where `Qₕ = packed[n, :, h·d ..< (h+1)·d]`, `Kₕ` the same columns offset by `E`, `Vₕ`
/// by `2E` (the layout of a `Linear(E, 3E)` projection, as nanoGPT's `c_attn` and
/// PyTorch's `in_proj_weight`), `d = E / headCount`, and `M` is `−∞` above the diagonal
/// when `isCausal` (else 0). Queries, keys and values are read in place and each head
/// writes its columns of the output, so no head split or merge is copied; with the causal
/// mask, products above the diagonal are skipped in blocks (see `SelfAttentionKernels`).
/// The attention weights are kept for the backward pass (`N · H · T²` floats).
///
/// First-order backward is one fused pass per (batch, head) pair:
/// `∂V = Pᵀ G`, `∂S = scale · P ⊙ (G Vᵀ − rowsum(P ⊙ G Vᵀ))`, `∂Q = ∂S K`, `∂K = ∂Sᵀ Q`.
/// When the backward pass is itself recorded (`createGraph: true`), the gradient is
/// composed from differentiable ops instead, so higher derivatives are exact too. Results
/// do not depend on the thread count.
///
/// From Vaswani et al., "Attention is all you need" (2017).
///
/// - Parameters:
///   - packed: `[N, T, 3E]`, queries, keys and values side by side.
///   - headCount: Number of heads `H`; must divide `E`.
///   - isCausal: Query `i` attends only to keys `j ≤ i`.
///   - scale: The factor on `Qₕ Kₕᵀ`; `1/√d` when `nil`.
/// - Returns: `[N, T, E]`.
public func packedSelfAttention(_ packed: Tensor, headCount: Int, isCausal: Bool = false, scale: Float? = nil) -> Tensor {
    let (n, t, e) = checkShapes { () throws(ShapeError) in try packedSelfAttentionShape(packed.shape, headCount: headCount) }
    let d = e / headCount
    let layout = SelfAttentionKernels.Layout(batch: n, length: t, heads: headCount, depth: d, isCausal: isCausal,
                                             scale: scale ?? 1 / Float(d).squareRoot())
    let output = TensorStorage(uninitializedCount: n * t * e)
    let savedWeights = Tensor(shape: [n, headCount, t, t]) { p, _ in
        let boxes = UncheckedSendable((packed.storage.pointer, p, output.pointer))
        SelfAttentionKernels.forEachPair(layout, scratchCount: 0) { pair, _ in
            let (x, p, o) = boxes.value
            SelfAttentionKernels.forward(layout, pair: pair, packed: x, weights: p + pair * t * t, output: o)
        }
    }
    let out = Tensor(shape: [n, t, e], storage: output)
    return Tensor.record("packedSelfAttention", inputs: [packed], output: out, fusedBackward: { ctx in
        let g = ctx.gradient, x = ctx.inputs[0]
        let dx = Tensor(shape: x.shape) { dx, _ in
            let boxes = UncheckedSendable((x.storage.pointer, savedWeights.storage.pointer, g.storage.pointer, dx))
            SelfAttentionKernels.forEachPair(layout, scratchCount: t * t) { pair, scratch in
                let (x, p, g, dx) = boxes.value
                SelfAttentionKernels.backward(layout, pair: pair, packed: x, weights: p + pair * t * t, gradient: g,
                                              packedGradient: dx, scratch: scratch)
            }
        }
        return [dx]
    }, composedBackward: { ctx in
        [packedSelfAttentionGradient(ctx.inputs[0], ctx.gradient, headCount: headCount, layout: layout)]
    })
}

/// The gradient of ``packedSelfAttention(_:headCount:isCausal:scale:)`` with respect to its
/// input, composed from differentiable ops (for recorded backward passes).
private func packedSelfAttentionGradient(_ packed: Tensor, _ gradient: Tensor, headCount h: Int,
                                         layout: SelfAttentionKernels.Layout) -> Tensor {
    let (n, t, e, d) = (layout.batch, layout.length, layout.width, layout.depth)
    // [N, T, 3, H, d] → [3, N, H, T, d]
    let heads = packed.reshaped(to: [n, t, 3, h, d]).permuted(2, 0, 3, 1, 4)
    func part(_ i: Int) -> Tensor { heads.sliced(alongAxis: 0, range: i..<(i + 1)).reshaped(to: [n, h, t, d]) }
    let (q, k, v) = (part(0), part(1), part(2))
    let g = gradient.reshaped(to: [n, t, h, d]).permuted(0, 2, 1, 3)
    let p = attentionWeights(query: q, key: k, isCausal: layout.isCausal, scale: layout.scale)
    let dv = matmul(p, g, transposeA: true)
    let ds = p.attentionSoftmaxGradient(matmul(g, v, transposeB: true), scale: layout.scale)
    let dq = matmul(ds, k), dk = matmul(ds, q, transposeA: true)
    // [3, N, H, T, d] → [N, T, 3, H, d]
    return stack([dq, dk, dv], alongAxis: 0).permuted(1, 3, 0, 2, 4).reshaped(to: [n, t, 3 * e])
}
