import Foundation
import LatentCore
import LatentNN
import LatentTestSupport
import Testing

/// Central-difference gradient checks of the normalisation layers and the weight
/// wrappers, with respect to the input and every parameter at once.
@Suite struct LayerGradientTests {
    static func values(_ shape: [Int], _ seed: UInt64) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return g.normal(shape)
    }

    /// Checks `module(x)` against central differences in `x` and all its parameters.
    func expectModuleGradient(_ module: Module, _ x: Tensor, tolerance: Double = 2e-2, secondOrder: Bool = false,
                              sourceLocation: SourceLocation = #_sourceLocation, _ forward: @escaping (Tensor) -> Tensor) {
        let slots = module.namedParameters()
        let originals = slots.map { $0.parameter.wrappedValue }
        let f: ([Tensor]) -> Tensor = { vars in
            for (s, v) in zip(slots, vars.dropFirst()) { s.parameter.wrappedValue = v }
            defer { for (s, v) in zip(slots, originals) { s.parameter.wrappedValue = v } }
            return forward(vars[0])
        }
        if secondOrder {
            expectSecondOrderGradient(at: [x] + originals, tolerance: tolerance, "\(module.summary)",
                                      sourceLocation: sourceLocation, of: f)
        } else {
            expectGradient(at: [x] + originals, tolerance: tolerance, "\(module.summary)",
                           sourceLocation: sourceLocation, of: f)
        }
    }

    /// Non-trivial affine parameters.
    func randomizeAffine(_ m: Module, seed: UInt64) {
        var g = RandomGenerator(seed: seed)
        for (_, p) in m.namedParameters() { p.wrappedValue = g.normal(p.wrappedValue.shape, mean: 1, standardDeviation: 0.5) }
    }

    @Test func layerNorm() {
        let ln = LayerNorm([3, 4])
        randomizeAffine(ln, seed: 1)
        expectModuleGradient(ln, Self.values([2, 3, 4], 2)) { ln($0) }
        let plain = LayerNorm(5, elementwiseAffine: false)
        expectModuleGradient(plain, Self.values([3, 5], 3)) { plain($0) }
    }

    @Test func layerNormSecondOrder() {
        let ln = LayerNorm(4)
        randomizeAffine(ln, seed: 4)
        expectModuleGradient(ln, Self.values([3, 4], 5), secondOrder: true) { ln($0) }
    }

    @Test func batchNormTrainingMode() {
        let bn1 = BatchNorm1d(3)
        randomizeAffine(bn1, seed: 6)
        expectModuleGradient(bn1, Self.values([5, 3], 7)) { bn1($0) }
        let bn2 = BatchNorm2d(2)
        randomizeAffine(bn2, seed: 8)
        expectModuleGradient(bn2, Self.values([2, 2, 3, 2], 9)) { bn2($0) }
        expectModuleGradient(bn2, Self.values([2, 2, 2, 2], 10), secondOrder: true) { bn2($0) }
    }

    @Test func batchNormEvaluationMode() {
        let bn = BatchNorm1d(3)
        randomizeAffine(bn, seed: 11)
        bn.eval()
        expectModuleGradient(bn, Self.values([4, 3, 2], 12)) { bn($0) }
    }

    @Test func groupNorm() {
        let gn = GroupNorm(groups: 2, channels: 4)
        randomizeAffine(gn, seed: 13)
        expectModuleGradient(gn, Self.values([2, 4, 3], 14)) { gn($0) }
        expectModuleGradient(gn, Self.values([1, 4, 2], 15), secondOrder: true) { gn($0) }
    }

    /// In evaluation mode `u`, `v` are fixed, so `W/(uᵀWv)` is a plain function of `W`
    /// (in training mode the power step moves them between finite-difference evaluations).
    @Test func spectralNorm() {
        var g = RandomGenerator(seed: 16)
        let linear = SpectralNorm(wrapping: Linear(4, 3, generator: &g), generator: &g)
        linear.train()
        _ = linear(Self.values([1, 4], 17))   // one power step, then freeze u, v
        linear.eval()
        expectModuleGradient(linear, Self.values([2, 4], 18)) { linear($0) }
        let conv = SpectralNorm(wrapping: Conv2d(2, 3, kernelSize: 2, generator: &g), generator: &g)
        conv.eval()
        expectModuleGradient(conv, Self.values([1, 2, 3, 3], 19)) { conv($0) }
    }

    @Test func weightNorm() {
        var g = RandomGenerator(seed: 20)
        let linear = WeightNorm(wrapping: Linear(4, 3, generator: &g))
        expectModuleGradient(linear, Self.values([2, 4], 21)) { linear($0) }
        let conv = WeightNorm(wrapping: ConvTranspose2d(2, 3, kernelSize: 2, generator: &g), axis: 1)
        expectModuleGradient(conv, Self.values([1, 2, 2, 2], 22)) { conv($0) }
    }
}
