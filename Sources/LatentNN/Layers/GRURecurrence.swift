import LatentCore

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
                         output: out) { ctx in
        if GradientMode.isRecording {
            return differentiateReference(ctx) { xs in
                gruRecurrenceReference(inputGates: xs[0], inputBias: xs[1], recurrentWeight: xs[2],
                                       recurrentBias: xs[3], initialHidden: xs[4])
            }
        }
        return GRUKernels.backward(ctx, activations: activations, batch: n, length: t, hidden: h)
    }
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

/// Forward and backward kernels of the fused GRU recurrence (batch-first buffers).
enum GRUKernels {
    /// Runs the recurrence. `activations` receives `[N, T, 4H]`: r, z, n and the
    /// recurrent part of the new gate `u_n = (h_{t−1} W_hhᵀ + b_hh)_n`.
    static func forward(inputGates x: UnsafePointer<Float>, inputBias bi: UnsafePointer<Float>, weight w: UnsafePointer<Float>,
                        recurrentBias bh: UnsafePointer<Float>, h0: UnsafePointer<Float>, batch n: Int, length t: Int, hidden h: Int,
                        activations act: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let g = 3 * h
        guard n > 0, h > 0 else { return }
        let recurrent = UnsafeMutablePointer<Float>.allocate(capacity: n * g)
        defer { recurrent.deallocate() }
        let product = RecurrentWeightProduct(weight: w, transposed: true, rows: h, columns: g, batch: n)
        RecurrentWeightProduct.forEachBatchBlock(batch: n) { rows, threads in
            let first = rows.lowerBound
            for step in 0..<t {
                for r in rows { (recurrent + r * g).update(from: bh, count: g) }
                let (previous, ld) = step == 0 ? (h0 + first * h, h) : (UnsafePointer(out + (first * t + step - 1) * h), t * h)
                product.multiply(m: rows.count, a: previous, lda: ld, beta: 1, c: recurrent + first * g, ldc: g,
                                 maximumThreads: threads)
                for r in rows {
                    let hp = step == 0 ? h0 + r * h : UnsafePointer(out + (r * t + step - 1) * h)
                    cellForward(input: x + (r * t + step) * g, inputBias: bi, recurrent: recurrent + r * g,
                                hiddenPrevious: hp, activations: act + (r * t + step) * 4 * h,
                                hidden: out + (r * t + step) * h, h)
                }
            }
        }
    }

    @inline(__always)
    static func cellForward(input a: UnsafePointer<Float>, inputBias b: UnsafePointer<Float>, recurrent u: UnsafePointer<Float>,
                            hiddenPrevious hp: UnsafePointer<Float>, activations act: UnsafeMutablePointer<Float>,
                            hidden: UnsafeMutablePointer<Float>, _ h: Int) {
        var j = 0
        while j < h {
            let width = min(16, h - j)
            func gate(_ k: Int) -> GateMath.Vector { GateMath.load(a + k * h + j, width) + GateMath.load(b + k * h + j, width) }
            let r = GateMath.sigmoid(gate(0) + GateMath.load(u + j, width))
            let z = GateMath.sigmoid(gate(1) + GateMath.load(u + h + j, width))
            let un = GateMath.load(u + 2 * h + j, width)
            let candidate = GateMath.tanh(gate(2) + r * un)
            GateMath.store(r, act + j, width)
            GateMath.store(z, act + h + j, width)
            GateMath.store(candidate, act + 2 * h + j, width)
            GateMath.store(un, act + 3 * h + j, width)
            GateMath.store((1 - z) * candidate + z * GateMath.load(hp + j, width), hidden + j, width)
            j += 16
        }
    }

