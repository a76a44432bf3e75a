import Foundation
import LatentCore
import LatentNN
import LatentTestSupport
import Testing

/// MultiHeadAttention and TransformerBlock against PyTorch (Scripts/fixtures/nn_sequence.py),
/// masks, dropout, and positional embeddings.
@Suite struct AttentionTests {
    static func expectGradients(_ name: String, _ actual: [String: Tensor], _ expected: [String: Tensor]) {
        for (k, v) in actual {
            guard let e = expected[k] else { Issue.record("\(name): no golden gradient for \(k)"); continue }
            expectClose(v, e, relative: 1e-5, absolute: 1e-6, "\(name) gradient \(k)")
        }
    }

    @Test func multiHeadSelfAttentionMatchesPyTorch() throws {
        let f = SequenceFixture.tensors("mha_causal")
        let inputs = SequenceFixture.group(f, "input"), weights = SequenceFixture.group(f, "weight")
        let expected = SequenceFixture.group(f, "output"), expectedGradients = SequenceFixture.group(f, "grad")
        var g = RandomGenerator(seed: 0)
        let model = MultiHeadAttention(embedDimension: 8, headCount: 2, generator: &g)
        try model.load(state: SequenceFixture.group(f, "param"))
        func loss(_ m: MultiHeadAttention, _ x: Tensor) -> Tensor {
            let (y, a) = m(query: x, key: x, value: x, isCausal: true, needWeights: true)
            return (y * weights["y"]!).sum() + (a! * weights["attention"]!).sum()
        }
        let x = inputs["x"]!
        let (y, a) = model(query: x, key: x, value: x, isCausal: true, needWeights: true)
        expectClose(y, expected["y"]!, relative: 1e-5, absolute: 1e-6, "output")
        expectClose(a!, expected["attention"]!, relative: 1e-5, absolute: 1e-6, "weights")
        Self.expectGradients("mha_causal", gradient(of: model) { loss($0, x) }, expectedGradients)
        Self.expectGradients("mha_causal", ["x": gradient(at: x) { loss(model, $0) }], expectedGradients)
        // The same causal mask given explicitly (boolean and additive) gives the same result.
        let causal = Tensor(shape: [5, 5], scalars: (0..<25).map { $0 % 5 > $0 / 5 ? 1 : 0 })
        expectClose(model(query: x, key: x, value: x, attentionMask: .boolean(causal)).output, y)
        expectClose(model(query: x, key: x, value: x, attentionMask: .boolean(causal)).output,
                    model(query: x, key: x, value: x, attentionMask: .additive(AttentionMask.boolean(causal).additive)).output)
    }

    @Test func crossAttentionWithPaddingMatchesPyTorch() throws {
        let f = SequenceFixture.tensors("mha_cross")
        let inputs = SequenceFixture.group(f, "input"), weights = SequenceFixture.group(f, "weight")
        let expected = SequenceFixture.group(f, "output"), expectedGradients = SequenceFixture.group(f, "grad")
        var g = RandomGenerator(seed: 0)
        let model = MultiHeadAttention(embedDimension: 8, headCount: 2, generator: &g)
        try model.load(state: SequenceFixture.group(f, "param"))
        let padding = inputs["key_padding_mask"]!, mask = inputs["attn_mask"]!
        func run(_ m: MultiHeadAttention, _ xs: [Tensor]) -> (Tensor, Tensor) {
            let (y, a) = m(query: xs[0], key: xs[1], value: xs[2], attentionMask: .additive(mask),
                           keyPaddingMask: padding, needWeights: true)
            return (y, a!)
        }
        func loss(_ m: MultiHeadAttention, _ xs: [Tensor]) -> Tensor {
            let (y, a) = run(m, xs)
            return (y * weights["y"]!).sum() + (a * weights["attention"]!).sum()
        }
        let xs = ["query", "key", "value"].map { inputs[$0]! }
        let (y, a) = run(model, xs)
        expectClose(y, expected["y"]!, relative: 1e-5, absolute: 1e-6, "output")
        expectClose(a, expected["attention"]!, relative: 1e-5, absolute: 1e-6, "weights")
        Self.expectGradients("mha_cross", gradient(of: model) { loss($0, xs) }, expectedGradients)
        let inputGradients = gradient(at: xs) { loss(model, $0) }
        Self.expectGradients("mha_cross", Dictionary(uniqueKeysWithValues: zip(["query", "key", "value"], inputGradients)),
                             expectedGradients)
        // Padded keys get no weight.
        #expect(a.scalars[(4 * 6)...].enumerated().allSatisfy { $0.offset % 6 < 4 || $0.element == 0 })
    }

