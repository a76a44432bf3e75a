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
public final class LSTM: RecurrentNetwork<LSTMState> {
    override class var kind: String { "LSTM" }
    override class var gateCount: Int { 4 }

    override func forward(_ input: Tensor, _ initialState: LSTMState?,
                          _ dropoutBetweenLayers: (Tensor) -> Tensor) -> (output: Tensor, state: LSTMState) {
        let (n, t) = sequenceSize(input)
        let h = hiddenSize
        let (output, finals) = stackLayers(input, dropoutBetweenLayers) { l, x in
            let bias: Tensor
            if let bi = weights.inputBias(l), let bh = weights.recurrentBias(l) { bias = bi + bh } else { bias = .zeros([4 * h]) }
            let states = lstmRecurrence(inputGates: linear(x, weight: weights.inputWeight(l)),
                                        recurrentWeight: weights.recurrentWeight(l), bias: bias,
                                        initialHidden: layerState(initialState?.hidden, layer: l, batch: n, name: "hidden"),
                                        initialCell: layerState(initialState?.cell, layer: l, batch: n, name: "cell"))
            let y = states.sliced(starts: [0, 0, 0, 0], sizes: [1, n, t, h]).reshaped(to: [n, t, h])
            return (y, [lastStep(y), states.sliced(starts: [1, 0, t - 1, 0], sizes: [1, n, 1, h]).reshaped(to: [n, h])])
        }
        return (output, LSTMState(hidden: finals[0], cell: finals[1]))
    }
}
