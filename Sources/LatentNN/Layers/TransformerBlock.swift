import LatentCore

/// A pre-LayerNorm transformer block, GPT style:
///
///     x ← x + Dropout(proj(MultiHeadSelfAttention(ln1(x))))
///     x ← x + Dropout(fc2(GELU(fc1(ln2(x)))))
///
/// The parameters are those of the benchmark's reference `Block` (and, renamed, of
/// nanoGPT's): `ln1.weight`, `ln1.bias` `[D]`; `qkv.weight` `[3D, D]` (queries, keys,
/// values stacked), `qkv.bias`; `proj.weight` `[D, D]`, `proj.bias`; `ln2.*`;
/// `fc1.weight` `[r·D, D]`, `fc1.bias`; `fc2.weight` `[D, r·D]`, `fc2.bias`. A state dict
/// of that PyTorch module loads unchanged; nanoGPT's maps with ``nanoGPTStateKeys``.
/// GELU is exact (erf); attention dropout applies to the attention weights.
///
/// From Radford et al., "Language models are unsupervised multitask learners" (GPT-2,
/// 2019), after Vaswani et al. (2017).
public final class TransformerBlock: Module, Layer {
    public let dimension: Int
    public let headCount: Int
    /// Width of the MLP's hidden layer (`mlpRatio · dimension`).
    public let hiddenDimension: Int
    /// Dropout probability on the attention weights and on both residual branches.
    public let dropout: Float
    /// The stream the dropout masks are drawn from when no generator is passed: split from
    /// the generator given at creation, advanced by each training-mode call with dropout.
    /// It is not part of the module's state (not saved in checkpoints).
    public var generator: RandomGenerator
    let ln1: LayerNorm
    let qkv: Linear
    let proj: Linear
    let ln2: LayerNorm
    let fc1: Linear
    let fc2: Linear

    /// Creates the block with PyTorch's default initialisation (linear weights and biases
    /// from `U(−1/√in, 1/√in)`, LayerNorm weight 1 and bias 0).
    ///
    /// - Parameters:
    ///   - dimension: `D`, the width of the residual stream.
    ///   - headCount: Number of attention heads; must divide `D`.
    ///   - mlpRatio: Hidden width of the MLP as a multiple of `D`.
    ///   - dropout: Dropout probability (attention weights and residual branches).
    ///   - generator: The random stream for the initial weights.
    public init(dimension: Int, headCount: Int, mlpRatio: Int = 4, dropout: Float = 0, generator: inout RandomGenerator) {
        ensure(dimension > 0 && headCount > 0 && dimension % headCount == 0 && mlpRatio > 0,
                     "TransformerBlock: dimension \(dimension) must be a positive multiple of headCount \(headCount)")
        ensure(dropout >= 0 && dropout < 1, "TransformerBlock: dropout \(dropout) is not in [0, 1)")
        self.dimension = dimension
        self.headCount = headCount
        self.hiddenDimension = mlpRatio * dimension
        self.dropout = dropout
        self.generator = generator.split()
        ln1 = LayerNorm(dimension)
        qkv = Linear(dimension, 3 * dimension, generator: &generator)
        proj = Linear(dimension, dimension, generator: &generator)
        ln2 = LayerNorm(dimension)
        fc1 = Linear(dimension, mlpRatio * dimension, generator: &generator)
        fc2 = Linear(mlpRatio * dimension, dimension, generator: &generator)
    }

    public override var summary: String {
        "TransformerBlock(\(dimension), heads: \(headCount), mlp: \(hiddenDimension)\(dropout > 0 ? ", dropout: \(dropout)" : ""))"
    }

    /// nanoGPT's state keys (`transformer.h.<i>.` prefix removed) → this block's keys.
    public static let nanoGPTStateKeys: [String: String] = [
        "ln_1.weight": "ln1.weight", "ln_1.bias": "ln1.bias",
        "attn.c_attn.weight": "qkv.weight", "attn.c_attn.bias": "qkv.bias",
        "attn.c_proj.weight": "proj.weight", "attn.c_proj.bias": "proj.bias",
        "ln_2.weight": "ln2.weight", "ln_2.bias": "ln2.bias",
        "mlp.c_fc.weight": "fc1.weight", "mlp.c_fc.bias": "fc1.bias",
        "mlp.c_proj.weight": "fc2.weight", "mlp.c_proj.bias": "fc2.bias",
    ]

    /// Applies the causal block (as a ``Layer``, e.g. inside ``Sequential``).
    public func callAsFunction(_ x: Tensor) -> Tensor { self(x, isCausal: true) }

