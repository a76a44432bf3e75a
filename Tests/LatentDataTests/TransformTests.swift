import Foundation
import LatentCore
import LatentData
import LatentTestSupport
import Testing

@Suite struct TransformTests {
    let images = TensorDataset(features: Tensor(shape: [6, 1, 2, 3], scalars: (0..<36).map { Float($0 % 8) / 7 }),
                               labels: IndexTensor([0, 1, 2, 0, 1, 2]))

    @Test func normaliseAndScale() {
        let b = images.normalized(mean: 0.5, standardDeviation: 0.25).batch(at: [1])
        expectClose(b.features, Tensor(shape: [1, 1, 2, 3], scalars: (6..<12).map { (Float($0 % 8) / 7 - 0.5) / 0.25 }))
        let two = TensorDataset(features: Tensor(shape: [1, 2, 1, 1], scalars: [1, 3]))
        #expect(two.normalized(mean: [1, 1], standardDeviation: [1, 2]).batch(at: [0]).features.scalars == [0, 1])
        #expect(two.transformed(.scaled(by: 2, shift: -1)).batch(at: [0]).features.scalars == [1, 5])
        #expect(images.flattened().batch(at: [0, 1]).features.shape == [2, 6])
    }

    @Test func binarisations() {
        let threshold = images.binarized(.threshold(0.5)).batch(at: [0]).features.scalars
        #expect(threshold == (0..<6).map { Float($0 % 8) / 7 > 0.5 ? 1 : 0 })

        let loader = DataLoader(images.binarized(), batchSize: 3, shuffle: true, seed: 4, prefetch: 0)
        let a = loader.batch(epoch: 0, step: 0), again = loader.batch(epoch: 0, step: 0)
        #expect(a.features.scalars == again.features.scalars)
        #expect(a.features.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        // Values 0 and 1 are kept exactly; a new epoch redraws.
        let epochs = (0..<8).map { loader.batch(epoch: $0, step: 0) }
        for b in epochs {
            for (i, index) in b.indices.enumerated() {
                let x = images.batch(at: [index]).features.scalars, y = Array(b.features.scalars[(6 * i)..<(6 * i + 6)])
                for j in 0..<6 where x[j] == 0 || x[j] == 1 { #expect(y[j] == x[j]) }
            }
        }
        #expect(Set(epochs.map(\.features.scalars)).count > 1)

        // Fixed binarisation depends on the example, not the batch or epoch.
        let fixed = images.binarized(.fixed(seed: 9))
        let together = fixed.batch(at: [4, 1]).features.scalars
        var g = RandomGenerator(seed: 123)
        let apart = fixed.batch(at: [1], generator: &g).features.scalars
        #expect(Array(together[6...]) == apart)
        #expect(together.allSatisfy { $0 == 0 || $0 == 1 })
    }

    @Test func dynamicBinarisationFrequencies() {
        let half = TensorDataset(features: Tensor(repeating: 0.3, shape: [1, 10_000]))
        let mean = half.binarized().batch(at: [0]).features.scalars.reduce(Float(0), +) / 10_000
        #expect(abs(mean - 0.3) < 0.02)
    }

    @Test func dequantisationStaysInTheBin() {
        let levels = 8
        let b = images.dequantized(levels: levels).batch(at: Array(0..<6))
        let x = images.batch(at: Array(0..<6)).features.scalars
        for (v, y) in zip(x, b.features.scalars) {
            let k = (v * 7).rounded()
            #expect(y >= k / 8 && y < (k + 1) / 8)
        }
        #expect(Set(b.features.scalars).count > 8)
    }

    @Test func logitTransformAndItsJacobian() {
        let x = Tensor(shape: [1, 3], scalars: [0, 0.5, 1])
        let alpha: Float = 0.05
        let y = TensorDataset(features: x).logitTransformed(alpha: alpha).batch(at: [0]).features.scalars
        #expect(abs(y[1]) < 1e-6)
        #expect(abs(y[0] - log(0.05 / 0.95)) < 1e-5 && abs(y[2] + y[0]) < 1e-5)
        // log|dy/dx| by central differences.
        let point: Float = 0.3, h: Float = 1e-3
        func f(_ v: Float) -> Double {
            let p = Double(alpha) + Double(1 - 2 * alpha) * Double(v)
            return log(p / (1 - p))
        }
        let numeric = log((f(point + h) - f(point - h)) / Double(2 * h))
        let analytic = BatchTransform.logitLogAbsDetJacobian(Tensor(shape: [1, 1], scalars: [point]), alpha: alpha).scalar
        #expect(abs(Double(analytic) - numeric) < 1e-3)
    }

    @Test func randomFlipReversesRows() {
        let flipped = images.randomHorizontalFlips(probability: 1).batch(at: [0]).features.scalars
        let original = images.batch(at: [0]).features.scalars
        #expect(flipped == [original[2], original[1], original[0], original[5], original[4], original[3]])
        #expect(images.randomHorizontalFlips(probability: 0).batch(at: [0]).features.scalars == original)
        let loader = DataLoader(images.randomHorizontalFlips(), batchSize: 6, seed: 1, prefetch: 2)
        #expect(Array(loader.batches(epoch: 0)).map(\.features.scalars) == [loader.batch(epoch: 0, step: 0).features.scalars])
    }

    @Test func oneHotLabels() {
        let b = images.oneHotLabels(classCount: 3).batch(at: [2, 0])
        #expect(b.oneHotLabels?.shape == [2, 3])
        #expect(b.oneHotLabels?.scalars == [0, 0, 1, 1, 0, 0])
    }

    @Test func transformsComposeInOrder() {
        let data = images.dequantized(levels: 8).logitTransformed(alpha: 0.01)
        #expect(data.transforms.map(\.name) == ["dequantized(levels: 8)", "logitTransformed(alpha: 0.01)"])
        let loader = DataLoader(data, batchSize: 4, shuffle: true, seed: 3, prefetch: 1)
        let viaLoop = Array(loader.batches(epoch: 1)).map(\.features.scalars)
        let direct = (0..<loader.batchesPerEpoch).map { loader.batch(epoch: 1, step: $0).features.scalars }
        #expect(viaLoop == direct)
    }
}
