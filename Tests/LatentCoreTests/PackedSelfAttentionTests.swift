import LatentCore
import LatentTestSupport
import Testing

/// The fused packed self-attention against the unfused composition (head split,
/// scaledDotProductAttention, head merge), with gradient and second-order checks.
@Suite struct PackedSelfAttentionTests {
    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return g.uniform(shape, low: -1, high: 1)
    }

    /// Split `[N, T, 3E]` into heads, attend, merge: the composition the op fuses.
    static func composed(_ packed: Tensor, headCount h: Int, isCausal: Bool, scale: Float?) -> Tensor {
        let (n, t, e) = (packed.shape[0], packed.shape[1], packed.shape[2] / 3)
        let parts = packed.split(sizes: [e, e, e], alongAxis: 2).map {
            $0.reshaped(to: [n, t, h, e / h]).permuted(0, 2, 1, 3)
        }
        let o = scaledDotProductAttention(query: parts[0], key: parts[1], value: parts[2], isCausal: isCausal, scale: scale)
        return o.permuted(0, 2, 1, 3).reshaped(to: [n, t, e])
    }

    /// Lengths below, at and across the 32-query blocks, with a partial last block.
    @Test(arguments: [(false, 5), (true, 5), (true, 32), (false, 70), (true, 70)])
    func matchesComposition(_ isCausal: Bool, _ length: Int) {
        let (n, h, d) = (2, 3, 5)
        let x = Self.random([n, length, 3 * h * d], seed: UInt64(length))
        let fused = packedSelfAttention(x, headCount: h, isCausal: isCausal)
        let reference = Self.composed(x, headCount: h, isCausal: isCausal, scale: nil)
        expectClose(fused, reference, relative: 1e-5, absolute: 1e-6)
        let w = Self.random(fused.shape, seed: 99)
        let g1 = gradient(at: x) { (packedSelfAttention($0, headCount: h, isCausal: isCausal) * w).sum() }
        let g2 = gradient(at: x) { (Self.composed($0, headCount: h, isCausal: isCausal, scale: nil) * w).sum() }
        expectClose(g1, g2, relative: 1e-4, absolute: 1e-5)
        // The composed backward used when the gradient is recorded agrees with the fused one.
        let g3 = gradient(at: x, createGraph: true) { (packedSelfAttention($0, headCount: h, isCausal: isCausal) * w).sum() }
        expectClose(g3, g1, relative: 1e-4, absolute: 1e-5)
    }

    @Test func causalRowsIgnoreLaterPositions() {
        let x = Self.random([1, 40, 12], seed: 3)
        var changed = x.scalars
        for i in (39 * 12)..<(40 * 12) { changed[i] += 1 }   // only the last position
        let y1 = packedSelfAttention(x, headCount: 2, isCausal: true)
        let y2 = packedSelfAttention(Tensor(shape: x.shape, scalars: changed), headCount: 2, isCausal: true)
        #expect(Array(y1.scalars[..<(39 * 4)]) == Array(y2.scalars[..<(39 * 4)]))
    }

    /// Each (batch, head) pair is computed alone, whatever the split across threads: a batch
    /// element gives the same bits inside a batch as on its own, forward and backward.
    @Test func batchElementsAreIndependentBits() {
        let x = Self.random([6, 40, 24], seed: 8), w = Self.random([6, 40, 8], seed: 9)
        let y = packedSelfAttention(x, headCount: 2, isCausal: true)
        let g = gradient(at: x) { (packedSelfAttention($0, headCount: 2, isCausal: true) * w).sum() }
        for b in [0, 5] {
            let xb = x.sliced(alongAxis: 0, range: b..<(b + 1)), wb = w.sliced(alongAxis: 0, range: b..<(b + 1))
            #expect(packedSelfAttention(xb, headCount: 2, isCausal: true).scalars
                == y.sliced(alongAxis: 0, range: b..<(b + 1)).scalars)
            #expect(gradient(at: xb) { (packedSelfAttention($0, headCount: 2, isCausal: true) * wb).sum() }.scalars
                == g.sliced(alongAxis: 0, range: b..<(b + 1)).scalars)
        }
    }

    @Test func gradientCheck() {
        expectGradient(at: [Self.random([2, 4, 12], seed: 1)]) { xs in
            packedSelfAttention(xs[0], headCount: 2, isCausal: true, scale: 0.8)
        }
        expectGradient(at: [Self.random([1, 3, 6], seed: 2)]) { xs in packedSelfAttention(xs[0], headCount: 1) }
    }

    @Test func secondOrder() {
        expectSecondOrderGradient(at: [Self.random([1, 3, 12], seed: 5)]) { xs in
            packedSelfAttention(xs[0], headCount: 2, isCausal: true)
        }
    }

    @Test func validatesShape() throws {
        #expect(throws: ShapeError.self) { try packedSelfAttentionShape([2, 3, 10], headCount: 2) }
        #expect(throws: ShapeError.self) { try packedSelfAttentionShape([3, 12], headCount: 2) }
        let (n, t, e) = try packedSelfAttentionShape([2, 3, 12], headCount: 2)
        #expect(n == 2 && t == 3 && e == 4)
    }
}
