import Latent

/// char-LSTM (vocab 65, embedding 64, 1-layer LSTM 256, T 64, B 32) and char-Transformer
/// (4 pre-LN blocks, d 128, 4 heads, context 128, B 32), as in pytorch_reference.py.
final class BenchCharLSTM: Module {
    let embedding: Embedding
    let lstm: LSTM
    let output: Linear
    init(generator: inout RandomGenerator) {
        embedding = Embedding(count: 65, dimension: 64, generator: &generator)
        lstm = LSTM(inputSize: 64, hiddenSize: 256, generator: &generator)
        output = Linear(256, 65, generator: &generator)
    }
    func loss(_ inputs: IndexTensor, _ targets: IndexTensor) -> Tensor {
        let (h, _) = lstm(embedding(inputs))
        return crossEntropy(logits: output(h).reshaped(to: [-1, 65]), labels: targets.reshaped(to: [-1]))
    }
}

final class BenchCharTransformer: Module {
    let tokens: Embedding
    let positions: LearnedPositionalEmbedding
    let blocks: [TransformerBlock]
    let norm: LayerNorm
    let head: Linear
    init(generator: inout RandomGenerator) {
        tokens = Embedding(count: 65, dimension: 128, generator: &generator)
        positions = LearnedPositionalEmbedding(maxLength: 128, dimension: 128, generator: &generator)
        var blocks: [TransformerBlock] = []
        for _ in 0..<4 { blocks.append(TransformerBlock(dimension: 128, headCount: 4, generator: &generator)) }
        self.blocks = blocks
        norm = LayerNorm([128])
        head = Linear(128, 65, generator: &generator)
    }
    func loss(_ inputs: IndexTensor, _ targets: IndexTensor) -> Tensor {
        var x = positions(tokens(inputs))
        for b in blocks { x = b(x) }
        return crossEntropy(logits: head(norm(x)).reshaped(to: [-1, 65]), labels: targets.reshaped(to: [-1]))
    }
}

extension ModelBenchmark {
    static var sequenceTrainingFactories: [(String, String, () -> (Int) -> Void)] {
        [("lstm", "Char-LSTM h=256 T=64       B=32", charLSTMStep),
         ("transformer", "Char-Transformer 4L d128 T=128 B=32", charTransformerStep)]
    }

    /// Random (input, target) token batches, as `char_batches` in the reference.
    static func characterBatches(_ batch: Int, _ length: Int, _ rng: inout RandomGenerator) -> [(IndexTensor, IndexTensor)] {
        (0..<batchCount).map { _ in
            let s = rng.integers([batch, length + 1], in: 0..<65).scalars
            var inputs: [Int32] = [], targets: [Int32] = []
            for b in 0..<batch {
                let row = s[(b * (length + 1))..<((b + 1) * (length + 1))]
                inputs += row.dropLast()
                targets += row.dropFirst()
            }
            return (IndexTensor(shape: [batch, length], scalars: inputs), IndexTensor(shape: [batch, length], scalars: targets))
        }
    }

    static func charLSTMStep() -> (Int) -> Void {
        var rng = RandomGenerator(seed: 0)
        let model = BenchCharLSTM(generator: &rng)
        let batches = characterBatches(32, 64, &rng)
        return makeStep(model, batches: batches) { m, b in m.loss(b.0, b.1) }
    }

    static func charTransformerStep() -> (Int) -> Void {
        var rng = RandomGenerator(seed: 0)
        let model = BenchCharTransformer(generator: &rng)
        let batches = characterBatches(32, 128, &rng)
        return makeStep(model, batches: batches) { m, b in m.loss(b.0, b.1) }
    }
}
