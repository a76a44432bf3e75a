import LatentCore

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
                         output: out) { ctx in
        if GradientMode.isRecording {
            return differentiateReference(ctx) { xs in
                lstmRecurrenceReference(inputGates: xs[0], recurrentWeight: xs[1], bias: xs[2],
                                        initialHidden: xs[3], initialCell: xs[4])
            }
        }
        return LSTMKernels.backward(ctx, activations: activations, batch: n, length: t, hidden: h)
    }
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

/// The backward rule of a fused op when the gradient is being recorded: the vector–Jacobian
/// product of `reference` (the same function written with differentiable ops), recorded so
/// that it can be differentiated again.
func differentiateReference(_ ctx: BackwardContext, _ reference: @escaping ([Tensor]) -> Tensor) -> [Tensor?] {
    let (_, pullback) = valueWithPullback(at: ctx.inputs, createGraph: true, of: reference)
    let gradients = pullback(ctx.gradient)
    return gradients.indices.map { ctx.needsGradient($0) ? gradients[$0] : nil }
}

/// Forward and backward kernels of the fused LSTM recurrence (batch-first buffers).
enum LSTMKernels {
    typealias Vector = GateMath.Vector

    /// Runs the recurrence. `activations` receives `[N, T, 5H]` for the backward pass: the
    /// gate activations i, f, g, o (after their nonlinearities) and `tanh(c_t)`; `out`
    /// receives `[2, N, T, H]` (hidden states, then cell states).
    static func forward(inputGates x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
                        h0: UnsafePointer<Float>, c0: UnsafePointer<Float>, batch n: Int, length t: Int, hidden h: Int,
                        activations act: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let g = 4 * h, stride = 5 * h
        let hs = out, cs = out + n * t * h
        guard n > 0, h > 0 else { return }
        // Gates = x + b for every (sample, step) row; each step then adds h_{t−1} W_hhᵀ in place.
        Parallel.forEachChunk(count: n * t, minimumChunk: GateMath.rowsPerChunk(rowLength: g)) { rows in
            for r in rows {
                var j = 0
                while j < g {
                    let width = min(16, g - j)
                    GateMath.store(GateMath.load(x + r * g + j, width) + GateMath.load(b + j, width), act + r * stride + j, width)
                    j += 16
                }
            }
        }
        let recurrent = RecurrentWeightProduct(weight: w, transposed: true, rows: h, columns: g, batch: n)
        RecurrentWeightProduct.forEachBatchBlock(batch: n) { rows, threads in
            let first = rows.lowerBound
            for step in 0..<t {
                let (previous, ld) = step == 0 ? (h0 + first * h, h) : (UnsafePointer(hs + first * t * h + (step - 1) * h), t * h)
                recurrent.multiply(m: rows.count, a: previous, lda: ld, beta: 1, c: act + (first * t + step) * stride,
                                   ldc: t * stride, maximumThreads: threads)
                for r in rows {
                    let cellPrevious = step == 0 ? c0 + r * h : UnsafePointer(cs + r * t * h + (step - 1) * h)
                    cellForward(act + (r * t + step) * stride, cellPrevious: cellPrevious,
                                cell: cs + (r * t + step) * h, hidden: hs + (r * t + step) * h, h)
                }
            }
        }
    }

    /// One row of the cell update: gate pre-activations in `a` become activations, and
    /// `tanh(c_t)` is kept after them.
    @inline(__always)
    static func cellForward(_ a: UnsafeMutablePointer<Float>, cellPrevious: UnsafePointer<Float>,
                            cell: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>, _ h: Int) {
        var j = 0
        while j < h {
            let width = min(16, h - j)
            let i = GateMath.sigmoid(GateMath.load(a + j, width))
            let f = GateMath.sigmoid(GateMath.load(a + h + j, width))
            let g = GateMath.tanh(GateMath.load(a + 2 * h + j, width))
            let o = GateMath.sigmoid(GateMath.load(a + 3 * h + j, width))
            GateMath.store(i, a + j, width)
            GateMath.store(f, a + h + j, width)
            GateMath.store(g, a + 2 * h + j, width)
            GateMath.store(o, a + 3 * h + j, width)
            let c = f * GateMath.load(cellPrevious + j, width) + i * g
            let tc = GateMath.tanh(c)
            GateMath.store(c, cell + j, width)
            GateMath.store(tc, a + 4 * h + j, width)
            GateMath.store(o * tc, hidden + j, width)
            j += 16
        }
    }

