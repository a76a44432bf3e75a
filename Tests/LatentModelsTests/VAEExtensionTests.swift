import Foundation
import LatentCore
import LatentData
import LatentModels
import LatentNN
import LatentProbability
import LatentTestSupport
import Testing

@Suite struct VAEActiveUnitTests {
    /// A linear encoder whose means copy x₀ (variance 1), ignore the input (0) and copy
    /// 0.05·x₁ (variance 0.0025 < 0.01): one active unit of three, through Trainer.evaluate.
    @Test func activeUnitsThroughTrainerEvaluate() throws {
        var g = RandomGenerator(seed: 3)
        let data = DataDescription(featureShape: [2], kind: .continuous, name: "t")
        let model = VAE(configuration: VAEConfiguration(latentDimension: 3, hidden: [], likelihood: .gaussianFixed,
                                                        evaluationSamples: 2),
                        data: data, generator: &g)
        let head = (model.encoder as! MultilayerPerceptron).layers[0]
        head.weight = Tensor(shape: [6, 2], scalars: [1, 0, 0, 0, 0, 0.05, 0, 0, 0, 0, 0, 0])
        head.bias = Tensor.zeros([6])
        let features = g.normal([200, 2])
        let metrics = Trainer.evaluate(model, on: TensorDataset(features: features), description: data, batchSize: 64,
                                       generator: g)
        #expect(metrics["active-units"] == 1)
        #expect(!metrics.keys.contains { $0.hasPrefix("_") })
        // The same count as the direct computation on all posterior means.
        let direct = activeUnits(posteriorMeans: model.posteriorMeans(TensorBatch(features: features, indices: Array(0..<200))))
        #expect(direct.count == 1)
    }

    @Test func hierarchicalVAEReportsBothLayers() throws {
        var g = RandomGenerator(seed: 4)
        let data = DataDescription(featureShape: [3], kind: .continuous, name: "t")
        let model = HierarchicalVAE(configuration: VAEConfiguration(latentDimension: 2, hidden: [4], activation: .tanh,
                                                                    likelihood: .gaussianFixed, evaluationSamples: 2),
                                    data: data, secondLatentDimension: 2, secondHidden: [4], generator: &g)
        let metrics = Trainer.evaluate(model, on: TensorDataset(features: g.normal([50, 3])), description: data,
                                       batchSize: 25, generator: g)
        #expect(metrics["active-units"] != nil && metrics["active-units-2"] != nil)
        #expect(metrics["active-units"]! <= 2 && metrics["active-units-2"]! <= 2)
        #expect(!metrics.keys.contains { $0.hasPrefix("_") })
    }
}

@Suite struct DiscreteDecoderTests {
    /// A decoder of `dimension` pixels over `levels` levels (the network is not used: outputs are given).
    func decoder(_ likelihood: ObservationLikelihood, dimension: Int, levels: Int, components: Int = 3) -> ObservationModel {
        var g = RandomGenerator(seed: 0)
        let p = ObservationModel.parametersPerDimension(likelihood: likelihood, levels: levels, mixtureComponents: components)
        return ObservationModel(network: MultilayerPerceptron(sizes: [1, dimension * p], generator: &g), likelihood: likelihood,
                                dimension: dimension, levels: levels, mixtureComponents: components)
    }

    /// `Σ_v P(v) = 1` for one pixel over all 256 levels.
    @Test(arguments: [ObservationLikelihood.categorical, .logisticMixture])
    func probabilitiesSumToOne(likelihood: ObservationLikelihood) {
        let model = decoder(likelihood, dimension: 1, levels: 256)
        var g = RandomGenerator(seed: 1)
        let p = model.parametersPerDimension
        // Wide and narrow logistic components (log-scales from −6 to 0) and varied means.
        var output = g.normal([1, p]) * 2
        if likelihood == .logisticMixture {
            output = concatenate([g.normal([1, 3]), g.uniform([1, 3], low: -1.2, high: 1.2), Tensor([[-6, -3, 0]])], alongAxis: 1)
        }
        let x = Tensor(shape: [256, 1], scalars: (0..<256).map { Float($0) / 255 })
        let logP = model.logLikelihood(x, output: output.broadcast(to: [256, p]))
        let total = logP.scalars.reduce(0.0) { $0 + Foundation.exp(Double($1)) }
        #expect(abs(total - 1) < 2e-3, "\(likelihood.rawValue): Σ P(v) = \(total)")
    }

