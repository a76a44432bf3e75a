import LatentCore

/// Multi-head attention with PyTorch's parameter layout (`nn.MultiheadAttention` with
/// `batch_first=True`).
///
///     headᵢ = softmax(Qᵢ Kᵢᵀ / √d + M) Vᵢ,   Qᵢ = query W_qᵢᵀ + b_qᵢ, … (d = E / heads)
///     output = concat(head₁, …, head_h) W_oᵀ + b_o
///
/// The projections of queries, keys and values are stacked in `in_proj_weight` `[3E, E]`
/// (rows `0..<E` for queries, then keys, then values) and `in_proj_bias` `[3E]`; the
/// output projection is `out_proj.weight` `[E, E]` and `out_proj.bias` `[E]`. These are
/// the module's state keys, so a PyTorch state dict loads unchanged (separate key/value
/// dimensions, `add_bias_kv` and `add_zero_attn` are not supported). For self-attention
/// (the same tensor as query, key and value) the three projections are one product.
///
/// From Vaswani et al., "Attention is all you need" (2017).
public final class MultiHeadAttention: Module {
    public let embedDimension: Int
    public let headCount: Int
    /// Dropout probability on the attention weights (training only).
    public let dropout: Float
    /// The stream the dropout masks are drawn from when no generator is passed: split from
    /// the generator given at creation, advanced by each training-mode call with dropout.
    /// It is not part of the module's state (not saved in checkpoints).
    public var generator: RandomGenerator
    @Parameter var inputProjectionWeight: Tensor
    let inputProjectionBias: Parameter?
    let outputProjection: Linear

    /// Creates the layer with PyTorch's initialisation: Xavier-uniform `in_proj_weight`,
    /// `out_proj.weight` from `U(−1/√E, 1/√E)`, zero biases.
    ///
    /// - Parameters:
    ///   - embedDimension: `E`, the size of queries, keys, values and output.
    ///   - headCount: Number of heads; must divide `E`.
    ///   - bias: Whether the projections have biases.
    ///   - dropout: Dropout probability on the attention weights.
    ///   - generator: The random stream for the initial weights.
    public init(embedDimension: Int, headCount: Int, bias: Bool = true, dropout: Float = 0,
                generator: inout RandomGenerator) {
        ensure(embedDimension > 0 && headCount > 0 && embedDimension % headCount == 0,
                     "MultiHeadAttention: embedDimension \(embedDimension) must be a positive multiple of headCount \(headCount)")
        ensure(dropout >= 0 && dropout < 1, "MultiHeadAttention: dropout \(dropout) is not in [0, 1)")
        self.embedDimension = embedDimension
        self.headCount = headCount
        self.dropout = dropout
        self.generator = generator.split()
        let bound = (6 / Float(4 * embedDimension)).squareRoot()
        _inputProjectionWeight = Parameter(generator.uniform([3 * embedDimension, embedDimension], low: -bound, high: bound))
        inputProjectionBias = bias ? Parameter(.zeros([3 * embedDimension])) : nil
        outputProjection = Linear(embedDimension, embedDimension, bias: bias, generator: &generator)
        if bias { outputProjection.bias = .zeros([embedDimension]) }
    }

    /// PyTorch's names: `in_proj_weight`, `in_proj_bias`, `out_proj`.
    public override class var stateKeys: [String: String] {
        ["inputProjectionWeight": "in_proj_weight", "inputProjectionBias": "in_proj_bias", "outputProjection": "out_proj"]
    }

    public override var summary: String {
        "MultiHeadAttention(\(embedDimension), heads: \(headCount)\(dropout > 0 ? ", dropout: \(dropout)" : ""))"
    }

    /// Attends from `query` to `key`/`value` (attention dropout, if any, from ``generator``).
    ///
    /// - Parameters:
    ///   - query: `[N, L, E]`.
    ///   - key: `[N, S, E]`.
    ///   - value: `[N, S, E]`.
    ///   - attentionMask: `[L, S]` or `[N·heads, L, S]`, additive or boolean (1 = forbidden).
    ///   - keyPaddingMask: `[N, S]`, 1 where a key is padding (never attended to).
    ///   - isCausal: Forbid attention from position `i` to keys `j > i`.
    ///   - needWeights: Also return the attention weights averaged over heads, `[N, L, S]`.
    /// - Returns: The output `[N, L, E]`, and the averaged weights when requested.
    public func callAsFunction(query: Tensor, key: Tensor, value: Tensor, attentionMask: AttentionMask? = nil,
                               keyPaddingMask: Tensor? = nil, isCausal: Bool = false,
                               needWeights: Bool = false) -> (output: Tensor, weights: Tensor?) {
        let p = dropout, training = isTraining
        return forward(query, key, value, attentionMask, keyPaddingMask, isCausal, needWeights) {
            $0.dropout(probability: p, generator: &self.generator, isTraining: training)
        }
    }

    /// Attends from `query` to `key`/`value`, drawing the attention dropout from `generator`.
    public func callAsFunction(query: Tensor, key: Tensor, value: Tensor, attentionMask: AttentionMask? = nil,
                               keyPaddingMask: Tensor? = nil, isCausal: Bool = false, needWeights: Bool = false,
                               generator: inout RandomGenerator) -> (output: Tensor, weights: Tensor?) {
        let p = dropout, training = isTraining
        return forward(query, key, value, attentionMask, keyPaddingMask, isCausal, needWeights) {
            $0.dropout(probability: p, generator: &generator, isTraining: training)
        }
    }

