import Foundation
import LatentCore
import LatentData
import LatentNN

/// A character-level recurrent language model (Karpathy's char-rnn; Zaremba et al. 2014,
/// "Recurrent neural network regularization"): `latent train char-rnn`.
///
///     eₜ = E xₜ,   (hₜ, sₜ) = RNN(eₜ, sₜ₋₁),   p(xₜ₊₁ | x≤ₜ) = softmax(W hₜ + b)
///
/// with an LSTM or GRU of `layers` layers and dropout on the embeddings, between layers
/// and before the output (training only).
///
/// **Truncated backpropagation through time.** Training reads the split as `batch-size`
/// parallel contiguous streams (``ContiguousStreamDataset``, in order, not shuffled), so
/// row `b` of each batch continues row `b` of the one before. The final recurrent state of
/// a batch is carried, detached, into the next (gradients flow through `window` steps);
/// it restarts from zeros with each epoch. The carried state is a pair of buffers
/// (`carriedHidden`, `carriedCell`, `[layers, streams, hidden]`) saved in checkpoints,
/// so an interrupted run resumes exactly. Evaluation carries the state through the split
/// too (``evaluate(on:batchSize:generator:)``).
public final class CharacterRNN: Module, GenerativeModel, TextGenerativeModel {
    public static let modelName = "char-rnn"
    public static let abstract = "Character-level LSTM/GRU language model trained by truncated backpropagation through time with state carried across batches."

    public enum Cell: String, OptionChoice { case lstm, gru }

    static let cell = ModelOption<Cell>("cell", default: .lstm, help: "The recurrent cell.")
    static let layers = ModelOption<Int>("layers", default: 2, bounds: .within(1...16), help: "Stacked recurrent layers.")
    static let hidden = ModelOption<Int>("hidden", default: 256, bounds: .within(1...8192), help: "Width of the recurrent state.")
    static let embedding = ModelOption<Int>("embedding", default: 64, bounds: .within(1...8192), help: "Dimension of each token's embedding.")
    static let dropout = ModelOption<Float>("dropout", default: 0, bounds: .halfOpen(0, 1), help: "Dropout probability on embeddings, between layers and before the output.")
    static let window = ModelOption<Int>("window", default: 64, bounds: .within(1...100_000), help: "Tokens per batch row: the truncation length of backpropagation through time.")
    public static var options: [any DeclaredOption] { [cell, layers, hidden, embedding, dropout, window] }

    /// The recurrent state of every layer: hidden `[layers, N, H]` and, for the LSTM, cell.
    public struct State {
        public var hidden: Tensor
        public var cell: Tensor?
        public func detached() -> State { State(hidden: hidden.detached(), cell: cell?.detached()) }
    }

    public let embeddings: Embedding
    public let lstm: LSTM?
    public let gru: GRU?
    public let output: Linear
    public let vocabulary: TokenVocabulary
    public let window: Int
    public let dropoutProbability: Float
    /// The hidden state carried from the last training batch, `[layers, streams, H]` (no rows before training).
    @Buffer(Tensor.zeros([0]), resizesOnLoad: true) public var carriedHidden: Tensor
    /// The LSTM cell state carried from the last training batch (no rows for a GRU).
    @Buffer(Tensor.zeros([0]), resizesOnLoad: true) public var carriedCell: Tensor

    public static var shufflesTrainingData: Bool { false }

    /// The fewest windows an evaluation stream has (see ``evaluate(on:batchSize:generator:)``).
    public static let evaluationStreamWindows = 16