    @Test func handComputedValues() {
        // Categorical, L = 4, logits 0, 1, 2, 3 at v = 2 (x = 2/3).
        let categorical = decoder(.categorical, dimension: 1, levels: 4)
        let expected = 2 - Foundation.log(1 + M_E + M_E * M_E + M_E * M_E * M_E)
        let value = categorical.logLikelihood(Tensor([[2.0 / 3]]), output: Tensor([[0, 1, 2, 3]])).scalar
        #expect(abs(Double(value) - expected) < 1e-5)
        // One logistic, μ = 0, s = 1, L = 4 (h = 1/3): level 1 sits at −1/3, bin [−2/3, 0];
        // level 0 takes (−∞, −2/3].
        let logistic = decoder(.logisticMixture, dimension: 2, levels: 4, components: 1)
        func sigmoid(_ a: Double) -> Double { 1 / (1 + Foundation.exp(-a)) }
        let both = logistic.logLikelihood(Tensor([[1.0 / 3, 0]]), output: Tensor([[0, 0, 0, 0, 0, 0]])).scalar
        let expectedBoth = Foundation.log(sigmoid(0) - sigmoid(-2.0 / 3)) + Foundation.log(sigmoid(-2.0 / 3))
        #expect(abs(Double(both) - expectedBoth) < 1e-5)
    }

    @Test(arguments: [ObservationLikelihood.categorical, .logisticMixture])
    func gradientWithRespectToNetworkOutput(likelihood: ObservationLikelihood) {
        let model = decoder(likelihood, dimension: 3, levels: 5, components: 2)
        var g = RandomGenerator(seed: 2)
        let x = Tensor([[0, 0.5, 1], [0.25, 0.75, 0.5]])
        let output = g.normal([2, 3 * model.parametersPerDimension]) * 0.5
        expectGradient(at: [output], likelihood.rawValue) { inputs in model.logLikelihood(x, output: inputs[0]).sum() }
    }

    @Test(arguments: [ObservationLikelihood.categorical, .logisticMixture])
    func meanAndSampleAreOnTheDataScale(likelihood: ObservationLikelihood) {
        let model = decoder(likelihood, dimension: 4, levels: 17)
        var g = RandomGenerator(seed: 3)
        let output = g.normal([2, 5, 4 * model.parametersPerDimension])
        let mean = model.mean(output: output), sample = model.sample(output: output, generator: &g)
        #expect(mean.shape == [2, 5, 4] && sample.shape == [2, 5, 4])
        #expect(mean.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(sample.scalars.allSatisfy { v in v >= 0 && v <= 1 && abs(v * 16 - (v * 16).rounded()) < 1e-4 })
    }

    @Test func discreteDecodersTrainOnDigits() throws {
        try exerciseOnDigits("vae", options: ["likelihood": "logistic-mixture", "mixture-components": "2", "latent-dimension": "4",
                                              "hidden": "32", "eval-samples": "4"])
    }

    @Test func discreteLikelihoodsNeedImages() {
        var g = RandomGenerator(seed: 0)
        let data = DataDescription(featureShape: [2], kind: .continuous, name: "moons")
        #expect(throws: ModelOptionError.self) {
            _ = try VAE(options: ModelOptions(["likelihood": "categorical"], declared: VAE.options, model: "vae"), data: data, generator: &g)
        }
    }
}