    /// Backpropagation through time (first order, untracked): gradients for
    /// `[inputGates, recurrentWeight, bias, initialHidden, initialCell]`.
    static func backward(_ ctx: BackwardContext, activations: Tensor, batch n: Int, length t: Int, hidden h: Int) -> [Tensor?] {
        let g = 4 * h
        let gradient = ctx.gradient, output = ctx.output
        let weight = ctx.inputs[1], h0 = ctx.inputs[3], c0 = ctx.inputs[4]
        let dGates = Tensor(shape: [n, t, g]) { _, _ in }
        let dHidden = Tensor.zeros([n, h]), dCell = Tensor.zeros([n, h])
        let gh = gradient.storage.pointer, gc = gh + n * t * h
        let cs = UnsafePointer(output.storage.pointer + n * t * h)
        let act = UnsafePointer(activations.storage.pointer)
        let dg = dGates.storage.pointer, dhNext = dHidden.storage.pointer, dcNext = dCell.storage.pointer
        let c0p = UnsafePointer(c0.storage.pointer)
        if n > 0 && h > 0 {
            let recurrent = RecurrentWeightProduct(weight: weight.storage.pointer, transposed: false, rows: g, columns: h, batch: n)
            RecurrentWeightProduct.forEachBatchBlock(batch: n) { rows, threads in
                let first = rows.lowerBound
                for step in stride(from: t - 1, through: 0, by: -1) {
                    for r in rows {
                        let o = (r * t + step) * h
                        let cellPrevious = step == 0 ? c0p + r * h : cs + o - h
                        cellBackward(activations: act + (r * t + step) * 5 * h, cellPrevious: cellPrevious,
                                     gradientHidden: gh + o, gradientCell: gc + o,
                                     dHidden: dhNext + r * h, dCell: dcNext + r * h, dGates: dg + (r * t + step) * g, h)
                    }
                    recurrent.multiply(m: rows.count, a: dg + (first * t + step) * g, lda: t * g, beta: 0,
                                       c: dhNext + first * h, ldc: h, maximumThreads: threads)
                }
            }
        }
        var dWeight: Tensor? = nil
        if ctx.needsGradient(1) {
            dWeight = weightGradient(dGates: dGates, hiddens: output, h0: h0, batch: n, length: t, hidden: h)
        }
        var dBias: Tensor? = nil
        if ctx.needsGradient(2) {
            dBias = Tensor.zeros([g])
            GateMath.addColumnSums(dg, rows: n * t, columns: g, stride: g, into: dBias!.storage.pointer)
        }
        return [ctx.needsGradient(0) ? dGates : nil, dWeight, dBias,
                ctx.needsGradient(3) ? dHidden : nil, ctx.needsGradient(4) ? dCell : nil]
    }

    /// One row of the backward step at time t. Reads and updates the carried gradients
    /// `dHidden` (∂L/∂h_t from later steps) and `dCell` (becomes ∂L/∂c_{t−1}); writes the
    /// gate pre-activation gradients.
    @inline(__always)
    static func cellBackward(activations a: UnsafePointer<Float>, cellPrevious: UnsafePointer<Float>,
                             gradientHidden: UnsafePointer<Float>, gradientCell: UnsafePointer<Float>,
                             dHidden: UnsafeMutablePointer<Float>, dCell: UnsafeMutablePointer<Float>,
                             dGates: UnsafeMutablePointer<Float>, _ h: Int) {
        var j = 0
        while j < h {
            let width = min(16, h - j)
            let i = GateMath.load(a + j, width), f = GateMath.load(a + h + j, width)
            let g = GateMath.load(a + 2 * h + j, width), o = GateMath.load(a + 3 * h + j, width)
            let tc = GateMath.load(a + 4 * h + j, width)
            let dh = GateMath.load(gradientHidden + j, width) + GateMath.load(dHidden + j, width)
            let dc = GateMath.load(gradientCell + j, width) + GateMath.load(dCell + j, width) + dh * o * (1 - tc * tc)
            GateMath.store(dc * g * i * (1 - i), dGates + j, width)
            GateMath.store(dc * GateMath.load(cellPrevious + j, width) * f * (1 - f), dGates + h + j, width)
            GateMath.store(dc * i * (1 - g * g), dGates + 2 * h + j, width)
            GateMath.store(dh * tc * o * (1 - o), dGates + 3 * h + j, width)
            GateMath.store(dc * f, dCell + j, width)
            j += 16
        }
    }

    /// `Σ_t dGates_tᵀ h_{t−1}`: one product of `[N·T, G]ᵀ` with the previous hidden states
    /// `[N·T, H]` (`h_0` at t = 0, then the first `H` columns of `hiddens`' first half).
    static func weightGradient(dGates: Tensor, hiddens: Tensor, h0: Tensor, batch n: Int, length t: Int, hidden h: Int) -> Tensor {
        let g = dGates.shape[2]
        let previous = shiftedStates(hiddens.storage.pointer, h0: h0.storage.pointer, batch: n, length: t, hidden: h)
        return Tensor(shape: [g, h]) { c, count in
            guard n * t > 0 else { c.initialize(repeating: 0, count: count); return }
            GEMM.multiply(transposeA: true, transposeB: false, m: g, n: h, k: n * t, alpha: 1,
                          a: dGates.storage.pointer, lda: g, b: previous.storage.pointer, ldb: h, beta: 0, c: c, ldc: h)
        }
    }

    /// `[N, T, H]` states shifted one step later: row (n, t) holds `h_{t−1}` (`h_0` at t = 0).
    static func shiftedStates(_ hs: UnsafePointer<Float>, h0: UnsafePointer<Float>, batch n: Int, length t: Int, hidden h: Int) -> Tensor {
        Tensor(shape: [n, t, h]) { p, _ in
            for r in 0..<n {
                (p + r * t * h).update(from: h0 + r * h, count: h)
                if t > 1 { (p + r * t * h + h).update(from: hs + r * t * h, count: (t - 1) * h) }
            }
        }
    }
}
