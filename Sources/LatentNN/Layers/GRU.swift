import LatentCore

/// A multi-layer gated recurrent unit network over batch-first sequences, laid out as
/// PyTorch's `nn.GRU(batch_first=True)`.
///
/// For each layer and time step, with gates in PyTorch's order (reset, update, new):
///
///     r = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)
///     z = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)
///     n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_{t−1} + b_hn))
///     h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
///
/// Each layer's input projection is one matrix product over all time steps; the
/// recurrence is one fused op (``gruRecurrence(inputGates:inputBias:recurrentWeight:recurrentBias:initialHidden:)``).
/// Layer `l > 0` reads layer `l − 1`'s hidden states, with dropout between layers in
/// training mode.
///
/// Parameters are named as in PyTorch's state dict — `weight_ih_l0` `[3H, input]`,
/// `weight_hh_l0` `[3H, H]`, `bias_ih_l0`, `bias_hh_l0` `[3H]`, then `…_l1`, … — so a
/// PyTorch `nn.GRU` state dict loads with ``Module/load(state:strict:)`` unchanged.
/// (Bidirectional layers are not supported.)
///
/// From Cho et al., "Learning phrase representations using RNN encoder–decoder for
/// statistical machine translation" (2014).
public final class GRU: Module {
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

    /// Creates a GRU with weights and biases drawn from `U(−1/√H, 1/√H)` (as PyTorch).
    ///
    /// - Parameters:
    ///   - inputSize: Features per time step of the input.
    ///   - hiddenSize: `H`, the size of the hidden state.
    ///   - layerCount: Number of stacked layers.
    ///   - bias: Whether the layers have biases `b_ih`, `b_hh`.
    ///   - dropout: Dropout probability between layers.
    ///   - generator: The random stream for the initial weights.
    public init(inputSize: Int, hiddenSize: Int, layerCount: Int = 1, bias: Bool = true, dropout: Float = 0,
                generator: inout RandomGenerator) {
        ensure(inputSize > 0 && hiddenSize > 0 && layerCount > 0,
                     "GRU: sizes must be positive, got input \(inputSize), hidden \(hiddenSize), layers \(layerCount)")
        ensure(dropout >= 0 && dropout < 1, "GRU: dropout \(dropout) is not in [0, 1)")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.hasBias = bias
        self.dropout = dropout
        self.generator = generator.split()
        self.weights = RecurrentParameters(gateCount: 3, inputSize: inputSize, hiddenSize: hiddenSize,
                                           layerCount: layerCount, bias: bias, generator: &generator)
    }

    /// The parameters under PyTorch's names (`weight_ih_l0`, …).
    public override func children() -> [(name: String, item: ModuleItem)] { weights.children }

    public override var summary: String {
        "GRU(\(inputSize) → \(hiddenSize), layers: \(layerCount)\(hasBias ? "" : ", bias: false")\(dropout > 0 ? ", dropout: \(dropout)" : ""))"
    }

    /// Runs the GRU over `input`, drawing any dropout masks between layers from the
    /// module's own ``generator``.
    ///
    /// - Parameters:
    ///   - input: `[N, T, inputSize]`, batch first.
    ///   - initialState: `h_0`, `[layers, N, H]`; zeros when `nil`.
    /// - Returns: The last layer's hidden states `[N, T, H]` and the final hidden state of
    ///   every layer, `[layers, N, H]`.
    public func callAsFunction(_ input: Tensor, initialState: Tensor? = nil) -> (output: Tensor, state: Tensor) {
        let p = dropout, training = isTraining
        return forward(input, initialState) {
            $0.dropout(probability: p, generator: &self.generator, isTraining: training)
        }
    }

    /// Runs the GRU over `input`, drawing the dropout masks between layers from `generator`.
    public func callAsFunction(_ input: Tensor, initialState: Tensor? = nil,
                               generator: inout RandomGenerator) -> (output: Tensor, state: Tensor) {
        let p = dropout, training = isTraining
        return forward(input, initialState) { $0.dropout(probability: p, generator: &generator, isTraining: training) }
    }

    private func forward(_ input: Tensor, _ initialState: Tensor?,
                         _ dropoutBetweenLayers: (Tensor) -> Tensor) -> (output: Tensor, state: Tensor) {
        let (n, t) = validateSequence(input.shape, inputSize: inputSize, op: "GRU")
        let h = hiddenSize
        if let s = initialState { validateState(s.shape, expected: [layerCount, n, h], name: "hidden", op: "GRU") }
        var x = input
        var finals: [Tensor] = []
        for l in 0..<layerCount {
            let h0 = initialState.map { $0.sliced(alongAxis: 0, range: l..<(l + 1)).reshaped(to: [n, h]) } ?? .zeros([n, h])
            x = gruRecurrence(inputGates: linear(x, weight: weights.inputWeight(l)),
                              inputBias: weights.inputBias(l) ?? .zeros([3 * h]),
                              recurrentWeight: weights.recurrentWeight(l),
                              recurrentBias: weights.recurrentBias(l) ?? .zeros([3 * h]), initialHidden: h0)
            finals.append(x.sliced(starts: [0, t - 1, 0], sizes: [n, 1, h]).reshaped(to: [n, h]))
            if l < layerCount - 1 { x = dropoutBetweenLayers(x) }
        }
        return (x, stack(finals, alongAxis: 0))
    }
}
