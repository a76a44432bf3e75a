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
public final class GRU: RecurrentNetwork<Tensor> {
    override class var kind: String { "GRU" }
    override class var gateCount: Int { 3 }

    /// The state is `h_0`, `[layers, N, H]`; the returned state is the final hidden state of
    /// every layer, `[layers, N, H]`.
    override func forward(_ input: Tensor, _ initialState: Tensor?,
                          _ dropoutBetweenLayers: (Tensor) -> Tensor) -> (output: Tensor, state: Tensor) {
        let (n, _) = sequenceSize(input)
        let h = hiddenSize
        let (output, finals) = stackLayers(input, dropoutBetweenLayers) { l, x in
            let y = gruRecurrence(inputGates: linear(x, weight: weights.inputWeight(l)),
                                  inputBias: weights.inputBias(l) ?? .zeros([3 * h]),
                                  recurrentWeight: weights.recurrentWeight(l),
                                  recurrentBias: weights.recurrentBias(l) ?? .zeros([3 * h]),
                                  initialHidden: layerState(initialState, layer: l, batch: n, name: "hidden"))
            return (y, [lastStep(y)])
        }
        return (output, finals[0])
    }
}