    /// Applies the block (dropout, if any, drawn from the block's own ``generator``).
    ///
    /// - Parameters:
    ///   - x: `[N, T, D]`.
    ///   - isCausal: Each position attends only to itself and earlier ones.
    ///   - attentionMask: An extra mask `[T, T]` or `[N·heads, T, T]`.
    ///   - keyPaddingMask: `[N, T]`, 1 where a position is padding.
    public func callAsFunction(_ x: Tensor, isCausal: Bool = true, attentionMask: AttentionMask? = nil,
                               keyPaddingMask: Tensor? = nil) -> Tensor {
        let p = dropout, training = isTraining
        return forward(x, isCausal, attentionMask, keyPaddingMask) {
            $0.dropout(probability: p, generator: &self.generator, isTraining: training)
        }
    }

    /// Applies the block, drawing dropout masks from `generator`.
    public func callAsFunction(_ x: Tensor, isCausal: Bool = true, attentionMask: AttentionMask? = nil,
                               keyPaddingMask: Tensor? = nil, generator: inout RandomGenerator) -> Tensor {
        let p = dropout, training = isTraining
        return forward(x, isCausal, attentionMask, keyPaddingMask) {
            $0.dropout(probability: p, generator: &generator, isTraining: training)
        }
    }

    private func forward(_ x: Tensor, _ isCausal: Bool, _ attentionMask: AttentionMask?, _ keyPaddingMask: Tensor?,
                         _ drop: (Tensor) -> Tensor) -> Tensor {
        let d = dimension
        checkShapes { () throws(ShapeError) in
            guard x.rank == 3, x.shape[2] == d else {
                throw ShapeError(op: "TransformerBlock", "input must be [N, T, \(d)], got \(shapeString(x.shape))")
            }
        }
        let (n, t) = (x.shape[0], x.shape[1])
        let packed = qkv(ln1(x))
        let attention: Tensor
        if attentionMask == nil && keyPaddingMask == nil && !(dropout > 0 && isTraining) {
            // No extra mask and no dropout on the weights: the fused op, heads read in place.
            attention = packedSelfAttention(packed, headCount: headCount, isCausal: isCausal)
        } else {
            let (q, k, v) = splitHeads(packed, headCount: headCount)
            let mask = combinedAttentionMask(attentionMask, keyPaddingMask: keyPaddingMask, batch: n,
                                             headCount: headCount, queryLength: t, keyLength: t)
            if dropout > 0 && isTraining {
                attention = mergeHeads(matmul(drop(attentionWeights(query: q, key: k, mask: mask, isCausal: isCausal)), v))
            } else {
                attention = mergeHeads(scaledDotProductAttention(query: q, key: k, value: v, mask: mask, isCausal: isCausal))
            }
        }
        let h = x + drop(proj(attention))
        return h + drop(fc2(fc1(ln2(h)).gelu()))
    }

    /// Applies the causal block in evaluation mode to new positions `x` `[N, L, D]` that
    /// follow the `cache.count` positions whose keys and values `cache` holds, and appends
    /// theirs: incremental decoding with a key–value cache. The result equals the rows of
    /// the full causal pass over all positions (up to rounding).
    public func callAsFunction(_ x: Tensor, cache: inout KeyValueCache) -> Tensor {
        let l = x.shape[1]
        let (q, newKeys, newValues) = splitHeads(qkv(ln1(x)), headCount: headCount)
        var (k, v) = (newKeys, newValues)
        if let keys = cache.keys, let values = cache.values {
            k = concatenate([keys, k], alongAxis: 2)
            v = concatenate([values, v], alongAxis: 2)
        }
        let past = cache.count
        cache = KeyValueCache(keys: k, values: v, count: past + l)
        // Query i (position past + i) sees keys 0 … past + i.
        let mask: Tensor? = l == 1 ? nil : Tensor(shape: [l, past + l]) { p, _ in
            for i in 0..<l { for j in 0..<(past + l) { p[i * (past + l) + j] = j <= past + i ? 0 : -.infinity } }
        }
        let h = x + proj(mergeHeads(scaledDotProductAttention(query: q, key: k, value: v, mask: mask)))
        return h + fc2(fc1(ln2(h)).gelu())
    }
}

/// The keys and values `[N, heads, S, d]` of the `count` positions a ``TransformerBlock``
/// has seen, for incremental decoding (empty at first).
public struct KeyValueCache: Sendable {
    public var keys: Tensor?
    public var values: Tensor?
    public var count: Int
    public init(keys: Tensor? = nil, values: Tensor? = nil, count: Int = 0) {
        self.keys = keys
        self.values = values
        self.count = count
    }
}
