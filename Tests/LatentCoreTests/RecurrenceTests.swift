import Foundation
import LatentCore
import LatentTestSupport
import Testing

/// The fused LSTM and GRU recurrences against their op-by-op references, gradient checks
/// (first order against finite differences, second order through the composed backward).
@Suite struct RecurrenceTests {
    static func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return g.uniform(shape, low: -scale, high: scale)
    }

    static func lstmOperands(n: Int, t: Int, h: Int) -> [Tensor] {
        [random([n, t, 4 * h], seed: 1), random([4 * h, h], seed: 2, scale: 0.7), random([4 * h], seed: 3),
         random([n, h], seed: 4), random([n, h], seed: 5)]
    }

    static func gruOperands(n: Int, t: Int, h: Int) -> [Tensor] {
        [random([n, t, 3 * h], seed: 11), random([3 * h], seed: 12), random([3 * h, h], seed: 13, scale: 0.7),
         random([3 * h], seed: 14), random([n, h], seed: 15)]
    }

    static func lstm(_ xs: [Tensor]) -> Tensor {
        lstmRecurrence(inputGates: xs[0], recurrentWeight: xs[1], bias: xs[2], initialHidden: xs[3], initialCell: xs[4])
    }

    static func lstmReference(_ xs: [Tensor]) -> Tensor {
        lstmRecurrenceReference(inputGates: xs[0], recurrentWeight: xs[1], bias: xs[2], initialHidden: xs[3], initialCell: xs[4])
    }

    static func gru(_ xs: [Tensor]) -> Tensor {
        gruRecurrence(inputGates: xs[0], inputBias: xs[1], recurrentWeight: xs[2], recurrentBias: xs[3], initialHidden: xs[4])
    }

    static func gruReference(_ xs: [Tensor]) -> Tensor {
        gruRecurrenceReference(inputGates: xs[0], inputBias: xs[1], recurrentWeight: xs[2], recurrentBias: xs[3], initialHidden: xs[4])
    }

    /// Value and every input gradient of the fused op match the op-by-op reference
    /// (hidden size 19 exercises the 16-lane body and a partial tail; a batch of 40 runs
    /// as three blocks of rows, 16 + 16 + 8, in parallel).
    @Test(arguments: ["lstm", "gru"], [3, 40])
    func fusedMatchesReference(_ kind: String, batch n: Int) {
        let xs = kind == "lstm" ? Self.lstmOperands(n: n, t: 5, h: 19) : Self.gruOperands(n: n, t: 5, h: 19)
        let fused = kind == "lstm" ? Self.lstm : Self.gru
        let reference = kind == "lstm" ? Self.lstmReference : Self.gruReference
        let y = fused(xs)
        expectClose(y, reference(xs), relative: 1e-5, absolute: 2e-6, "\(kind) value")
        let weights = Self.random(y.shape, seed: 99)
        let g1 = gradient(at: xs) { (fused($0) * weights).sum() }
        let g2 = gradient(at: xs) { (reference($0) * weights).sum() }
        for k in xs.indices { expectClose(g1[k], g2[k], relative: 1e-4, absolute: 1e-5, "\(kind) gradient \(k)") }
    }

    @Test func lstmGradientCheck() {
        expectGradient(at: Self.lstmOperands(n: 2, t: 3, h: 3), of: Self.lstm)
    }

    @Test func gruGradientCheck() {
        expectGradient(at: Self.gruOperands(n: 2, t: 3, h: 3), of: Self.gru)
    }

    @Test func lstmSecondOrder() {
        expectSecondOrderGradient(at: Self.lstmOperands(n: 2, t: 2, h: 2), of: Self.lstm)
    }

    @Test func gruSecondOrder() {
        expectSecondOrderGradient(at: Self.gruOperands(n: 2, t: 2, h: 2), of: Self.gru)
    }

    @Test func shapeValidation() {
        #expect(throws: ShapeError.self) {
            try lstmRecurrenceShapes(inputGates: [2, 3, 8], recurrentWeight: [12, 3], bias: [12], initialHidden: [2, 3], initialCell: [2, 3])
        }
        #expect(throws: ShapeError.self) {
            try gruRecurrenceShapes(inputGates: [2, 3, 9], inputBias: [9], recurrentWeight: [9, 3], recurrentBias: [9], initialHidden: [3, 3])
        }
    }
}
