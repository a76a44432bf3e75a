import Foundation
import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

@Suite struct DiscretizedLogisticMixtureTests {
    @Test func againstNumPyReference() {
        let f = DiscreteFixture.section("discretizedLogistic")
        let d = DiscretizedLogisticMixture(logits: f.tensor("logits", [2, 3, 4]), means: f.tensor("means", [2, 3, 4]),
                                           logScales: f.tensor("logScales", [2, 3, 4]))
        #expect(d.batchShape == [2, 3] && d.eventShape == [])
        let values = f.tensor("values", [2, 3])
        expectClose(DiscretizedLogisticMixture.values(fromLevels: f.tensor("levels", [2, 3])), values, absolute: 1e-6)
        expectClose(d.logProb(values), f.tensor("logProb", [2, 3]), relative: 2e-4, absolute: 2e-4)
        let g = DiscreteFixture.section("discretizedLogisticRGB")
        let rgb = DiscretizedLogisticMixture(logits: g.tensor("logits", [2, 3]), means: g.tensor("means", [2, 3, 3]),
                                             logScales: g.tensor("logScales", [2, 3, 3]), coefficients: g.tensor("coefficients", [2, 3, 3]))
        #expect(rgb.batchShape == [2] && rgb.eventShape == [3])
        expectClose(rgb.logProb(g.tensor("values", [2, 3])), g.tensor("logProb"), relative: 2e-4, absolute: 2e-4)
    }

    /// All levels of a b-bit value as [−1, 1] values, shape [2ᵇ].
    func allValues(bitDepth: Int) -> Tensor {
        DiscretizedLogisticMixture.values(fromLevels: Tensor.arange(0, Float(1 << bitDepth)), bitDepth: bitDepth)
    }

    @Test func massesSumToOne() {
        var rng = RandomGenerator(seed: 50)
        // Log-scales from very sharp (clamped at −7) to very flat (the narrow-bin midpoint rule).
        let logScales = Tensor([-9, -7, -4, -2, 0, 2.5, 6]).reshaped(to: [7, 1]).broadcast(to: [7, 3])
        let d = DiscretizedLogisticMixture(logits: rng.normal([7, 3]), means: rng.uniform([7, 3], low: -1.3, high: 1.3),
                                           logScales: logScales + 0.1 * rng.normal([7, 3]))
        let total = d.logProb(allValues(bitDepth: 8).reshaped(to: [256, 1])).exp().sum(alongAxis: 0)
        expectClose(total, Tensor.ones([7]), absolute: 2e-4)
        // RGB coupling: Σ over all 8³ colours of a 3-bit image.
        let rgb = DiscretizedLogisticMixture(logits: rng.normal([2]), means: rng.uniform([3, 2], low: -0.8, high: 0.8),
                                             logScales: rng.uniform([3, 2], low: -2.5, high: 0), coefficients: rng.uniform([3, 2], low: -0.9, high: 0.9),
                                             bitDepth: 3)
        let v = allValues(bitDepth: 3).scalars
        var colours: [Float] = []
        for r in v { for g in v { for b in v { colours += [r, g, b] } } }
        let mass = rgb.logProb(Tensor(shape: [512, 3], scalars: colours)).exp().sum().scalar
        #expect(Swift.abs(mass - 1) < 1e-4, "Σ P = \(mass)")
    }

