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
            func gate(_ k: Int) -> VectorMath.Vector { VectorMath.load(a + k * h + j, width) + VectorMath.load(b + k * h + j, width) }
            let r = VectorMath.sigmoid(gate(0) + VectorMath.load(u + j, width))
            let z = VectorMath.sigmoid(gate(1) + VectorMath.load(u + h + j, width))
            let un = VectorMath.load(u + 2 * h + j, width)
            let candidate = VectorMath.tanh(gate(2) + r * un)
            VectorMath.store(r, act + j, width)
            VectorMath.store(z, act + h + j, width)
            VectorMath.store(candidate, act + 2 * h + j, width)
            VectorMath.store(un, act + 3 * h + j, width)
            VectorMath.store((1 - z) * candidate + z * VectorMath.load(hp + j, width), hidden + j, width)
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
            RecurrenceKernels.addColumnSums(x.storage.pointer, rows: n * t, columns: g, stride: g, into: s.storage.pointer)
            return s
        }
        return [ctx.needsGradient(0) ? dInput : nil,
                ctx.needsGradient(1) ? columnSums(dInput) : nil,
                ctx.needsGradient(2) ? RecurrenceKernels.weightGradient(dGates: dRecurrent, hiddens: output, h0: h0,
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
            let r = VectorMath.load(a + j, width), z = VectorMath.load(a + h + j, width)
            let candidate = VectorMath.load(a + 2 * h + j, width), un = VectorMath.load(a + 3 * h + j, width)
            let dh = VectorMath.load(gh + j, width) + VectorMath.load(dHidden + j, width)
            let dn = dh * (1 - z) * (1 - candidate * candidate)
            let dz = dh * (VectorMath.load(hp + j, width) - candidate) * z * (1 - z)
            let dr = dn * un * r * (1 - r)
            VectorMath.store(dr, dInput + j, width)
            VectorMath.store(dz, dInput + h + j, width)
            VectorMath.store(dn, dInput + 2 * h + j, width)
            VectorMath.store(dr, dRecurrent + j, width)
            VectorMath.store(dz, dRecurrent + h + j, width)
            VectorMath.store(dn * r, dRecurrent + 2 * h + j, width)
            VectorMath.store(dh * z, dHidden + j, width)
            j += 16
        }
    }
}
