import Foundation
import LatentCore
import LatentData
import LatentModels
import LatentNN
import LatentProbability
import Testing

/// `log N(x; m, S)` in Double via Cholesky.
func gaussianLogDensity(_ x: [Double], mean m: [Double], covariance s: [[Double]]) -> Double {
    let n = x.count
    var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for i in 0..<n {
        for j in 0...i {
            var sum = s[i][j]
            for k in 0..<j { sum -= l[i][k] * l[j][k] }
            l[i][j] = i == j ? sum.squareRoot() : sum / l[j][j]
        }
    }
    var y = [Double](repeating: 0, count: n)
    for i in 0..<n {
        var sum = x[i] - m[i]
        for k in 0..<i { sum -= l[i][k] * y[k] }
        y[i] = sum / l[i][i]
    }
    let logDet = (0..<n).map { 2 * log(l[$0][$0]) }.reduce(0, +)
    return -0.5 * (y.map { $0 * $0 }.reduce(0, +) + logDet + Double(n) * log(2 * Double.pi))
}

/// A VAE whose decoder is linear-Gaussian, `p(x|z) = N(Wz + b, σ²I)`, `p(z) = N(0, I)`, so
/// `p(x) = N(b, WWᵀ + σ²I)` in closed form, with a linear (imperfect) encoder.
func linearGaussianVAE(d: Int = 3, z: Int = 2, sigma: Float = 0.5, seed: UInt64 = 1) -> VAE {
    var g = RandomGenerator(seed: seed)
    let data = DataDescription(featureShape: [d], kind: .continuous, name: "linear-gaussian")
    return VAE(configuration: VAEConfiguration(latentDimension: z, hidden: [], likelihood: .gaussianFixed,
                                               observationStandardDeviation: sigma),
               data: data, generator: &g)
}

func exactLogMarginal(_ model: VAE, _ x: Tensor, sigma: Double) -> [Double] {
    let layer = (model.decoder.network as! MultilayerPerceptron).layers[0]
    let (d, z) = (layer.outputSize, layer.inputSize)
    let w = layer.weight.scalars.map(Double.init)   // [d, z]
    let b = layer.bias!.scalars.map(Double.init)
    var cov = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
    for i in 0..<d {
        for j in 0..<d {
            cov[i][j] = (0..<z).map { w[i * z + $0] * w[j * z + $0] }.reduce(0, +) + (i == j ? sigma * sigma : 0)
        }
    }
    let xs = x.scalars.map(Double.init)
    return (0..<x.shape[0]).map { gaussianLogDensity(Array(xs[($0 * d)..<($0 * d + d)]), mean: b, covariance: cov) }
}

@Suite struct VAEBoundTests {
    /// ELBO ≤ IWAE_K ≤ IWAE_K' ≤ log p(x) for K < K', and the importance-sampled estimate
    /// converges to log p(x).
    @Test func linearGaussianBoundsOrderAndConverge() {
        let model = linearGaussianVAE()
        // A posterior wider than the true one (σ_q² = e^0.5 > 1 > Var[z | x]) keeps the
        // importance weights bounded, so the estimate's error is small at moderate K.
        let head = (model.encoder as! MultilayerPerceptron).layers[0]
        head.weight = concatenate([head.weight.sliced(alongAxis: 0, range: 0..<2), Tensor.zeros([2, 3])], alongAxis: 0)
        head.bias = concatenate([head.bias!.sliced(alongAxis: 0, range: 0..<2), Tensor.full([2], 0.5)], alongAxis: 0)
        let x = Tensor(shape: [2, 3], scalars: [0.3, -1.2, 0.8, 1.5, 0.2, -0.4])
        let exact = exactLogMarginal(model, x, sigma: 0.5)
        var g = RandomGenerator(seed: 7)
        func averagedBound(k: Int, repeats: Int) -> [Double] {
            let w = model.logImportanceWeights(x, samples: k * repeats, generator: &g).reshaped(to: [repeats, k, 2])
            return (w.logSumExp(alongAxis: 1) - Float(log(Double(k)))).mean(alongAxis: 0).scalars.map(Double.init)
        }
        let tiled = x.reshaped(to: [1, 2, 3]).broadcast(to: [4000, 2, 3]).reshaped(to: [8000, 3])
        let elboTensor: Tensor = withoutDerivative { model.elbo(tiled, generator: &g) }
        let elbo: [Double] = elboTensor.reshaped(to: [4000, 2]).mean(alongAxis: 0).scalars.map { Double($0) }
        let k1 = averagedBound(k: 1, repeats: 4000)
        let k5 = averagedBound(k: 5, repeats: 2000)
        let k50 = averagedBound(k: 50, repeats: 200)
        let estimate = model.importanceSampledLogLikelihood(x, samples: 50_000, generator: &g).scalars.map(Double.init)
        for i in 0..<2 {
            // The ELBO with analytic KL and IWAE with K = 1 are the same bound in expectation.
            #expect(abs(elbo[i] - k1[i]) < 0.05 + 0.03 * abs(elbo[i]), "example \(i): ELBO \(elbo[i]) vs IWAE₁ \(k1[i])")
            #expect(k1[i] < k5[i] && k5[i] < k50[i], "example \(i): bounds \(k1[i]), \(k5[i]), \(k50[i]) must rise with K")
            #expect(k50[i] <= exact[i] + 0.01, "example \(i): IWAE₅₀ \(k50[i]) above log p(x) = \(exact[i])")
            #expect(exact[i] - elbo[i] > 0.05, "example \(i): the linear encoder should leave a gap (ELBO \(elbo[i]), log p(x) \(exact[i]))")
            #expect(abs(estimate[i] - exact[i]) < 0.02, "example \(i): IS estimate \(estimate[i]) vs log p(x) = \(exact[i])")
        }
    }

