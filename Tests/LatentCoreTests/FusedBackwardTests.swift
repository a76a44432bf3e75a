import LatentCore
import LatentTestSupport
import Testing

/// The two backward paths of fused ops (``Tensor/record(_:inputs:output:fusedBackward:composedBackward:)``):
/// which one runs, and that every fused op's two paths give the same first-order gradients.
@Suite struct FusedBackwardTests {
    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return g.uniform(shape, low: -1, high: 1)
    }

    /// The fused rule runs when the backward pass is not recorded, the composed one under
    /// `createGraph`.
    @Test func choosesThePathByRecording() {
        func op(_ x: Tensor) -> Tensor {
            Tensor.record("twoPaths", inputs: [x], output: x.detached(),
                          fusedBackward: { [$0.gradient * 2] }, composedBackward: { [$0.gradient * 3] })
        }
        let x = Tensor(shape: [2], scalars: [1, -1])
        #expect(gradient(at: x) { op($0).sum() }.scalars == [2, 2])
        #expect(gradient(at: x, createGraph: true) { op($0).sum() }.scalars == [3, 3])
    }

    static let names = ["layerNorm", "normalized", "gelu", "packedSelfAttention", "lstmRecurrence", "gruRecurrence"]

    /// Operands and the op, for each fused op in ``names``.
    static func fusedOp(_ name: String) -> ([Tensor], ([Tensor]) -> Tensor) {
        switch name {
        case "layerNorm":
            return ([random([3, 4, 5], seed: 1), random([4, 5], seed: 2), random([4, 5], seed: 3)],
                    { layerNorm($0[0], normalizedShape: [4, 5], weight: $0[1], bias: $0[2]) })
        case "normalized":
            return ([random([3, 4, 5], seed: 4)], { $0[0].normalized(keepingAxes: 1..<2) })
        case "gelu":
            return ([random([37], seed: 5)], { $0[0].gelu() })
        case "packedSelfAttention":
            return ([random([2, 5, 12], seed: 6)], { packedSelfAttention($0[0], headCount: 2, isCausal: true) })
        case "lstmRecurrence":
            return ([random([2, 3, 12], seed: 7), random([12, 3], seed: 8), random([12], seed: 9),
                     random([2, 3], seed: 10), random([2, 3], seed: 11)],
                    { lstmRecurrence(inputGates: $0[0], recurrentWeight: $0[1], bias: $0[2], initialHidden: $0[3],
                                     initialCell: $0[4]) })
        default:
            return ([random([2, 3, 9], seed: 12), random([9], seed: 13), random([9, 3], seed: 14), random([9], seed: 15),
                     random([2, 3], seed: 16)],
                    { gruRecurrence(inputGates: $0[0], inputBias: $0[1], recurrentWeight: $0[2], recurrentBias: $0[3],
                                    initialHidden: $0[4]) })
        }
    }

    /// First-order gradients of the fused rule equal those of the composed rule.
    @Test(arguments: names)
    func fusedMatchesComposed(_ name: String) {
        let (xs, f) = Self.fusedOp(name)
        let weights = Self.random(f(xs).shape, seed: 99)
        let fused = gradient(at: xs) { (f($0) * weights).sum() }
        let composed = gradient(at: xs, createGraph: true) { (f($0) * weights).sum() }
        for k in xs.indices {
            expectClose(fused[k], composed[k], relative: 1e-4, absolute: 1e-5, "\(name) gradient \(k)")
        }
    }
}
