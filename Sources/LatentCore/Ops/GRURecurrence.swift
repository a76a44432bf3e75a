/// Validates the operands of ``gruRecurrence(inputGates:inputBias:recurrentWeight:recurrentBias:initialHidden:)``
/// and returns the batch size `N`, the sequence length `T` and the hidden size `H`.
public func gruRecurrenceShapes(inputGates: [Int], inputBias: [Int], recurrentWeight: [Int], recurrentBias: [Int],
                                initialHidden: [Int]) throws(ShapeError) -> (batch: Int, length: Int, hidden: Int) {
    let op = "gruRecurrence"
    guard recurrentWeight.count == 2, recurrentWeight[0] == 3 * recurrentWeight[1] else {
        throw ShapeError(op: op, "recurrent weight must have shape [3H, H], got \(shapeString(recurrentWeight))")
    }
    let h = recurrentWeight[1]
    guard inputGates.count == 3, inputGates[2] == 3 * h, inputGates[1] >= 1 else {
        throw ShapeError(op: op, "input gates must have shape [N, T, \(3 * h)] with T ≥ 1 for recurrent weight \(shapeString(recurrentWeight)), got \(shapeString(inputGates))")
    }
    guard inputBias == [3 * h], recurrentBias == [3 * h] else {
        throw ShapeError(op: op, "biases must have shape [\(3 * h)], got \(shapeString(inputBias)) and \(shapeString(recurrentBias))")
    }
    let n = inputGates[0]
    guard initialHidden == [n, h] else {
        throw ShapeError(op: op, "initial hidden state must have shape [\(n), \(h)], got \(shapeString(initialHidden))")
    }
    return (n, inputGates[1], h)
}

/// The GRU recurrence over a whole sequence, fused into one op.
///
/// With `a_t = x_t W_ihᵀ` precomputed for all steps (one matrix product), each step
/// computes, in PyTorch's gate order (reset, update, new),
///
///     [a_r, a_z, a_n] = a_t + b_ih,   [u_r, u_z, u_n] = h_{t−1} W_hhᵀ + b_hh
///     r = σ(a_r + u_r),  z = σ(a_z + u_z)
///     n = tanh(a_n + r ⊙ u_n)
///     h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
///
/// with one `[N, H] × [H, 3H]` product per step and the gate arithmetic in one pass.
/// The result is every hidden state, `[N, T, H]` (so `h_T` is the last step).
///
/// The backward rule is backpropagation through time in one pass, using the gates kept
/// from the forward pass; when the gradient is itself recorded (higher-order
/// derivatives) it differentiates the same recurrence written with ordinary tensor ops.
///
/// From Cho et al., "Learning phrase representations using RNN encoder–decoder for
/// statistical machine translation" (2014).
///
/// - Parameters:
///   - inputGates: `x W_ihᵀ`, shape `[N, T, 3H]` (batch first).
///   - inputBias: `b_ih`, shape `[3H]`.
///   - recurrentWeight: `W_hh`, shape `[3H, H]`.
///   - recurrentBias: `b_hh`, shape `[3H]`.
///   - initialHidden: `h_0`, shape `[N, H]`.
public func gruRecurrence(inputGates: Tensor, inputBias: Tensor, recurrentWeight: Tensor, recurrentBias: Tensor,
                          initialHidden: Tensor) -> Tensor {
    let (n, t, h) = checkShapes { () throws(ShapeError) in
        try gruRecurrenceShapes(inputGates: inputGates.shape, inputBias: inputBias.shape, recurrentWeight: recurrentWeight.shape,
                                recurrentBias: recurrentBias.shape, initialHidden: initialHidden.shape)
    }
    let activations = Tensor(shape: [n, t, 4 * h]) { _, _ in }
    let out = Tensor(shape: [n, t, h]) { o, _ in
        GRUKernels.forward(inputGates: inputGates.storage.pointer, inputBias: inputBias.storage.pointer,
                           weight: recurrentWeight.storage.pointer, recurrentBias: recurrentBias.storage.pointer,
                           h0: initialHidden.storage.pointer, batch: n, length: t, hidden: h,
                           activations: activations.storage.pointer, out: o)
    }
    return Tensor.record("gruRecurrence", inputs: [inputGates, inputBias, recurrentWeight, recurrentBias, initialHidden],
                         output: out,
                         fusedBackward: { GRUKernels.backward($0, activations: activations, batch: n, length: t, hidden: h) },
                         composedBackward: { ctx in
                             ctx.pullback { xs in
                                 gruRecurrenceReference(inputGates: xs[0], inputBias: xs[1], recurrentWeight: xs[2],
                                                        recurrentBias: xs[3], initialHidden: xs[4])
                             }
                         })
}

/// The GRU recurrence written with ordinary differentiable ops: the reference for the
/// fused op and its higher-order derivatives. Same operands and result as
/// ``gruRecurrence(inputGates:inputBias:recurrentWeight:recurrentBias:initialHidden:)``.
public func gruRecurrenceReference(inputGates: Tensor, inputBias: Tensor, recurrentWeight: Tensor, recurrentBias: Tensor,
                            initialHidden: Tensor) -> Tensor {
    let (n, t, h) = checkShapes { () throws(ShapeError) in
        try gruRecurrenceShapes(inputGates: inputGates.shape, inputBias: inputBias.shape, recurrentWeight: recurrentWeight.shape,
                                recurrentBias: recurrentBias.shape, initialHidden: initialHidden.shape)
    }
    var hidden = initialHidden
    var hiddens: [Tensor] = []
    for step in 0..<t {
        let a = inputGates.sliced(alongAxis: 1, range: step..<(step + 1)).reshaped(to: [n, 3 * h]) + inputBias
        let u = matmul(hidden, recurrentWeight, transposeB: true) + recurrentBias
        let ag = a.split(sizes: [h, h, h], alongAxis: 1), ug = u.split(sizes: [h, h, h], alongAxis: 1)
        let r = (ag[0] + ug[0]).sigmoid(), z = (ag[1] + ug[1]).sigmoid()
        let candidate = (ag[2] + r * ug[2]).tanh()
        hidden = (1 - z) * candidate + z * hidden
        hiddens.append(hidden)
    }
    return stack(hiddens, alongAxis: 1)
}