    public init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        let vocabulary = try Self.textVocabulary(of: data)
        self.vocabulary = vocabulary
        window = options[Self.window]
        dropoutProbability = options[Self.dropout]
        let e = options[Self.embedding], h = options[Self.hidden], l = options[Self.layers]
        embeddings = Embedding(count: vocabulary.count, dimension: e, generator: &generator)
        switch options[Self.cell] {
        case .lstm:
            lstm = LSTM(inputSize: e, hiddenSize: h, layerCount: l, dropout: dropoutProbability, generator: &generator)
            gru = nil
        case .gru:
            gru = GRU(inputSize: e, hiddenSize: h, layerCount: l, dropout: dropoutProbability, generator: &generator)
            lstm = nil
        }
        output = Linear(h, vocabulary.count, generator: &generator)
        super.init()
    }

    public func dataset(_ name: String, split: DataSplit, store: DatasetStore) throws -> AnyDataset<TokenBatch> {
        try textDataset(name, split: split, store: store, contextLength: window, vocabulary: vocabulary)
    }

    /// `batchSize` parallel streams of the training split; resets the carried state.
    public func trainingDataset(_ name: String, store: DatasetStore, batchSize: Int) throws -> AnyDataset<TokenBatch> {
        let corpus = try textCorpus(name, store: store, vocabulary: vocabulary)
        let streams = ContiguousStreamDataset(tokens: Array(corpus.tokens(.train)), length: window, streams: batchSize)
        guard streams.count > 0 else {
            throw TrainingError("dataset '\(name)': the train split has \(corpus.tokens(.train).count) tokens, too few for \(batchSize) streams of at least one window of \(window) + 1; use a smaller --batch-size or window")
        }
        carriedHidden = .zeros([0])
        carriedCell = .zeros([0])
        return AnyDataset(streams)
    }

    /// Logits `[N, T, V]` for `inputs` `[N, T]` from `state` (zeros when nil), and the final state.
    public func run(_ inputs: IndexTensor, state: State?, generator: inout RandomGenerator) -> (logits: Tensor, state: State) {
        let p = dropoutProbability, training = isTraining
        let x = embeddings(inputs).dropout(probability: p, generator: &generator, isTraining: training)
        let h: Tensor, final: State
        if let lstm {
            let initial = state.map { LSTMState(hidden: $0.hidden, cell: $0.cell!) }
            let r = lstm(x, initialState: initial, generator: &generator)
            (h, final) = (r.output, State(hidden: r.state.hidden, cell: r.state.cell))
        } else {
            let r = gru!(x, initialState: state?.hidden, generator: &generator)
            (h, final) = (r.output, State(hidden: r.state, cell: nil))
        }
        return (output(h.dropout(probability: p, generator: &generator, isTraining: training)), final)
    }

    /// The state carried into a training batch: the last batch's final state, or nil (zeros)
    /// at the start of an epoch (chunk 0 of every stream) or when the stream count changed.
    func carriedState(for batch: TokenBatch) -> State? {
        let n = batch.count
        guard let first = batch.indices.first, first / n > 0, carriedHidden.rank == 3, carriedHidden.shape[1] == n else { return nil }
        return State(hidden: carriedHidden, cell: lstm == nil ? nil : carriedCell)
    }

    public func trainingStep(_ batch: TokenBatch, context: TrainingStepContext) throws -> StepResult {
        let initial = carriedState(for: batch)
        var final: State?
        var metrics: [String: Double] = [:]
        let loss = try context.update(ParameterGroup.defaultName) {
            let r = run(batch.inputs, state: initial, generator: &context.generator)
            final = r.state
            let l = nextTokenLoss(logits: r.logits, targets: batch.targets)
            metrics = l.metrics
            return l.loss
        }
        if let final = final?.detached() {
            carriedHidden = final.hidden
            carriedCell = final.cell ?? .zeros([0])
        }
        return StepResult(loss: loss, metrics: metrics)
    }

    public func evaluationSums(_ batch: TokenBatch, generator: inout RandomGenerator) -> [String: Double] {
        nextTokenEvaluationSums(logits: run(batch.inputs, state: nil, generator: &generator).logits, targets: batch.targets)
    }

    /// Reads the split's `n` consecutive windows as S contiguous streams (stream s: windows
    /// `s·k ..< (s+1)·k`, `k = ⌈n / S⌉`) with the state carried from window to window, as
    /// in training, so each token is predicted from its whole stream before it. Streams are
    /// at least ``evaluationStreamWindows`` windows long (`S = min(batchSize, ⌊n / 16⌋)`, at
    /// least 1), so only the first tokens of a few streams lack context. Returns `nll` per
    /// token and `bits-per-char`. (The windows must be consecutive pieces of one text, as
    /// ``dataset(_:split:store:)`` gives them.)
    public func evaluate(on data: AnyDataset<TokenBatch>, batchSize: Int, generator: inout RandomGenerator) -> [String: Double]? {
        let n = data.count
        guard n > 0 else { return nil }
        let streams = max(1, min(batchSize, n / Self.evaluationStreamWindows)), k = (n + streams - 1) / streams
        var state: State?, nll = 0.0, tokens = 0
        for c in 0..<k {
            let rows = (0..<streams).filter { $0 * k + c < n }          // a prefix: later streams end first
            let batch = data.batch(at: rows.map { $0 * k + c }, generator: &generator)
            if let s = state, rows.count < s.hidden.shape[1] {
                state = State(hidden: s.hidden.sliced(alongAxis: 1, range: 0..<rows.count),
                              cell: s.cell?.sliced(alongAxis: 1, range: 0..<rows.count))
            }
            let r = run(batch.inputs, state: state, generator: &generator)
            state = r.state
            nll += Double(crossEntropy(logits: r.logits, labels: batch.targets, reduction: .none).sum().scalar)
            tokens += batch.count * batch.inputs.shape[1]
        }
        let perToken = nll / Double(tokens)
        return [MetricName.nll: perToken, MetricName.bitsPerCharacter: perToken / log(2.0)]
    }

    /// Reads the prompt once, then one step per token with the recurrent state carried.
    public func generate(prompt: [Int32], count: Int, sampling: TextSampling, generator: inout RandomGenerator) -> [Int32] {
        var pending = startTokens(prompt), state: State?, out: [Int32] = []
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        for _ in 0..<count {
            let r = withoutDerivative { run(IndexTensor(shape: [1, pending.count], scalars: pending), state: state, generator: &generator) }
            state = r.state
            let next = sampling.draw(lastRow(r.logits), generator: &generator)
            out.append(next)
            pending = [next]
        }
        return out
    }
}