    @Test func edgesAndExtremesAreFiniteWithFiniteGradients() {
        let values: Tensor = [-1, -1, 1, 1, 0, 0.5, -0.99215686, 0.99215686]
        let logits = Tensor.zeros([8, 2])
        let means: Tensor = [[5, -1], [-5, 0], [-5, 1], [5, 0], [0.9, -0.9], [-30, 30], [1, -1], [-1, 1]]
        let logScales: Tensor = [[-7, -7], [-7, 3], [-7, -7], [3, 10], [-7, -6.5], [-7, -7], [-7, -7], [-7, 40]]
        let d = DiscretizedLogisticMixture(logits: logits, means: means, logScales: logScales)
        let lp = d.logProb(values)
        #expect(lp.scalars.allSatisfy { $0.isFinite && $0 <= 0 }, "\(lp.scalars)")
        let grads = gradient(at: [logits, means, logScales]) { p in
            DiscretizedLogisticMixture(logits: p[0], means: p[1], logScales: p[2]).logProb(values).sum()
        }
        for g in grads { #expect(g.scalars.allSatisfy { $0.isFinite }, "\(g.scalars)") }
        // The edge bins take the whole tails: mean far below −1 puts all mass on level 0.
        let edge = DiscretizedLogisticMixture(logits: [[0]], means: [[-3]], logScales: [[-3]])
        expectClose(edge.logProb([-1]), [0], absolute: 1e-6)
    }

    @Test func gradientsMatchFiniteDifferences() {
        var rng = RandomGenerator(seed: 51)
        let values = DiscretizedLogisticMixture.values(fromLevels: [[0, 37, 128], [200, 255, 90]])
        expectGradient(at: [rng.normal([2, 3, 2]), rng.uniform([2, 3, 2], low: -0.9, high: 0.9), rng.uniform([2, 3, 2], low: -3, high: -1)],
                       tolerance: 3e-2, epsilon: 1e-3) { p in
            DiscretizedLogisticMixture(logits: p[0], means: p[1], logScales: p[2]).logProb(values)
        }
        let rgbValues = DiscretizedLogisticMixture.values(fromLevels: [[10, 200, 128]])
        expectGradient(at: [rng.normal([1, 2]), rng.uniform([1, 3, 2], low: -0.5, high: 0.5),
                            rng.uniform([1, 3, 2], low: -2, high: -1), rng.uniform([1, 3, 2], low: -0.5, high: 0.5)],
                       tolerance: 3e-2, epsilon: 1e-3) { p in
            DiscretizedLogisticMixture(logits: p[0], means: p[1], logScales: p[2], coefficients: p[3]).logProb(rgbValues)
        }
    }

    @Test func samplesFollowTheMasses() {
        var rng = RandomGenerator(seed: 52)
        let d = DiscretizedLogisticMixture(logits: [[0.3, -0.4]], means: [[-0.5, 0.4]], logScales: [[-1.2, -1.8]], bitDepth: 2)
        let n = 20_000
        let s = d.sample([n], generator: &rng)
        #expect(s.shape == [n, 1])
        let grid = allValues(bitDepth: 2).scalars
        let masses = d.logProb(Tensor(grid).reshaped(to: [4, 1])).exp().scalars
        for (v, p) in zip(grid, masses) {
            let f = Float(s.scalars.filter { Swift.abs($0 - v) < 1e-4 }.count) / Float(n)
            #expect(Swift.abs(f - p) < 4 * (p * (1 - p) / Float(n)).squareRoot() + 1e-3, "P(\(v)): \(f) vs \(p)")
        }
        let rgb = DiscretizedLogisticMixture(logits: [[0, 1], [1, 0]], means: rng.uniform([2, 3, 2], low: -0.5, high: 0.5),
                                             logScales: Tensor.full([2, 3, 2], -2), coefficients: Tensor.full([2, 3, 2], 0.5))
        let image = rgb.sample([3], generator: &rng)
        #expect(image.shape == [3, 2, 3])
        let levels = DiscretizedLogisticMixture.levels(fromValues: image)
        expectClose(DiscretizedLogisticMixture.values(fromLevels: levels), image, absolute: 1e-6)
        #expect(rgb.logProb(image).scalars.allSatisfy { $0.isFinite })
    }

    @Test func shapeValidation() {
        #expect(throws: ShapeError(op: "DiscretizedLogisticMixture", "means [2, 4], logScales [2, 3] must all have shape [2, 3] for logits of shape [2, 3]")) {
            try DiscretizedLogisticMixture.validateShapes(logits: [2, 3], means: [2, 4], logScales: [2, 3], coefficients: nil)
        }
        #expect(throws: ShapeError(op: "DiscretizedLogisticMixture", "means [2, 3, 3], logScales [2, 3, 3], coefficients [2, 3] must all have shape [2, 3, 3] for logits of shape [2, 3]")) {
            try DiscretizedLogisticMixture.validateShapes(logits: [2, 3], means: [2, 3, 3], logScales: [2, 3, 3], coefficients: [2, 3])
        }
    }
}
