import Foundation
import LatentCore
import LatentData
import Testing

@Suite struct ToyDensityTests {
    @Test func samplesAreSeededAndShaped() {
        for density in ToyDensity.allCases {
            var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 1), c = RandomGenerator(seed: 2)
            let (x, components) = density.labeledSample(500, generator: &a)
            #expect(x.shape == [500, 2] && components.shape == [500])
            #expect(x.scalars == density.sample(500, generator: &b).scalars, "\(density)")
            #expect(x.scalars != density.sample(500, generator: &c).scalars)
            #expect(x.scalars.allSatisfy { $0.isFinite && abs($0) < 8 }, "\(density)")
            #expect(components.scalars.allSatisfy { $0 >= 0 && Int($0) < density.componentCount })
            #expect(Set(components.scalars).count == density.componentCount, "\(density)")
            let data = density.dataset(count: 64, seed: 3)
            #expect(data.count == 64 && data.featureShape == [2])
        }
        #expect(ToyDensity.allCases.filter(\.hasLogDensity) == [.twoMoons, .circles, .eightGaussians, .twentyFiveGaussians, .checkerboard])
        #expect(ToyDensity.spirals.logDensity(Tensor(shape: [1, 2], scalars: [0, 0])) == nil)
    }

    /// Midpoints of a 120 × 120 grid over [−6, 6]².
    var grid: Tensor {
        let n = 120, h: Float = 0.1
        var points: [Float] = []
        for i in 0..<n { for j in 0..<n { points += [-6 + h * (Float(i) + 0.5), -6 + h * (Float(j) + 0.5)] } }
        return Tensor(shape: [n * n, 2], scalars: points)
    }

    @Test(arguments: [ToyDensity.eightGaussians, .checkerboard, .twoMoons, .circles])
    func densityIntegratesToOneAndMatchesSamples(_ density: ToyDensity) throws {
        let points = grid
        let logp = try #require(density.logDensity(points)).scalars
        let mass = logp.reduce(0.0) { $0 + exp(Double($1)) } * 0.01
        #expect(abs(mass - 1) < 2e-3, "\(density): ∫p = \(mass)")
        // The sampler's frequency of the quadrant x > 0, y > 0.5 matches the density's mass there.
        let xs = points.scalars
        var quadrant = 0.0
        for i in 0..<logp.count where xs[2 * i] > 0 && xs[2 * i + 1] > 0.5 { quadrant += exp(Double(logp[i])) * 0.01 }
        var g = RandomGenerator(seed: 42)
        let samples = density.sample(20_000, generator: &g).scalars
        let frequency = Double(stride(from: 0, to: samples.count, by: 2).filter { samples[$0] > 0 && samples[$0 + 1] > 0.5 }.count) / 20_000
        #expect(abs(frequency - quadrant) < 0.015, "\(density): sampled \(frequency), density \(quadrant)")
    }

    @Test func closedFormValues() throws {
        // 8 Gaussians at a centre: log(1/8 · 1/(2πσ²)) plus the others' negligible mass.
        let centre = Tensor(shape: [1, 2], scalars: [Float(2 * 2.0.squareRoot()), 0])
        let sigma2 = 1.0 / 8
        let expected = log(1.0 / 8 / (2 * Double.pi * sigma2))
        #expect(abs(Double(try #require(ToyDensity.eightGaussians.logDensity(centre)).scalar) - expected) < 1e-4)
        let board = try #require(ToyDensity.checkerboard.logDensity(Tensor(shape: [3, 2], scalars: [1, 1, 1, -1, 9, 0]))).scalars
        #expect(board[0] == Float(log(1.0 / 32)) && board[1] == -.infinity && board[2] == -.infinity)
    }

    @Test func arcQuadratureMatchesBruteForce() throws {
        // p(x) for the moons by a 200,000-node midpoint rule over each arc's angle.
        func bruteForce(_ x: Double, _ y: Double) -> Double {
            let s2 = 0.04, n = 200_000
            var total = 0.0
            for (cx, cy, start) in [(-1.0, -0.2, 0.0), (1.0, 0.8, Double.pi)] {
                var sum = 0.0
                for k in 0..<n {
                    let phi = start + (Double(k) + 0.5) * Double.pi / Double(n)
                    let dx = x - cx - 2 * cos(phi), dy = y - cy - 2 * sin(phi)
                    sum += exp(-(dx * dx + dy * dy) / (2 * s2))
                }
                total += 0.5 / Double.pi * sum * Double.pi / Double(n) / (2 * Double.pi * s2)
            }
            return log(total)
        }
        let points: [(Double, Double)] = [(1, -0.2), (-1, 1.8), (-3.05, -0.25), (0.9, 0.9), (3.0, 0.8), (0, 0.3)]
        let fast = try #require(ToyDensity.twoMoons.logDensity(Tensor(shape: [points.count, 2], scalars: points.flatMap { [Float($0.0), Float($0.1)] }))).scalars
        for (i, p) in points.enumerated() {
            let exact = bruteForce(p.0, p.1)
            #expect(abs(Double(fast[i]) - exact) < 1e-3, "at \(p): \(fast[i]) vs \(exact)")
        }
    }
}
