import LatentCore
import LatentNN
import Testing

/// Standing statistics: a batch norm's running statistics recomputed as the plain average
/// over given batches.
@Suite struct StandingStatisticsTests {
    @Test func recomputedStatisticsAreThePlainAverageOfTheBatches() {
        var g = RandomGenerator(seed: 1)
        let layer = BatchNorm1d(3)
        layer.eval()
        _ = { layer.train(); _ = layer(g.normal([8, 3], mean: 5)); layer.eval() }()  // some history to forget
        let a = g.normal([10, 3], mean: 1), b = g.normal([10, 3], mean: -2, standardDeviation: 3)
        layer.recomputeRunningStatistics {
            _ = layer(a)
            _ = layer(b)
        }
        #expect(!layer.isTraining && layer.momentum == 0.1)
        func mean(_ t: Tensor) -> [Float] { (0..<3).map { c in (0..<10).reduce(0) { $0 + t.scalars[$1 * 3 + c] } / 10 } }
        func unbiasedVariance(_ t: Tensor) -> [Float] {
            let m = mean(t)
            return (0..<3).map { c in (0..<10).reduce(0) { $0 + (t.scalars[$1 * 3 + c] - m[c]) * (t.scalars[$1 * 3 + c] - m[c]) } / 9 }
        }
        let expectedMean = zip(mean(a), mean(b)).map { ($0 + $1) / 2 }
        let expectedVariance = zip(unbiasedVariance(a), unbiasedVariance(b)).map { ($0 + $1) / 2 }
        #expect(zip(layer.runningMean!.scalars, expectedMean).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(zip(layer.runningVariance!.scalars, expectedVariance).allSatisfy { abs($0 - $1) < 1e-4 * max(1, abs($1)) })
        #expect(layer.numBatchesTracked == 2)
    }
}
