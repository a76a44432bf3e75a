import LatentCore
import LatentTestSupport
import Testing

/// Scaled dot-product attention and its fused masked softmax, against the unfused
/// composition (matmul, add, softmax), with gradient and second-order checks.
@Suite struct AttentionOpTests {
    static func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return g.uniform(shape, low: -scale, high: scale)
    }

    /// `-∞` above the diagonal of an `[L, S]` matrix (top-left aligned).
    static func causalMask(_ l: Int, _ s: Int) -> Tensor {
        Tensor(shape: [l, s], scalars: (0..<(l * s)).map { $0 % s > $0 / s ? -.infinity : 0 })
    }

    static func composed(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?, isCausal: Bool, scale: Float) -> Tensor {
        var scores = matmul(q, k.transposed()) * scale
        if let mask { scores = scores + mask }
        if isCausal { scores = scores + causalMask(q.shape[q.rank - 2], k.shape[k.rank - 2]) }
        return matmul(scores.softmax(alongAxis: -1), v)
    }

    /// Masks read in place ([L, S], full) and broadcast ones ([N, 1, 1, S]), causal or not,
    /// with L ≠ S and a row length that is not a multiple of 16.
    @Test(arguments: [(false, 0), (true, 0), (false, 1), (true, 1), (false, 2), (true, 2), (true, 3)])
    func matchesComposition(_ isCausal: Bool, _ maskKind: Int) {
        let (n, h, l, s, d) = (2, 3, 5, 19, 4)
        let q = Self.random([n, h, l, d], seed: 1), k = Self.random([n, h, s, d], seed: 2), v = Self.random([n, h, s, 6], seed: 3)
        let masks: [Tensor?] = [nil, Self.random([l, s], seed: 4), Self.random([n, h, l, s], seed: 5),
                                Tensor(shape: [n, 1, 1, s], scalars: (0..<(n * s)).map { $0 % s >= 15 && $0 >= s ? -.infinity : 0 })]
        let mask = masks[maskKind]
        let scale: Float = 0.7
        let fused = scaledDotProductAttention(query: q, key: k, value: v, mask: mask, isCausal: isCausal, scale: scale)
        let reference = Self.composed(q, k, v, mask: mask, isCausal: isCausal, scale: scale)
        expectClose(fused, reference, relative: 1e-5, absolute: 1e-6)
        let w = Self.random(fused.shape, seed: 9)
        var inputs = [q, k, v]
        if let mask { inputs.append(mask.maskedFill(mask .== -Float.infinity, value: 0)) }
        // Gradients (finite masks only, so that the mask's own gradient is defined).
        let g1 = gradient(at: inputs) { xs in
            (scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: xs.count > 3 ? xs[3] : nil,
                                       isCausal: isCausal, scale: scale) * w).sum()
        }
        let g2 = gradient(at: inputs) { xs in
            (Self.composed(xs[0], xs[1], xs[2], mask: xs.count > 3 ? xs[3] : nil, isCausal: isCausal, scale: scale) * w).sum()
        }
        for i in inputs.indices { expectClose(g1[i], g2[i], relative: 1e-4, absolute: 1e-6, "input \(i)") }
    }

    /// Causal rows longer than one 16-lane vector, with a partial last vector.
    @Test func longCausalRows() {
        let q = Self.random([2, 37, 3], seed: 11), k = Self.random([2, 37, 3], seed: 12), v = Self.random([2, 37, 2], seed: 13)
        let mask = Self.random([37, 37], seed: 14)
        expectClose(scaledDotProductAttention(query: q, key: k, value: v, mask: mask, isCausal: true, scale: 0.9),
                    Self.composed(q, k, v, mask: mask, isCausal: true, scale: 0.9), relative: 1e-5, absolute: 1e-6)
        let w = attentionWeights(query: q, key: k, isCausal: true)
        for i in 0..<37 {
            let row = Array(w.scalars[(i * 37)..<(i * 37 + 37)])
            #expect(abs(row.reduce(0, +) - 1) < 1e-5)
            #expect(row[(i + 1)...].allSatisfy { $0 == 0 })
        }
    }

    @Test func defaultScaleIsInverseSquareRootOfDepth() {
        let q = Self.random([3, 8], seed: 1), k = Self.random([4, 8], seed: 2), v = Self.random([4, 2], seed: 3)
        expectClose(scaledDotProductAttention(query: q, key: k, value: v),
                    Self.composed(q, k, v, mask: nil, isCausal: false, scale: 1 / Float(8).squareRoot()))
        // Broadcast batch axes: one key/value set for every query batch.
        let qb = Self.random([2, 3, 8], seed: 4)
        expectClose(scaledDotProductAttention(query: qb, key: k, value: v),
                    Self.composed(qb, k, v, mask: nil, isCausal: false, scale: 1 / Float(8).squareRoot()))
    }

    @Test func gradientCheck() {
        let inputs = [Self.random([2, 3, 2], seed: 1), Self.random([2, 4, 2], seed: 2),
                      Self.random([2, 4, 3], seed: 3), Self.random([3, 4], seed: 4)]
        expectGradient(at: inputs) { xs in
            scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: xs[3], isCausal: true)
        }
        expectGradient(at: Array(inputs.prefix(3))) { xs in
            scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], scale: 0.8)
        }
    }

    @Test func secondOrder() {
        let inputs = [Self.random([2, 3, 2], seed: 5), Self.random([2, 3, 2], seed: 6),
                      Self.random([2, 3, 2], seed: 7), Self.random([3, 3], seed: 8)]
        expectSecondOrderGradient(at: inputs) { xs in
            scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: xs[3], isCausal: true)
        }
        // The fused softmax alone, against the composition, to second order.
        let x = Self.random([3, 5], seed: 9), u = Self.random([3, 5], seed: 10)
        let hvp: (Tensor) -> Tensor = { x in
            gradient(at: x) { y in
                (gradient(at: y, createGraph: true) { ($0.attentionSoftmax(isCausal: true, scale: 1.3) * u).sum() } * u).sum()
            }
        }
        let reference: (Tensor) -> Tensor = { x in
            gradient(at: x) { y in
                (gradient(at: y, createGraph: true) {
                    (($0 * 1.3 + Self.causalMask(3, 5)).softmax(alongAxis: -1) * u).sum()
                } * u).sum()
            }
        }
        expectClose(hvp(x), reference(x), relative: 1e-4, absolute: 1e-6)
    }

    /// A query whose keys are all masked attends to nothing: zeros, and zero gradients.
    @Test func fullyMaskedRowsGiveZeros() {
        let q = Self.random([2, 3], seed: 1), k = Self.random([4, 3], seed: 2), v = Self.random([4, 2], seed: 3)
        let mask = Tensor(shape: [2, 4], scalars: [0, 0, 0, 0, -.infinity, -.infinity, -.infinity, -.infinity])
        let y = scaledDotProductAttention(query: q, key: k, value: v, mask: mask)
        #expect(Array(y.scalars[2...]) == [0, 0])
        let g = gradient(at: [q, k, v]) { xs in scaledDotProductAttention(query: xs[0], key: xs[1], value: xs[2], mask: mask).sum() }
        #expect(g.allSatisfy { $0.scalars.allSatisfy(\.isFinite) })
        #expect(Array(g[0].scalars[3...]) == [0, 0, 0])
        let w = attentionWeights(query: q, key: k, mask: mask)
        #expect(abs(w.scalars[0..<4].reduce(0, +) - 1) < 1e-6)
    }

    @Test func validation() {
        #expect(throws: ShapeError(op: "scaledDotProductAttention",
                                   "query [..., L, D] and key [..., S, D] must have rank ≥ 2 and the same D, got [2, 3] and [4, 5]")) {
            try attentionShapes(query: [2, 3], key: [4, 5], value: nil, mask: nil)
        }
        #expect(throws: ShapeError.self) { try attentionShapes(query: [2, 3], key: [4, 3], value: [5, 2], mask: nil) }
        #expect(throws: ShapeError.self) { try attentionShapes(query: [2, 3], key: [4, 3], value: [4, 2], mask: [3, 4]) }
        #expect((try? attentionShapes(query: [7, 2, 3], key: [4, 3], value: [4, 2], mask: [1, 4])) == [7, 2, 4])
    }
}
