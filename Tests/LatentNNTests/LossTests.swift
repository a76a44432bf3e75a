import Foundation
import LatentCore
import LatentNN
import LatentTestSupport
import Testing

/// Losses against PyTorch (Scripts/fixtures/nn_layers.py) and gradient checks.
@Suite struct LossTests {
    func t(_ key: String) -> Tensor { LayerGoldenTests.tensor(key) }

    /// Compares value and gradients of Σ loss · P with the fixture case `name`.
    func check(_ name: String, _ loss: ([Tensor]) -> Tensor, withVariance: Bool) {
        let inputs = [t("\(name)/input")] + (withVariance ? [t("\(name)/variance")] : [])
        let projection = t("\(name)/projection")
        expectClose(loss(inputs), t("\(name)/output"), relative: 1e-5, absolute: 1e-5, name)
        let g = gradient(at: inputs) { (loss($0) * projection).sum() }
        expectClose(g[0], t("\(name)/grad_input"), relative: 1e-5, absolute: 1e-5, "\(name) input gradient")
        if withVariance {
            expectClose(g[1], t("\(name)/grad_variance"), relative: 1e-5, absolute: 1e-5, "\(name) variance gradient")
        }
    }

    @Test func meanSquaredErrorMatchesPyTorch() {
        for (name, reduction) in [("mse_mean", Reduction.mean), ("mse_sum", .sum), ("mse_none", .none)] {
            let target = t("\(name)/target")
            check(name, { meanSquaredError($0[0], target, reduction: reduction) }, withVariance: false)
        }
    }

    @Test func gaussianNegativeLogLikelihoodMatchesPyTorch() {
        let target = t("gaussian_nll_mean/target")
        check("gaussian_nll_mean", { gaussianNegativeLogLikelihood($0[0], target: target, variance: $0[1]) },
              withVariance: true)
        check("gaussian_nll_full_sum", {
            gaussianNegativeLogLikelihood($0[0], target: target, variance: $0[1], full: true, reduction: .sum)
        }, withVariance: true)
        check("gaussian_nll_rows_none", {
            gaussianNegativeLogLikelihood($0[0], target: target, variance: $0[1], epsilon: 1e-3, reduction: .none)
        }, withVariance: true)
        check("gaussian_nll_column", { gaussianNegativeLogLikelihood($0[0], target: target, variance: $0[1]) },
              withVariance: true)
    }

    @Test func gradients() {
        let x = Tensor(shape: [3, 2], scalars: [0.3, -1.2, 0.8, 0.1, -0.5, 1.4])
        let y = Tensor(shape: [3, 2], scalars: [0.1, -0.7, 1.5, 0.4, -0.2, 0.9])
        let v = Tensor(shape: [3, 2], scalars: [0.5, 1.2, 0.8, 0.3, 2.0, 0.6])
        expectGradient(at: [x, y]) { meanSquaredError($0[0], $0[1], reduction: .none) }
        expectGradient(at: [x, v], tolerance: 3e-2) {
            gaussianNegativeLogLikelihood($0[0], target: y, variance: $0[1], reduction: .none)
        }
        expectGradient(at: [x, Tensor([0.7, 1.1, 0.9])]) {
            gaussianNegativeLogLikelihood($0[0], target: y, variance: $0[1], full: true)
        }
    }

    @Test func varianceShapeValidation() throws {
        #expect(try gaussianNegativeLogLikelihoodVarianceShape(input: [4, 3], target: [4, 3], variance: [4]) == [4, 1])
        #expect(try gaussianNegativeLogLikelihoodVarianceShape(input: [4, 3], target: [4, 3], variance: [4, 1]) == [4, 1])
        #expect(throws: ShapeError(op: "gaussianNegativeLogLikelihood",
                                   "variance of shape [3] does not fit input of shape [4, 3]")) {
            try gaussianNegativeLogLikelihoodVarianceShape(input: [4, 3], target: [4, 3], variance: [3])
        }
        #expect(throws: ShapeError(op: "gaussianNegativeLogLikelihood",
                                   "input of shape [4, 3] and target of shape [4] differ")) {
            try gaussianNegativeLogLikelihoodVarianceShape(input: [4, 3], target: [4], variance: [4])
        }
    }

    /// The classification losses come from LatentCore through `import LatentNN`.
    @Test func coreLossesAreReexported() {
        let logits = Tensor(shape: [2, 3], scalars: [0.5, -1, 2, 0.1, 0.3, -0.4])
        #expect(crossEntropy(logits: logits, labels: IndexTensor([2, 0])).scalarCount == 1)
        #expect(binaryCrossEntropy(logits: logits, targets: .zeros([2, 3])).scalarCount == 1)
    }
}