@Suite struct ConvolutionalVAETests {
    @Test func shapesIncludingSampleAxes() {
        var g = RandomGenerator(seed: 0)
        let encoder = ConvolutionalEncoder(imageShape: [1, 8, 8], channels: [4, 8], conditionDimension: 3, outputSize: 6, generator: &g)
        #expect(encoder(g.normal([5, 64 + 3])).shape == [5, 6])
        let decoder = ConvolutionalDecoder(inputSize: 2, imageShape: [1, 8, 8], channels: [4, 8], parametersPerDimension: 17, generator: &g)
        #expect(decoder(g.normal([3, 5, 2])).shape == [3, 5, 64 * 17])
        let single = ConvolutionalDecoder(inputSize: 2, imageShape: [2, 4, 8], channels: [4, 8], parametersPerDimension: 1, generator: &g)
        #expect(single(g.normal([5, 2])).shape == [5, 64])
    }

    /// The decoder's output for pixel d is the block d·P ..< (d+1)·P: compare with a direct
    /// reading of the transposed convolution's channels.
    @Test func outputLayoutIsDimensionMajor() {
        var g = RandomGenerator(seed: 1)
        let decoder = ConvolutionalDecoder(inputSize: 2, imageShape: [1, 4, 4], channels: [2, 3], parametersPerDimension: 3, generator: &g)
        let z = g.normal([1, 2])
        let flat = decoder(z).scalars
        var h = decoder.input(z).relu().reshaped(to: [1, 3, 1, 1])
        h = decoder.convolutions[0](h).relu()
        let channels = decoder.convolutions[1](h).scalars                     // [1, 3, 4, 4]
        for d in 0..<16 { for p in 0..<3 { #expect(abs(flat[d * 3 + p] - channels[p * 16 + d]) < 1e-6) } }
    }

    @Test func convolutionalVAEAndIWAETrainOnDigits() throws {
        try exerciseOnDigits("vae", options: ["architecture": "conv", "channels": "4,8", "likelihood": "categorical",
                                              "latent-dimension": "4", "eval-samples": "4"])
        try exerciseOnDigits("iwae", options: ["architecture": "conv", "channels": "4,8", "latent-dimension": "4",
                                               "samples": "3", "eval-samples": "4"])
    }

    @Test func convolutionalNetworksRejectOtherData() {
        var g = RandomGenerator(seed: 0)
        for data in [DataDescription(featureShape: [2], kind: .continuous, name: "moons"),
                     DataDescription(featureShape: [1, 6, 6], kind: .image(levels: 256), name: "six")] {
            #expect(throws: ModelOptionError.self) {
                _ = try VAE(options: ModelOptions(["architecture": "conv"], declared: VAE.options, model: "vae"), data: data, generator: &g)
            }
        }
    }
}

@Suite struct FlowPosteriorTests {
    /// `log |det ∂z/∂z₀|` of the whole flow by central differences, for one example `[1, 1, Z]`.
    func numericLogDeterminant(_ q: AmortizedFlow, at z0: [Float]) -> Double {
        let n = z0.count
        let epsilon: Float = 1e-2
        var jacobian = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for j in 0..<n {
            var plus = z0, minus = z0
            plus[j] += epsilon
            minus[j] -= epsilon
            let a = q.push(Tensor(shape: [1, 1, n], scalars: plus)).z.scalars
            let b = q.push(Tensor(shape: [1, 1, n], scalars: minus)).z.scalars
            for i in 0..<n { jacobian[i][j] = Double(a[i] - b[i]) / Double(2 * epsilon) }
        }
        let det = n == 1 ? jacobian[0][0] : jacobian[0][0] * jacobian[1][1] - jacobian[0][1] * jacobian[1][0]
        return Foundation.log(abs(det))
    }

    func randomized(_ made: MADE, generator g: inout RandomGenerator) -> MADE {
        for layer in made.layers { layer.weight = g.normal(layer.weight.shape) * 0.5 }
        return made
    }

