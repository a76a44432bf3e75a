/// Validates the operands of ``lstmRecurrence(inputGates:recurrentWeight:bias:initialHidden:initialCell:)``
/// and returns the batch size `N`, the sequence length `T` and the hidden size `H`.
public func lstmRecurrenceShapes(inputGates: [Int], recurrentWeight: [Int], bias: [Int],
                                 initialHidden: [Int], initialCell: [Int]) throws(ShapeError) -> (batch: Int, length: Int, hidden: Int) {
    let op = "lstmRecurrence"
    guard recurrentWeight.count == 2, recurrentWeight[0] == 4 * recurrentWeight[1] else {
        throw ShapeError(op: op, "recurrent weight must have shape [4H, H], got \(shapeString(recurrentWeight))")
    }
    let h = recurrentWeight[1]
    guard inputGates.count == 3, inputGates[2] == 4 * h, inputGates[1] >= 1 else {
        throw ShapeError(op: op, "input gates must have shape [N, T, \(4 * h)] with T ≥ 1 for recurrent weight \(shapeString(recurrentWeight)), got \(shapeString(inputGates))")
    }
    let n = inputGates[0]
    guard bias == [4 * h] else {
        throw ShapeError(op: op, "bias must have shape [\(4 * h)], got \(shapeString(bias))")
    }
    guard initialHidden == [n, h], initialCell == [n, h] else {
        throw ShapeError(op: op, "initial hidden and cell states must have shape [\(n), \(h)], got \(shapeString(initialHidden)) and \(shapeString(initialCell))")
    }
    return (n, inputGates[1], h)
}

/// The LSTM recurrence over a whole sequence, fused into one op.
///
/// With input gates `a_t = x_t W_ihᵀ` precomputed for all time steps (one matrix product),
/// each step computes, in PyTorch's gate order (input, forget, cell, output),
///
///     [i, f, g, o] = a_t + h_{t−1} W_hhᵀ + b
///     i, f, o = σ(i), σ(f), σ(o);  g = tanh(g)
///     c_t = f ⊙ c_{t−1} + i ⊙ g
///     h_t = o ⊙ tanh(c_t)
///
/// with one `[N, H] × [H, 4H]` product per step and the gate arithmetic in one pass.
/// The result stacks every hidden and cell state: `[2, N, T, H]`, with `h_t` at
/// `[0, :, t]` and `c_t` at `[1, :, t]`.
///
/// The backward rule is backpropagation through time in one pass (one `[N, 4H] × [4H, H]`
/// product per step, then a single product for `∂L/∂W_hh`), using the gate activations
/// kept from the forward pass. When the gradient is itself recorded (higher-order
/// derivatives), the rule instead differentiates the same recurrence written with
/// ordinary tensor ops, so gradients of gradients are exact too.
///
/// From Hochreiter & Schmidhuber, "Long short-term memory" (1997), with the forget gate of
/// Gers et al. (2000).
///
/// - Parameters:
///   - inputGates: `x W_ihᵀ`, shape `[N, T, 4H]` (batch first).
///   - recurrentWeight: `W_hh`, shape `[4H, H]`.
///   - bias: `b_ih + b_hh`, shape `[4H]`.
///   - initialHidden: `h_0`, shape `[N, H]`.
///   - initialCell: `c_0`, shape `[N, H]`.
public func lstmRecurrence(inputGates: Tensor, recurrentWeight: Tensor, bias: Tensor,
                           initialHidden: Tensor, initialCell: Tensor) -> Tensor {
    let (n, t, h) = checkShapes { () throws(ShapeError) in
        try lstmRecurrenceShapes(inputGates: inputGates.shape, recurrentWeight: recurrentWeight.shape, bias: bias.shape,
                                 initialHidden: initialHidden.shape, initialCell: initialCell.shape)
    }
    let activations = Tensor(shape: [n, t, 5 * h]) { _, _ in }
    let out = Tensor(shape: [2, n, t, h]) { o, _ in
        LSTMKernels.forward(inputGates: inputGates.storage.pointer, weight: recurrentWeight.storage.pointer,
                            bias: bias.storage.pointer, h0: initialHidden.storage.pointer, c0: initialCell.storage.pointer,
                            batch: n, length: t, hidden: h, activations: activations.storage.pointer, out: o)
    }
    return Tensor.record("lstmRecurrence", inputs: [inputGates, recurrentWeight, bias, initialHidden, initialCell],
                         output: out,
                         fusedBackward: { LSTMKernels.backward($0, activations: activations, batch: n, length: t, hidden: h) },
                         composedBackward: { ctx in
                             ctx.pullback { xs in
                                 lstmRecurrenceReference(inputGates: xs[0], recurrentWeight: xs[1], bias: xs[2],
                                                         initialHidden: xs[3], initialCell: xs[4])
                             }
                         })
}

/// The LSTM recurrence written with ordinary differentiable ops (one slice, matmul and a
/// few elementwise ops per step): the reference for the fused op and its higher-order
/// derivatives. Same operands and result as ``lstmRecurrence(inputGates:recurrentWeight:bias:initialHidden:initialCell:)``.
public func lstmRecurrenceReference(inputGates: Tensor, recurrentWeight: Tensor, bias: Tensor,
                             initialHidden: Tensor, initialCell: Tensor) -> Tensor {
    let (n, t, h) = checkShapes { () throws(ShapeError) in
        try lstmRecurrenceShapes(inputGates: inputGates.shape, recurrentWeight: recurrentWeight.shape, bias: bias.shape,
                                 initialHidden: initialHidden.shape, initialCell: initialCell.shape)
    }
    var hidden = initialHidden, cell = initialCell
    var hiddens: [Tensor] = [], cells: [Tensor] = []
    for step in 0..<t {
        let a = inputGates.sliced(alongAxis: 1, range: step..<(step + 1)).reshaped(to: [n, 4 * h])
            + matmul(hidden, recurrentWeight, transposeB: true) + bias
        let gates = a.split(sizes: [h, h, h, h], alongAxis: 1)
        let i = gates[0].sigmoid(), f = gates[1].sigmoid(), g = gates[2].tanh(), o = gates[3].sigmoid()
        cell = f * cell + i * g
        hidden = o * cell.tanh()
        hiddens.append(hidden)
        cells.append(cell)
    }
    return stack([stack(hiddens, alongAxis: 1), stack(cells, alongAxis: 1)], alongAxis: 0)
}
