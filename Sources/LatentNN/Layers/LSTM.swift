import LatentCore

/// The state an ``LSTM`` carries between sequences: hidden and cell states of every layer.
public struct LSTMState: Sendable {
    /// Hidden states `h`, shape `[layers, N, H]`.
    public var hidden: Tensor
    /// Cell states `c`, shape `[layers, N, H]`.
    public var cell: Tensor

    public init(hidden: Tensor, cell: Tensor) {
        self.hidden = hidden
        self.cell = cell
    }

    /// The same state cut off from the autodiff graph: pass it as the next chunk's initial
    /// state for truncated backpropagation through time.
    public func detached() -> LSTMState { LSTMState(hidden: hidden.detached(), cell: cell.detached()) }
}

/// A multi-layer long short-term memory network over batch-first sequences, laid out as
/// PyTorch's `nn.LSTM(batch_first=True)`.
///
/// For each layer and time step, with gates in PyTorch's order (input, forget, cell, output):
///
///     i = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)
///     f = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)
///     g = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)
///     o = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)
///     c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
///
/// Each layer's input projection is one matrix product over all time steps; the
/// recurrence is one fused op (``lstmRecurrence(inputGates:recurrentWeight:bias:initialHidden:initialCell:)``).
/// Layer `l > 0` reads layer `l − 1`'s hidden states, with dropout between layers in
/// training mode.
///
/// Parameters are named as in PyTorch's state dict — `weight_ih_l0` `[4H, input]`,
/// `weight_hh_l0` `[4H, H]`, `bias_ih_l0`, `bias_hh_l0` `[4H]`, then `…_l1`, … — so a
/// PyTorch `nn.LSTM` state dict loads with ``Module/load(state:strict:)`` unchanged.
/// (Bidirectional layers and `proj_size` are not supported.)
///
/// From Hochreiter & Schmidhuber, "Long short-term memory" (1997).
public final class LSTM: Module {
    public let inputSize: Int
    public let hiddenSize: Int
    public let layerCount: Int
    public let hasBias: Bool
    /// Dropout probability on the outputs of every layer but the last (training only).
    public let dropout: Float
    /// The stream the dropout masks are drawn from when no generator is passed: split from
    /// the generator given at creation, advanced by each training-mode call with dropout.
    /// It is not part of the module's state (not saved in checkpoints).
    public var generator: RandomGenerator
    let weights: RecurrentParameters

    /// Creates an LSTM with weights and biases drawn from `U(−1/√H, 1/√H)` (as PyTorch).
    ///
    /// - Parameters:
    ///   - inputSize: Features per time step of the input.
    ///   - hiddenSize: `H`, the size of the hidden and cell states.
    ///   - layerCount: Number of stacked layers.
    ///   - bias: Whether the layers have biases `b_ih`, `b_hh`.
    ///   - dropout: Dropout probability between layers.
    ///   - generator: The random stream for the initial weights.
    public init(inputSize: Int, hiddenSize: Int, layerCount: Int = 1, bias: Bool = true, dropout: Float = 0,
                generator: inout RandomGenerator) {
        ensure(inputSize > 0 && hiddenSize > 0 && layerCount > 0,
                     "LSTM: sizes must be positive, got input \(inputSize), hidden \(hiddenSize), layers \(layerCount)")
        ensure(dropout >= 0 && dropout < 1, "LSTM: dropout \(dropout) is not in [0, 1)")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.hasBias = bias
        self.dropout = dropout
        self.generator = generator.split()
        self.weights = RecurrentParameters(gateCount: 4, inputSize: inputSize, hiddenSize: hiddenSize,
                                           layerCount: layerCount, bias: bias, generator: &generator)
    }

    /// The parameters under PyTorch's names (`weight_ih_l0`, …).
    public override func children() -> [(name: String, item: ModuleItem)] { weights.children }

    public override var summary: String {
        "LSTM(\(inputSize) → \(hiddenSize), layers: \(layerCount)\(hasBias ? "" : ", bias: false")\(dropout > 0 ? ", dropout: \(dropout)" : ""))"
    }

    /// Runs the LSTM over `input`, drawing any dropout masks between layers from the
    /// module's own ``generator``.
    ///
    /// - Parameters:
    ///   - input: `[N, T, inputSize]`, batch first.
    ///   - initialState: `h_0` and `c_0`, each `[layers, N, H]`; zeros when `nil`.
    /// - Returns: The last layer's hidden states `[N, T, H]` and the final state of every layer.
    public func callAsFunction(_ input: Tensor, initialState: LSTMState? = nil) -> (output: Tensor, state: LSTMState) {
        let p = dropout, training = isTraining
        return forward(input, initialState) {
            $0.dropout(probability: p, generator: &self.generator, isTraining: training)
        }
    }

    /// Runs the LSTM over `input`, drawing the dropout masks between layers from `generator`.
    public func callAsFunction(_ input: Tensor, initialState: LSTMState? = nil,
                               generator: inout RandomGenerator) -> (output: Tensor, state: LSTMState) {
        let p = dropout, training = isTraining
        return forward(input, initialState) { $0.dropout(probability: p, generator: &generator, isTraining: training) }
    }

    private func forward(_ input: Tensor, _ initialState: LSTMState?,
                         _ dropoutBetweenLayers: (Tensor) -> Tensor) -> (output: Tensor, state: LSTMState) {
        let (n, t) = validateSequence(input.shape, inputSize: inputSize, op: "LSTM")
        let h = hiddenSize, stateShape = [layerCount, n, h]
        if let s = initialState {
            validateState(s.hidden.shape, expected: stateShape, name: "hidden", op: "LSTM")
            validateState(s.cell.shape, expected: stateShape, name: "cell", op: "LSTM")
        }
        var x = input
        var hiddens: [Tensor] = [], cells: [Tensor] = []
        for l in 0..<layerCount {
            let bias: Tensor
            if let bi = weights.inputBias(l), let bh = weights.recurrentBias(l) { bias = bi + bh } else { bias = .zeros([4 * h]) }
            let h0 = initialState.map { $0.hidden.sliced(alongAxis: 0, range: l..<(l + 1)).reshaped(to: [n, h]) } ?? .zeros([n, h])
            let c0 = initialState.map { $0.cell.sliced(alongAxis: 0, range: l..<(l + 1)).reshaped(to: [n, h]) } ?? .zeros([n, h])
            let states = lstmRecurrence(inputGates: linear(x, weight: weights.inputWeight(l)),
                                        recurrentWeight: weights.recurrentWeight(l), bias: bias,
                                        initialHidden: h0, initialCell: c0)
            x = states.sliced(starts: [0, 0, 0, 0], sizes: [1, n, t, h]).reshaped(to: [n, t, h])
            hiddens.append(x.sliced(starts: [0, t - 1, 0], sizes: [n, 1, h]).reshaped(to: [n, h]))
            cells.append(states.sliced(starts: [1, 0, t - 1, 0], sizes: [1, n, 1, h]).reshaped(to: [n, h]))
            if l < layerCount - 1 { x = dropoutBetweenLayers(x) }
        }
        return (x, LSTMState(hidden: stack(hiddens, alongAxis: 0), cell: stack(cells, alongAxis: 0)))
    }
}