    private func forward(_ query: Tensor, _ key: Tensor, _ value: Tensor, _ attentionMask: AttentionMask?,
                         _ keyPaddingMask: Tensor?, _ isCausal: Bool, _ needWeights: Bool,
                         _ dropoutWeights: (Tensor) -> Tensor) -> (output: Tensor, weights: Tensor?) {
        let e = embedDimension, heads = headCount
        let (n, l, s) = checkShapes { () throws(ShapeError) in
            try Self.validate(query: query.shape, key: key.shape, value: value.shape, embedDimension: e)
        }
        let w = inputProjectionWeight, b = inputProjectionBias?.wrappedValue
        let isSelfAttention = query.storage === key.storage && key.storage === value.storage && query.shape == key.shape
        if isSelfAttention && attentionMask == nil && keyPaddingMask == nil && !needWeights && !(dropout > 0 && isTraining) {
            // The fused op reads the heads in place from the packed projection.
            let attention = packedSelfAttention(linear(query, weight: w, bias: b), headCount: heads, isCausal: isCausal)
            return (outputProjection(attention), nil)
        }
        let q: Tensor, k: Tensor, v: Tensor
        if isSelfAttention {
            (q, k, v) = splitHeads(linear(query, weight: w, bias: b), headCount: heads)
        } else {
            let ws = w.split(sizes: [e, e, e], alongAxis: 0), bs = b?.split(sizes: [e, e, e], alongAxis: 0)
            func projected(_ x: Tensor, _ i: Int) -> Tensor {
                separateHeads(linear(x, weight: ws[i], bias: bs?[i]), headCount: heads)
            }
            (q, k, v) = (projected(query, 0), projected(key, 1), projected(value, 2))
        }
        let mask = combinedAttentionMask(attentionMask, keyPaddingMask: keyPaddingMask, batch: n, headCount: heads,
                                         queryLength: l, keyLength: s)
        let weights = dropoutWeights(attentionWeights(query: q, key: k, mask: mask, isCausal: isCausal))
        let output = outputProjection(mergeHeads(matmul(weights, v)))
        return (output, needWeights ? weights.mean(alongAxis: 1) : nil)
    }

    /// Validates query `[N, L, E]`, key and value `[N, S, E]`; returns (N, L, S).
    public static func validate(query: [Int], key: [Int], value: [Int], embedDimension e: Int) throws(ShapeError) -> (Int, Int, Int) {
        guard query.count == 3, query[2] == e, key.count == 3, key[2] == e, key == value, key[0] == query[0] else {
            throw ShapeError(op: "MultiHeadAttention",
                             "query must be [N, L, \(e)] and key, value [N, S, \(e)], got \(shapeString(query)), \(shapeString(key)), \(shapeString(value))")
        }
        return (query[0], query[1], key[1])
    }
}

/// `[N, T, E]` → `[N, heads, T, E / heads]`.
func separateHeads(_ x: Tensor, headCount: Int) -> Tensor {
    let (n, t, e) = (x.shape[0], x.shape[1], x.shape[2])
    return x.reshaped(to: [n, t, headCount, e / headCount]).permuted(0, 2, 1, 3)
}

/// `[N, T, 3E]` (queries, keys, values side by side) → three `[N, heads, T, E / heads]`.
func splitHeads(_ qkv: Tensor, headCount: Int) -> (Tensor, Tensor, Tensor) {
    let (n, t, e) = (qkv.shape[0], qkv.shape[1], qkv.shape[2] / 3)
    let d = e / headCount
    let stacked = qkv.reshaped(to: [n, t, 3, headCount, d]).permuted(2, 0, 3, 1, 4)
    func part(_ i: Int) -> Tensor {
        stacked.sliced(starts: [i, 0, 0, 0, 0], sizes: [1, n, headCount, t, d]).reshaped(to: [n, headCount, t, d])
    }
    return (part(0), part(1), part(2))
}

/// `[N, heads, T, d]` → `[N, T, heads · d]`.
func mergeHeads(_ x: Tensor) -> Tensor {
    let (n, h, t, d) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    return x.permuted(0, 2, 1, 3).reshaped(to: [n, t, h * d])
}

/// The additive mask on `[N, heads, L, S]` scores from an attention mask (`[L, S]` or
/// `[N·heads, L, S]`) and a key padding mask (`[N, S]`, 1 = padding).
func combinedAttentionMask(_ attentionMask: AttentionMask?, keyPaddingMask: Tensor?, batch n: Int, headCount h: Int,
                           queryLength l: Int, keyLength s: Int) -> Tensor? {
    var mask: Tensor? = nil
    if let attentionMask {
        let shape = attentionMask.shape
        checkShapes { () throws(ShapeError) in
            guard shape == [l, s] || shape == [n * h, l, s] else {
                throw ShapeError(op: "MultiHeadAttention", "attention mask must be [\(l), \(s)] or [\(n * h), \(l), \(s)], got \(shapeString(shape))")
            }
        }
        let additive = attentionMask.additive
        mask = shape.count == 3 ? additive.reshaped(to: [n, h, l, s]) : additive
    }
    if let keyPaddingMask {
        checkShapes { () throws(ShapeError) in
            guard keyPaddingMask.shape == [n, s] else {
                throw ShapeError(op: "MultiHeadAttention", "key padding mask must be [\(n), \(s)], got \(shapeString(keyPaddingMask.shape))")
            }
        }
        let padding = AttentionMask.boolean(keyPaddingMask).additive.reshaped(to: [n, 1, 1, s])
        mask = mask.map { $0 + padding } ?? padding
    }
    return mask
}