    @Test func transformerBlockMatchesPyTorch() throws {
        let f = SequenceFixture.tensors("block")
        let x = SequenceFixture.group(f, "input")["x"]!, w = SequenceFixture.group(f, "weight")["y"]!
        let expectedGradients = SequenceFixture.group(f, "grad")
        var g = RandomGenerator(seed: 0)
        let block = TransformerBlock(dimension: 8, headCount: 2, generator: &g)
        try block.load(state: SequenceFixture.group(f, "param"))
        expectClose(block(x), SequenceFixture.group(f, "output")["y"]!, relative: 1e-5, absolute: 1e-6, "output")
        Self.expectGradients("block", gradient(of: block) { ($0(x) * w).sum() }, expectedGradients)
        Self.expectGradients("block", ["x": gradient(at: x) { (block($0) * w).sum() }], expectedGradients)
    }

    /// A prompt of 3 positions then 4 single positions through the key–value cache give
    /// the rows of the full causal pass.
    @Test func keyValueCacheMatchesTheFullCausalPass() {
        var g = RandomGenerator(seed: 11)
        let block = TransformerBlock(dimension: 8, headCount: 2, generator: &g)
        block.eval()
        let x = g.normal([2, 7, 8])
        let full = block(x)
        var cache = KeyValueCache()
        var rows = [block(x.sliced(starts: [0, 0, 0], sizes: [2, 3, 8]), cache: &cache)]
        for t in 3..<7 { rows.append(block(x.sliced(starts: [0, t, 0], sizes: [2, 1, 8]), cache: &cache)) }
        #expect(cache.count == 7 && cache.keys?.shape == [2, 2, 7, 4])
        #expect((concatenate(rows, alongAxis: 1) - full).abs().max().scalar < 1e-5)
    }

    @Test func stateKeysArePyTorchs() {
        var g = RandomGenerator(seed: 0)
        let attention = MultiHeadAttention(embedDimension: 8, headCount: 2, generator: &g)
        #expect(attention.namedParameters().map(\.path) == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"])
        let noBias = MultiHeadAttention(embedDimension: 8, headCount: 2, bias: false, generator: &g)
        #expect(noBias.namedParameters().map(\.path) == ["in_proj_weight", "out_proj.weight"])
        let block = TransformerBlock(dimension: 8, headCount: 2, generator: &g)
        #expect(Set(block.parameters().keys) == Set(TransformerBlock.nanoGPTStateKeys.values))
        #expect(block.parameters()["fc1.weight"]!.shape == [32, 8])
    }

    /// Attention dropout: reproducible from the generator, the identity in evaluation mode.
    @Test func dropout() {
        var g = RandomGenerator(seed: 0)
        let block = TransformerBlock(dimension: 8, headCount: 2, dropout: 0.3, generator: &g)
        let x = g.normal([2, 5, 8])
        var r1 = RandomGenerator(seed: 7), r2 = RandomGenerator(seed: 7)
        let a = block(x, generator: &r1), b = block(x, generator: &r2)
        #expect(a.scalars == b.scalars)
        block.eval()
        var r3 = RandomGenerator(seed: 7)
        #expect(block(x, generator: &r3).scalars == block(x).scalars)
        #expect(a.scalars != block(x).scalars)
    }

    /// Blocks and positional embeddings are layers: a GPT trunk is a Sequential.
    @Test func composesInSequential() {
        var g = RandomGenerator(seed: 0)
        let position = SinusoidalPositionalEmbedding(dimension: 8)
        let blocks = (0..<2).map { _ in TransformerBlock(dimension: 8, headCount: 2, generator: &g) }
        let trunk = Sequential([position] + blocks)
        let x = g.normal([2, 5, 8])
        expectClose(trunk(x), blocks[1](blocks[0](position(x))))
        #expect(trunk.parameters().keys.contains("1.qkv.weight"))
        // Causality: changing the last position leaves the earlier outputs unchanged.
        var changed = x.scalars
        for i in 0..<8 { changed[4 * 8 + i] += 1 }
        let y1 = trunk(x), y2 = trunk(Tensor(shape: x.shape, scalars: changed))
        expectClose(y1[.all, 0..<4], y2[.all, 0..<4], relative: 0, absolute: 0)
    }

    @Test func positionalEmbeddings() {
        let sinusoidal = SinusoidalPositionalEmbedding(dimension: 6)
        let p = sinusoidal.embeddings(length: 4, offset: 1)
        for t in 0..<4 {
            for j in 0..<6 {
                let angle = Double(t + 1) / Foundation.pow(10_000, Double(j / 2 * 2) / 6)
                #expect(abs(p[element: [t, j]] - Float(j % 2 == 0 ? sin(angle) : cos(angle))) < 1e-6)
            }
        }
        #expect(sinusoidal.parameters().isEmpty)
        var g = RandomGenerator(seed: 0)
        let learned = LearnedPositionalEmbedding(maxLength: 10, dimension: 3, generator: &g)
        let x = g.normal([2, 4, 3])
        expectClose(learned(x, offset: 2), x + learned.weight.sliced(alongAxis: 0, range: 2..<6))
        let grad = gradient(of: learned) { $0(x, offset: 2).sum() }["weight"]!
        #expect(grad.scalars == (0..<30).map { $0 / 3 >= 2 && $0 / 3 < 6 ? 2 : 0 })
    }
}