    /// Backpropagation through time (first order, untracked): gradients for
    /// `[inputGates, inputBias, recurrentWeight, recurrentBias, initialHidden]`.
    static func backward(_ ctx: BackwardContext, activations: Tensor, batch n: Int, length t: Int, hidden h: Int) -> [Tensor?] {
        let g = 3 * h
        let gradient = ctx.gradient, output = ctx.output
        let weight = ctx.inputs[2], h0 = ctx.inputs[4]
        let dInput = Tensor(shape: [n, t, g]) { _, _ in }
        let dRecurrent = Tensor(shape: [n, t, g]) { _, _ in }
        let dHidden = Tensor.zeros([n, h])
        let go = gradient.storage.pointer, hs = UnsafePointer(output.storage.pointer)
        let act = UnsafePointer(activations.storage.pointer), h0p = UnsafePointer(h0.storage.pointer)
        let dx = dInput.storage.pointer, du = dRecurrent.storage.pointer, dhNext = dHidden.storage.pointer
        if n > 0 && h > 0 {
            let product = RecurrentWeightProduct(weight: weight.storage.pointer, transposed: false, rows: g, columns: h, batch: n)
            RecurrentWeightProduct.forEachBatchBlock(batch: n) { rows, threads in
                let first = rows.lowerBound
                for step in stride(from: t - 1, through: 0, by: -1) {
                    for r in rows {
                        let o = (r * t + step) * h
                        let hp = step == 0 ? h0p + r * h : hs + o - h
                        cellBackward(activations: act + 4 * o, hiddenPrevious: hp, gradientHidden: go + o,
                                     dHidden: dhNext + r * h, dInput: dx + 3 * o, dRecurrent: du + 3 * o, h)
                    }
                    product.multiply(m: rows.count, a: du + (first * t + step) * g, lda: t * g, beta: 1,
                                     c: dhNext + first * h, ldc: h, maximumThreads: threads)
                }
            }
        }
        func columnSums(_ x: Tensor) -> Tensor {
            let s = Tensor.zeros([g])
            GateMath.addColumnSums(x.storage.pointer, rows: n * t, columns: g, stride: g, into: s.storage.pointer)
            return s
        }
        return [ctx.needsGradient(0) ? dInput : nil,
                ctx.needsGradient(1) ? columnSums(dInput) : nil,
                ctx.needsGradient(2) ? LSTMKernels.weightGradient(dGates: dRecurrent, hiddens: output, h0: h0,
                                                                 batch: n, length: t, hidden: h) : nil,
                ctx.needsGradient(3) ? columnSums(dRecurrent) : nil,
                ctx.needsGradient(4) ? dHidden : nil]
    }

    /// One row of the backward step at time t: reads ∂L/∂h_t (the output gradient plus the
    /// carried `dHidden`), writes the gate gradients of the input and recurrent products,
    /// and leaves the direct part `∂L/∂h_t ⊙ z` of ∂L/∂h_{t−1} in `dHidden`.
    @inline(__always)
    static func cellBackward(activations a: UnsafePointer<Float>, hiddenPrevious hp: UnsafePointer<Float>,
                             gradientHidden gh: UnsafePointer<Float>, dHidden: UnsafeMutablePointer<Float>,
                             dInput: UnsafeMutablePointer<Float>, dRecurrent: UnsafeMutablePointer<Float>, _ h: Int) {
        var j = 0
        while j < h {
            let width = min(16, h - j)
            let r = GateMath.load(a + j, width), z = GateMath.load(a + h + j, width)
            let candidate = GateMath.load(a + 2 * h + j, width), un = GateMath.load(a + 3 * h + j, width)
            let dh = GateMath.load(gh + j, width) + GateMath.load(dHidden + j, width)
            let dn = dh * (1 - z) * (1 - candidate * candidate)
            let dz = dh * (GateMath.load(hp + j, width) - candidate) * z * (1 - z)
            let dr = dn * un * r * (1 - r)
            GateMath.store(dr, dInput + j, width)
            GateMath.store(dz, dInput + h + j, width)
            GateMath.store(dn, dInput + 2 * h + j, width)
            GateMath.store(dr, dRecurrent + j, width)
            GateMath.store(dz, dRecurrent + h + j, width)
            GateMath.store(dn * r, dRecurrent + 2 * h + j, width)
            GateMath.store(dh * z, dHidden + j, width)
            j += 16
        }
    }
}