    @Test func planarAndIAFLogDeterminantsMatchTheJacobian() {
        var g = RandomGenerator(seed: 7)
        let base = DiagonalGaussianPosterior.gaussian(Tensor([[0.3, -0.2, -0.5, 0.4]]))
        let planar = AmortizedFlow(base: base, steps: (0..<3).map { _ in AmortizedFlow.planarStep(parameters: g.normal([1, 5])) })
        let context = g.normal([1, 4])
        let iaf = AmortizedFlow(base: base, steps: (0..<2).map { _ in
            AmortizedFlow.inverseAutoregressiveStep(network: randomized(MADE(dimension: 2, hidden: [6], parametersPerDimension: 2,
                                                                             contextSize: 4, generator: &g), generator: &g),
                                                    context: context)
        })
        for (name, q) in [("planar", planar), ("iaf", iaf)] {
            for point in [[Float(0.1), -0.4], [1.2, 0.7], [-1.5, 2.0]] {
                let analytic = Double(q.push(Tensor(shape: [1, 1, 2], scalars: point)).logDeterminant.scalar)
                let numeric = numericLogDeterminant(q, at: point)
                #expect(abs(analytic - numeric) < 2e-3, "\(name) at \(point): \(analytic) vs \(numeric)")
            }
        }
    }

    /// For Z = 1, `q(z)` on the image of a fine grid of `z₀` integrates to 1 (trapezoids in z).
    @Test func oneDimensionalPlanarDensityIntegratesToOne() {
        var g = RandomGenerator(seed: 8)
        let base = DiagonalGaussianPosterior.gaussian(Tensor([[0.5, -0.3]]))
        let q = AmortizedFlow(base: base, steps: (0..<4).map { _ in AmortizedFlow.planarStep(parameters: g.normal([1, 3]) * 2) })
        let grid = (0..<4001).map { 0.5 + (Float($0) / 4000 - 0.5) * 16 }
        let z0 = Tensor(shape: [grid.count, 1, 1], scalars: grid)
        let (z, logDeterminant) = q.push(z0)
        let logQ = (base.logProb(z0) - logDeterminant).scalars
        let zs = z.scalars
        var integral = 0.0
        for i in 1..<grid.count {
            integral += Double(zs[i] - zs[i - 1]) * 0.5 * (Foundation.exp(Double(logQ[i])) + Foundation.exp(Double(logQ[i - 1])))
        }
        #expect(abs(integral - 1) < 1e-3, "∫ q = \(integral)")
    }

    /// The log q returned with samples is the base density minus the log-determinant.
    @Test func sampledLogProbUsesTheChangeOfVariables() {
        var g = RandomGenerator(seed: 9)
        let base = DiagonalGaussianPosterior.gaussian(Tensor([[0.3, -0.2, -0.5, 0.4]]))
        let q = AmortizedFlow(base: base, steps: [AmortizedFlow.planarStep(parameters: g.normal([1, 5]))])
        var g1 = RandomGenerator(seed: 10), g2 = RandomGenerator(seed: 10)
        let (z, logQ) = q.sampleAndLogProb([3], generator: &g1)
        let z0 = base.rsample([3], generator: &g2)
        let (pushed, logDeterminant) = q.push(z0)
        expectClose(z, pushed)
        expectClose(logQ, base.logProb(z0) - logDeterminant)
    }

    @Test(arguments: ["planar", "iaf"])
    func flowPosteriorsTrainOnDigits(kind: String) throws {
        try exerciseOnDigits("vae", options: ["posterior": kind, "posterior-flows": "2", "latent-dimension": "4", "hidden": "32",
                                              "eval-samples": "4"])
    }

    @Test func dregAndVampNeedGaussianPosteriors() {
        var g = RandomGenerator(seed: 0)
        #expect(throws: ModelOptionError.self) {
            _ = try IWAE(options: ModelOptions(["posterior": "iaf", "estimator": "dreg"], declared: IWAE.options, model: "iwae"),
                         data: digitsDescription, generator: &g)
        }
        #expect(throws: ModelOptionError.self) {
            _ = try VAE(options: ModelOptions(["posterior": "planar", "prior": "vamp"], declared: VAE.options, model: "vae"),
                        data: digitsDescription, generator: &g)
        }
    }
}
