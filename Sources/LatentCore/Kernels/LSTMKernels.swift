/// Forward and backward kernels of the fused LSTM recurrence (batch-first buffers).
enum LSTMKernels {
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
        Parallel.forEachChunk(count: n * t, minimumChunk: RecurrenceKernels.rowsPerChunk(rowLength: g)) { rows in
            for r in rows {
                var j = 0
                while j < g {
                    let width = min(16, g - j)
                    VectorMath.store(VectorMath.load(x + r * g + j, width) + VectorMath.load(b + j, width), act + r * stride + j, width)
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
            let i = VectorMath.sigmoid(VectorMath.load(a + j, width))
            let f = VectorMath.sigmoid(VectorMath.load(a + h + j, width))
            let g = VectorMath.tanh(VectorMath.load(a + 2 * h + j, width))
            let o = VectorMath.sigmoid(VectorMath.load(a + 3 * h + j, width))
            VectorMath.store(i, a + j, width)
            VectorMath.store(f, a + h + j, width)
            VectorMath.store(g, a + 2 * h + j, width)
            VectorMath.store(o, a + 3 * h + j, width)
            let c = f * VectorMath.load(cellPrevious + j, width) + i * g
            let tc = VectorMath.tanh(c)
            VectorMath.store(c, cell + j, width)
            VectorMath.store(tc, a + 4 * h + j, width)
            VectorMath.store(o * tc, hidden + j, width)
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
            dWeight = RecurrenceKernels.weightGradient(dGates: dGates, hiddens: output, h0: h0, batch: n, length: t, hidden: h)
        }
        var dBias: Tensor? = nil
        if ctx.needsGradient(2) {
            dBias = Tensor.zeros([g])
            RecurrenceKernels.addColumnSums(dg, rows: n * t, columns: g, stride: g, into: dBias!.storage.pointer)
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
            let i = VectorMath.load(a + j, width), f = VectorMath.load(a + h + j, width)
            let g = VectorMath.load(a + 2 * h + j, width), o = VectorMath.load(a + 3 * h + j, width)
            let tc = VectorMath.load(a + 4 * h + j, width)
            let dh = VectorMath.load(gradientHidden + j, width) + VectorMath.load(dHidden + j, width)
            let dc = VectorMath.load(gradientCell + j, width) + VectorMath.load(dCell + j, width) + dh * o * (1 - tc * tc)
            VectorMath.store(dc * g * i * (1 - i), dGates + j, width)
            VectorMath.store(dc * VectorMath.load(cellPrevious + j, width) * f * (1 - f), dGates + h + j, width)
            VectorMath.store(dc * i * (1 - g * g), dGates + 2 * h + j, width)
            VectorMath.store(dh * tc * o * (1 - o), dGates + 3 * h + j, width)
            VectorMath.store(dc * f, dCell + j, width)
            j += 16
        }
    }
}