    @Test func analyticKLMatchesMonteCarlo() throws {
        let q = DiagonalGaussianPosterior.gaussian(Tensor(shape: [1, 6], scalars: [0.5, -1, 0.2, -1, 0.4, 0.1]))
        let prior = StandardNormalPrior(latentDimension: 3).standard
        var g = RandomGenerator(seed: 3)
        let z = q.rsample([200_000], generator: &g)
        let monteCarlo = (q.logProb(z) - prior.logProb(z)).mean().scalar
        let analytic = (try? klDivergence(q, prior))!.scalar
        #expect(abs(monteCarlo - analytic) < 0.01, "Monte Carlo \(monteCarlo) vs analytic \(analytic)")
    }

    @Test func importanceSamplingChunksAgree() {
        // Chunking must not change the estimate: same weights, different chunk sizes.
        let weights = Tensor(shape: [6, 2], scalars: [0, 1, 2, -1, 0.5, 3, -2, 0, 1, 1, 0, -3])
        func estimate(chunk: Int) -> [Float] {
            var start = 0
            return importanceSampledLogLikelihood(samples: 6, chunkSize: chunk) { k in
                defer { start += k }
                return weights.sliced(alongAxis: 0, range: start..<(start + k))
            }.scalars
        }
        let whole = (weights.logSumExp(alongAxis: 0) - Float(log(6.0))).scalars
        for chunk in [1, 4, 6] {
            #expect(zip(estimate(chunk: chunk), whole).allSatisfy { abs($0 - $1) < 1e-5 })
        }
    }
}

@Suite struct FullCovariancePosteriorTests {
    @Test func logProbAndKLMatchTheDirectFormulas() throws {
        var g = RandomGenerator(seed: 8)
        let family = FullCovariancePosterior(latentDimension: 3)
        let q = try #require(family.distribution(g.normal([2, family.encoderOutputCount])) as? MultivariateNormal)
        let l = q.scaleTril.scalars, m = q.loc.scalars
        let z = g.normal([4, 2, 3])
        let got = q.logProb(z).scalars
        for s in 0..<4 {
            for b in 0..<2 {
                var cov = [[Double]](repeating: [0, 0, 0], count: 3)
                for i in 0..<3 { for j in 0..<3 {
                    cov[i][j] = (0..<3).map { Double(l[b * 9 + i * 3 + $0]) * Double(l[b * 9 + j * 3 + $0]) }.reduce(0, +)
                } }
                let point = (0..<3).map { Double(z.scalars[(s * 2 + b) * 3 + $0]) }
                let expected = gaussianLogDensity(point, mean: (0..<3).map { Double(m[b * 3 + $0]) }, covariance: cov)
                #expect(abs(Double(got[s * 2 + b]) - expected) < 1e-3 * max(1, abs(expected)))
            }
        }
        let prior = StandardNormalPrior(latentDimension: 3).standard
        let samples = q.rsample([100_000], generator: &g)
        let monteCarlo = (q.logProb(samples) - prior.logProb(samples)).mean(alongAxis: 0).scalars
        let analytic = try klDivergence(q, prior).scalars
        for b in 0..<2 { #expect(abs(monteCarlo[b] - analytic[b]) < 0.03 * max(1, abs(analytic[b])), "\(monteCarlo) vs \(analytic)") }
    }
}
