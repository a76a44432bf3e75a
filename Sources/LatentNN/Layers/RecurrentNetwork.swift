import LatentCore

/// What ``LSTM`` and ``GRU`` share: sizes, PyTorch-named parameters, dropout between
/// layers, and the loop that feeds each layer's hidden states to the next.
///
/// `State` is what the network carries between sequences (``LSTMState`` for the LSTM, the
/// hidden state tensor `[layers, N, H]` for the GRU). Subclasses supply one layer's
/// recurrence; callers use ``callAsFunction(_:initialState:)``.
public class RecurrentNetwork<State>: Module {
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
    /// The op name in messages and the summary (`LSTM`, `GRU`).
    class var kind: String { "RecurrentNetwork" }
    /// Gate blocks in each weight (4 for the LSTM, 3 for the GRU).
    class var gateCount: Int { 1 }

    /// Creates the network with weights and biases drawn from `U(−1/√H, 1/√H)` (as PyTorch).
    ///
    /// - Parameters:
    ///   - inputSize: Features per time step of the input.
    ///   - hiddenSize: `H`, the size of the hidden (and for the LSTM, cell) states.
    ///   - layerCount: Number of stacked layers.
    ///   - bias: Whether the layers have biases `b_ih`, `b_hh`.
    ///   - dropout: Dropout probability between layers.
    ///   - generator: The random stream for the initial weights.
    public init(inputSize: Int, hiddenSize: Int, layerCount: Int = 1, bias: Bool = true, dropout: Float = 0,
                generator: inout RandomGenerator) {
        let kind = Self.kind
        ensure(inputSize > 0 && hiddenSize > 0 && layerCount > 0,
               "\(kind): sizes must be positive, got input \(inputSize), hidden \(hiddenSize), layers \(layerCount)")
        ensure(dropout >= 0 && dropout < 1, "\(kind): dropout \(dropout) is not in [0, 1)")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.hasBias = bias
        self.dropout = dropout
        self.generator = generator.split()
        self.weights = RecurrentParameters(gateCount: Self.gateCount, inputSize: inputSize, hiddenSize: hiddenSize,
                                           layerCount: layerCount, bias: bias, generator: &generator)
    }

    /// The parameters under PyTorch's names (`weight_ih_l0`, …).
    public override func children() -> [(name: String, item: ModuleItem)] { weights.children }

    public override var summary: String {
        "\(Self.kind)(\(inputSize) → \(hiddenSize), layers: \(layerCount)\(hasBias ? "" : ", bias: false")\(dropout > 0 ? ", dropout: \(dropout)" : ""))"
    }

    /// Runs the network over `input`, drawing any dropout masks between layers from the
    /// module's own ``generator``.
    ///
    /// - Parameters:
    ///   - input: `[N, T, inputSize]`, batch first.
    ///   - initialState: the state of every layer before the first step (`[layers, N, H]`
    ///     tensors); zeros when `nil`.
    /// - Returns: The last layer's hidden states `[N, T, H]` and the final state of every layer.
    public func callAsFunction(_ input: Tensor, initialState: State? = nil) -> (output: Tensor, state: State) {
        let p = dropout, training = isTraining
        return forward(input, initialState) {
            $0.dropout(probability: p, generator: &self.generator, isTraining: training)
        }
    }

    /// Runs the network over `input`, drawing the dropout masks between layers from `generator`.
    public func callAsFunction(_ input: Tensor, initialState: State? = nil,
                               generator: inout RandomGenerator) -> (output: Tensor, state: State) {
        let p = dropout, training = isTraining
        return forward(input, initialState) { $0.dropout(probability: p, generator: &generator, isTraining: training) }
    }

    /// The subclass's network: validates `initialState` and runs ``stackLayers(_:_:_:)``.
    func forward(_ input: Tensor, _ initialState: State?,
                 _ dropoutBetweenLayers: (Tensor) -> Tensor) -> (output: Tensor, state: State) {
        fatalError("\(Self.kind): RecurrentNetwork subclasses implement forward")
    }

    /// Runs `layer(l, x)` for each layer, `x` being the input for layer 0 and the previous
    /// layer's hidden states `[N, T, H]` (after dropout) above it. Each call returns that
    /// layer's hidden states and its final state tensors (`[N, H]` each).
    /// - Returns: The last layer's hidden states, and for each kind of final state the
    ///   `[layers, N, H]` stack over layers.
    func stackLayers(_ input: Tensor, _ dropoutBetweenLayers: (Tensor) -> Tensor,
                     _ layer: (_ l: Int, _ x: Tensor) -> (output: Tensor, finals: [Tensor])) -> (output: Tensor, finals: [Tensor]) {
        var x = input
        var finals: [[Tensor]] = []
        for l in 0..<layerCount {
            let result = layer(l, x)
            x = result.output
            finals.append(result.finals)
            if l < layerCount - 1 { x = dropoutBetweenLayers(x) }
        }
        let kinds = finals.first?.count ?? 0
        return (x, (0..<kinds).map { k in stack(finals.map { $0[k] }, alongAxis: 0) })
    }

    /// Batch size and length of a `[N, T, inputSize]` input (traps with the shapes otherwise).
    func sequenceSize(_ input: Tensor) -> (batch: Int, length: Int) {
        validateSequence(input.shape, inputSize: inputSize, op: Self.kind)
    }

    /// Layer `l`'s slice `[N, H]` of a `[layers, N, H]` state, after checking that shape;
    /// zeros when `state` is nil.
    func layerState(_ state: Tensor?, layer l: Int, batch n: Int, name: String) -> Tensor {
        guard let state else { return .zeros([n, hiddenSize]) }
        if l == 0 { validateState(state.shape, expected: [layerCount, n, hiddenSize], name: name, op: Self.kind) }
        return state.sliced(alongAxis: 0, range: l..<(l + 1)).reshaped(to: [n, hiddenSize])
    }

    /// The last time step `[N, H]` of hidden states `[N, T, H]`.
    func lastStep(_ x: Tensor) -> Tensor {
        let (n, t, h) = (x.shape[0], x.shape[1], x.shape[2])
        return x.sliced(starts: [0, t - 1, 0], sizes: [n, 1, h]).reshaped(to: [n, h])
    }
}
