import Foundation
import LatentCore
import LatentTestSupport
import Testing

/// Mean and (unbiased) variance of a sample, in Double.
private func moments(_ values: [Float]) -> (mean: Double, variance: Double) {
    let n = Double(values.count)
    let mean = values.reduce(0.0) { $0 + Double($1) } / n
    let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (n - 1)
    return (mean, variance)
}

/// Pearson's χ² statistic of observed counts against expected probabilities.
private func chiSquare(_ counts: [Int], _ probabilities: [Double]) -> Double {
    let total = Double(counts.reduce(0, +))
    return zip(counts, probabilities).reduce(0.0) { s, cp in
        let expected = total * cp.1
        return s + (Double(cp.0) - expected) * (Double(cp.0) - expected) / expected
    }
}

@Suite struct RandomTests {
    // MARK: Philox

    @Test func philoxKnownAnswers() {
        // Random123 kat_vectors (also reproduced by Scripts/fixtures/philox_reference.py).
        #expect(Philox.block(counter: SIMD4(0, 0, 0, 0), key: SIMD2(0, 0))
                == SIMD4(0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8))
        #expect(Philox.block(counter: SIMD4(repeating: 0xFFFF_FFFF), key: SIMD2(repeating: 0xFFFF_FFFF))
                == SIMD4(0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD))
        #expect(Philox.block(counter: SIMD4(0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344),
                             key: SIMD2(0xA409_3822, 0x299F_31D0))
                == SIMD4(0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1))
    }

    @Test func seedStreamMatchesPythonReference() {
        // philox_reference.py: seed 0x0123456789ABCDEF, key = (low word, high word).
        var rng = RandomGenerator(seed: 0x0123_4567_89AB_CDEF)
        #expect(rng.key == SIMD2(0x89AB_CDEF, 0x0123_4567))
        #expect(rng.nextBlock() == SIMD4(0xB850_222E, 0xC58C_B04B, 0x14A7_A020, 0x7A84_FFF9))
        #expect(rng.nextBlock() == SIMD4(0xADCA_1466, 0x523E_0D85, 0x6540_1425, 0xB299_DA3F))
        #expect(rng.counter == 2)
        // A counter past 2³² carries into the second word.
        #expect(Philox.block(counter: UInt128(1) << 32 + 5, key: rng.key)
                == SIMD4(0xB8B2_43F7, 0xDA8F_B9A8, 0x4600_4299, 0xE54C_389C))
        // uniform() takes the top 24 bits of each word.
        var u = RandomGenerator(seed: 0x0123_4567_89AB_CDEF)
        let expected = [UInt32(0xB850_222E), 0xC58C_B04B, 0x14A7_A020].map { Float($0 >> 8) * 0x1p-24 }
        #expect(u.uniform([3]).scalars == expected)
        #expect(u.counter == 1)
    }

    // MARK: Determinism

    @Test func blocksDoNotDependOnChunking() {
        let count = 3001
        func collect(minimumChunk: Int) -> [SIMD4<UInt32>] {
            var rng = RandomGenerator(seed: 42)
            var out = [SIMD4<UInt32>](repeating: .zero, count: count)
            out.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress!
                rng.forEachBlock(count: count, minimumChunk: minimumChunk) { i, bits in base[i] = bits }
            }
            #expect(rng.counter == UInt128(count))
            return out
        }
        let reference = (0..<count).map { Philox.block(counter: UInt128($0), key: SIMD2(42, 0)) }
        #expect(collect(minimumChunk: 1) == reference)
        #expect(collect(minimumChunk: 7) == reference)
        #expect(collect(minimumChunk: count) == reference)
    }

    @Test func largeParallelFillMatchesSequentialReference() {
        // Large enough to be split across threads (2 × minimumBlocksPerChunk blocks and more).
        let n = 4 * 2 * RandomGenerator.minimumBlocksPerChunk + 13
        var rng = RandomGenerator(seed: 7)
        let u = rng.uniform([n]).scalars
        let key = RandomGenerator(seed: 7).key
        var mismatches = 0
        for b in 0..<((n + 3) / 4) {
            let bits = Philox.block(counter: UInt128(b), key: key)
            for j in 0..<min(4, n - 4 * b) where u[4 * b + j] != Float(bits[j] >> 8) * 0x1p-24 { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(rng.counter == UInt128((n + 3) / 4))
    }

    @Test func sameSeedSameNumbersAndCounterAdvances() {
        var a = RandomGenerator(seed: 123), b = RandomGenerator(seed: 123), c = RandomGenerator(seed: 124)
        let x = a.normal([5, 7])
        #expect(x.scalars == b.normal([5, 7]).scalars)
        #expect(x.scalars != c.normal([5, 7]).scalars)
        #expect(a.counter == 9)   // ⌈35 / 4⌉ blocks
        #expect(a.uniform([3]).scalars != x.scalars)
        // Requests that are multiples of four concatenate into one larger request.
        var whole = RandomGenerator(seed: 5), parts = RandomGenerator(seed: 5)
        let joined = parts.uniform([8]).scalars + parts.uniform([12]).scalars
        #expect(whole.uniform([20]).scalars == joined)
    }

    // MARK: Moments

    @Test func uniformMoments() {
        var rng = RandomGenerator(seed: 1)
        let n = 100_000
        let x = rng.uniform([n], low: -2, high: 3).scalars
        #expect(x.allSatisfy { $0 >= -2 && $0 < 3 })
        let (mean, variance) = moments(x)
        // U(a, b): mean (a+b)/2, variance w²/12; Var[(u − μ)²] = w⁴/180.
        #expect(abs(mean - 0.5) < 5 * (25.0 / 12 / Double(n)).squareRoot())
        #expect(abs(variance - 25.0 / 12) < 5 * (625.0 / 180 / Double(n)).squareRoot())
    }

    @Test func normalMoments() {
        var rng = RandomGenerator(seed: 2)
        let n = 100_000
        let x = rng.normal([n], mean: 2, standardDeviation: 3).scalars
        let (mean, variance) = moments(x)
        #expect(abs(mean - 2) < 5 * 3 / Double(n).squareRoot())
        // Var[s²] ≈ 2σ⁴/n for a normal sample.
        #expect(abs(variance - 9) < 5 * 9 * (2 / Double(n)).squareRoot())
        // Standardised third and fourth moments: 0 and 3 (standard errors √(6/n), √(24/n)).
        let z = x.map { (Double($0) - 2) / 3 }
        let skew = z.reduce(0) { $0 + $1 * $1 * $1 } / Double(n)
        let kurtosis = z.reduce(0) { $0 + $1 * $1 * $1 * $1 } / Double(n)
        #expect(abs(skew) < 5 * (6 / Double(n)).squareRoot())
        #expect(abs(kurtosis - 3) < 5 * (96 / Double(n)).squareRoot())
        // Pairs (cos, sin) are uncorrelated.
        let evens = stride(from: 0, to: n, by: 2).map { z[$0] }, odds = stride(from: 1, to: n, by: 2).map { z[$0] }
        let correlation = zip(evens, odds).reduce(0) { $0 + $1.0 * $1.1 } / Double(n / 2)
        #expect(abs(correlation) < 5 / Double(n / 2).squareRoot())
    }

    @Test func bernoulliMoments() {
        var rng = RandomGenerator(seed: 3)
        let n = 100_000, p = 0.3
        let x = rng.bernoulli([n], probability: Float(p)).scalars
        #expect(x.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(abs(moments(x).mean - p) < 5 * (p * (1 - p) / Double(n)).squareRoot())
        #expect(rng.bernoulli([100], probability: 0).scalars.allSatisfy { $0 == 0 })
        #expect(rng.bernoulli([100], probability: 1).scalars.allSatisfy { $0 == 1 })
        // Per-element probabilities: columns with p = 0.1 and p = 0.8.
        let probabilities = Tensor(shape: [n / 2, 2], scalars: (0..<n).map { $0 % 2 == 0 ? 0.1 : 0.8 })
        let y = rng.bernoulli(probabilities: probabilities).scalars
        let first = stride(from: 0, to: n, by: 2).map { y[$0] }, second = stride(from: 1, to: n, by: 2).map { y[$0] }
        #expect(abs(moments(first).mean - 0.1) < 5 * (0.09 / Double(n / 2)).squareRoot())
        #expect(abs(moments(second).mean - 0.8) < 5 * (0.16 / Double(n / 2)).squareRoot())
    }

    @Test func gumbelMoments() {
        var rng = RandomGenerator(seed: 4)
        let n = 100_000
        let (mean, variance) = moments(rng.gumbel([n]).scalars)
        let eulerGamma = 0.577_215_664_901_532_9, sigma2 = Double.pi * Double.pi / 6
        #expect(abs(mean - eulerGamma) < 5 * (sigma2 / Double(n)).squareRoot())
        // Gumbel excess kurtosis is 12/5, so Var[s²] ≈ (μ₄ − σ⁴)/n = 4.4 σ⁴/n.
        #expect(abs(variance - sigma2) < 5 * (4.4 * sigma2 * sigma2 / Double(n)).squareRoot())
    }

    // MARK: Discrete

    @Test func integersStayInRangeAndAreUniform() {
        var rng = RandomGenerator(seed: 5)
        let x = rng.integers([100, 80], in: -3..<5)
        #expect(x.shape == [100, 80])
        #expect(rng.counter == 4000)   // two values per block
        var counts = [Int](repeating: 0, count: 8)
        for v in x.scalars {
            #expect(v >= -3 && v < 5)
            counts[Int(v) + 3] += 1
        }
        // χ² with 7 degrees of freedom: P(χ² > 30) ≈ 1e-4.
        #expect(chiSquare(counts, Array(repeating: 1.0 / 8, count: 8)) < 30)
        #expect(rng.integers([10], in: 9..<10).scalars == Array(repeating: 9, count: 10))
    }

    @Test func categoricalFrequencies() {
        var rng = RandomGenerator(seed: 6)
        let p: [Float] = [0.1, 0.2, 0.3, 0.4]
        let logits = Tensor(p.map { Foundation.log($0) + 1.5 })   // unnormalised
        let draws = rng.categorical(logits: logits, sampleShape: [20_000])
        #expect(draws.shape == [20_000])
        var counts = [0, 0, 0, 0]
        for d in draws.scalars { counts[Int(d)] += 1 }
        // χ² with 3 degrees of freedom: P(χ² > 21) ≈ 1e-4.
        #expect(chiSquare(counts, p.map(Double.init)) < 21)

        // Batched, with an impossible category.
        let batch = Tensor([[0, 0, -Float.infinity], [2, -Float.infinity, 0]])
        let samples = rng.categorical(logits: batch, sampleShape: [4000])
        #expect(samples.shape == [4000, 2])
        var rowCounts = [[0, 0, 0], [0, 0, 0]]
        for (i, d) in samples.scalars.enumerated() { rowCounts[i % 2][Int(d)] += 1 }
        #expect(rowCounts[0][2] == 0 && rowCounts[1][1] == 0)
        #expect(chiSquare([rowCounts[0][0], rowCounts[0][1]], [0.5, 0.5]) < 16)
        let e2 = Foundation.exp(2.0)
        #expect(chiSquare([rowCounts[1][0], rowCounts[1][2]], [e2 / (e2 + 1), 1 / (e2 + 1)]) < 16)

        // Probabilities give the same draws as their logarithms.
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        let probabilities = Tensor([[0.2, 0.5, 0.3], [0.6, 0.0, 0.4]])
        #expect(a.categorical(probabilities: probabilities, sampleShape: [50])
                == b.categorical(logits: probabilities.log(), sampleShape: [50]))
    }

    @Test func permutationIsAUniformPermutation() {
        var rng = RandomGenerator(seed: 8)
        let p = rng.permutation(1000)
        #expect(p.sorted() == Array(0..<1000))
        #expect(p != Array(0..<1000))
        var again = RandomGenerator(seed: 8)
        #expect(again.permutation(1000) == p)
        #expect(rng.permutation(0) == [] && rng.permutation(1) == [0])
        // All 6 orders of 3 elements are equally likely: χ² with 5 dof, P(χ² > 26) ≈ 1e-4.
        var counts: [[Int]: Int] = [:]
        for _ in 0..<6000 { counts[rng.permutation(3), default: 0] += 1 }
        #expect(counts.count == 6)
        #expect(chiSquare(Array(counts.values), Array(repeating: 1.0 / 6, count: 6)) < 26)
    }

    // MARK: Streams

    @Test func splitAndForkGiveIndependentDeterministicStreams() {
        var parent = RandomGenerator(seed: 11)
        var copy = parent
        let forked = parent.fork(count: 3)
        let split = [copy.split(), copy.split(), copy.split()]
        #expect(forked == split)
        #expect(parent == copy && parent.counter == 3)
        #expect(Set(forked.map { "\($0.key)" }).count == 3)
        var x = forked[0], y = forked[1], z = parent
        let a = x.uniform([16]).scalars, b = y.uniform([16]).scalars, c = z.uniform([16]).scalars
        #expect(a != b && a != c && b != c)
        // Weak independence check: child and parent streams are uncorrelated.
        var child = parent.split()
        let u = parent.normal([20_000]).scalars, v = child.normal([20_000]).scalars
        let correlation = zip(u, v).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } / 20_000
        #expect(abs(correlation) < 5 / 20_000.0.squareRoot())
    }

    @Test func drivesStandardLibraryRandomAPIs() {
        var a = RandomGenerator(seed: 12), b = RandomGenerator(seed: 12)
        #expect(Array(0..<20).shuffled(using: &a) == Array(0..<20).shuffled(using: &b))
        let f = Float.random(in: 1..<2, using: &a)
        #expect(f >= 1 && f < 2)
    }
}
