import Foundation
import LatentCore
import LatentData
import LatentModels
import LatentNN
import LatentProbability
import Testing

let digitsDescription = DataDescription(featureShape: Digits.imageShape, classCount: Digits.classCount,
                                        kind: .image(levels: Digits.levels), name: "digits")

/// Builds a registered model from options, trains it briefly on digits, and checks the
/// protocol's outputs.
func exerciseOnDigits(_ name: String, options: [String: String], steps: Int = 20) throws {
    let type = try ModelRegistry.model(named: name)
    let declared = type.options
    let validated = try ModelOptions(options, declared: declared, model: name)
    var g = RandomGenerator(seed: 42)
    let model = try type.init(options: validated, data: digitsDescription, generator: &g) as! any SingleLossModel<TensorBatch>
    let train = try Digits.load(.train)
    let optimizer = Adam(learningRate: 3e-3)
    let batchIndices = Array(0..<32)
    var losses: [Float] = []
    for step in 0..<steps {
        let batch = train.batch(at: batchIndices, generator: &g)
        let (loss, gradients) = valueAndGradient(of: model) { m in
            m.trainingLoss(batch, progress: TrainingProgress(step: step, epoch: 0), generator: &g).loss
        }
        optimizer.update(model, with: gradients)
        losses.append(loss.scalar)
    }
    let early: Float = losses[0..<5].reduce(0, +) / 5
    let late: Float = losses[(steps - 5)...].reduce(0, +) / 5
    #expect(late < early, "\(name): loss did not fall (\(early) → \(late))")

    let test = try Digits.load(.test)
    let batch = test.batch(at: Array(0..<16), generator: &g)
    let sums = model.evaluationSums(batch, generator: &g)
    let reported = model.finalizeEvaluation(sums)
    #expect(Set(reported.keys) == Set(model.evaluationMetrics), "\(name): metrics \(reported.keys.sorted())")
    // A one-sample Monte-Carlo KL (non-standard priors, hvae) may be negative.
    for (key, value) in reported {
        #expect(value.isFinite && (key == "kl" || key.hasPrefix("active-units") || value > 0), "\(name): \(key) = \(value)")
    }
    // Reproducible evaluation: the fixed binarisation depends on example indices only, so
    // the analytic KL does not depend on the generator (the HVAE's KL is Monte Carlo).
    if let vae = model as? VariationalAutoencoder, vae.prior is StandardNormalPrior, vae.posteriorFamily.scoresExternalPoints {
        var g2 = RandomGenerator(seed: 1)
        let again = model.evaluationSums(batch, generator: &g2)
        #expect(abs(again["kl"]! - sums["kl"]!) < 1e-3 * abs(sums["kl"]!), "\(name): KL depends on the generator")
    }
    // The importance-sampled NLL is below the negative ELBO (averaged over 64 samples).
    if let vae = model as? VariationalAutoencoder {
        var g3 = RandomGenerator(seed: 5)
        let (x, c) = vae.prepare(batch, training: false, generator: &g3)
        let negativeELBO = -Double(withoutDerivative { vae.elbo(x, condition: c, samples: 64, generator: &g3) }.sum().scalar)
        #expect(sums["nll"]! <= negativeELBO + 0.5, "\(name): nll \(sums["nll"]!) vs −ELBO \(negativeELBO)")
    }

    let samples = model.sample(count: 5, generator: &g)
    #expect(samples.shape == [5] + Digits.imageShape)
    #expect(samples.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    let figures = model.figures(data: batch, generator: &g)
    #expect(!figures.isEmpty)
    for figure in figures {
        #expect(figure.pixels.rank == 3 && figure.pixels.scalarCount > 0, "\(name): figure \(figure.name)")
        #expect(figure.pixels.scalars.allSatisfy { $0.isFinite })
    }
}

@Suite struct VAEModelTests {
    let small = ["latent-dimension": "4", "hidden": "16", "eval-samples": "32"]

    @Test func vaeTrainsAndEvaluatesOnDigits() throws {
        try exerciseOnDigits("vae", options: small.merging(["kl-warmup-steps": "10", "free-bits": "0.1"]) { $1 })
    }

    @Test func iwaeWithDReGTrainsAndEvaluatesOnDigits() throws {
        try exerciseOnDigits("iwae", options: small.merging(["samples": "4", "estimator": "dreg"]) { $1 })
    }

    @Test func conditionalVAETrainsAndEvaluatesOnDigits() throws {
        try exerciseOnDigits("cvae", options: small)
    }

    @Test func hierarchicalVAETrainsAndEvaluatesOnDigits() throws {
        try exerciseOnDigits("hvae", options: small.merging(["latent-dimension-2": "2", "hidden-2": "8"]) { $1 })
        try exerciseOnDigits("hvae", options: small.merging(["latent-dimension-2": "2", "hidden-2": "8",
                                                              "bound": "iwae", "samples": "3"]) { $1 }, steps: 10)
    }

    @Test func fullCovariancePosteriorTrainsWithDReG() throws {
        try exerciseOnDigits("iwae", options: small.merging(["posterior": "full", "samples": "3", "estimator": "dreg"]) { $1 }, steps: 15)
    }

    @Test func mixtureAndVampPriorsTrainAndEvaluate() throws {
        try exerciseOnDigits("vae", options: small.merging(["prior": "mixture", "prior-components": "3"]) { $1 }, steps: 15)
        try exerciseOnDigits("iwae", options: small.merging(["prior": "vamp", "prior-components": "5", "samples": "3"]) { $1 }, steps: 15)
    }

    @Test func mixturePriorLogProbMatchesDirectSum() {
        var g = RandomGenerator(seed: 4)
        let prior = GaussianMixturePrior(components: 3, latentDimension: 2, generator: &g)
        prior.logits = Tensor([0.2, -1, 0.5])
        prior.logVariances = g.normal([3, 2], standardDeviation: 0.3)
        let z = g.normal([4, 2])
        let got = prior.logProb(z).scalars
        let w = prior.logits.scalars, m = prior.means.scalars, lv = prior.logVariances.scalars, zs = z.scalars
        let logNormalizer = log(w.map { exp(Double($0)) }.reduce(0, +))
        for i in 0..<4 {
            var total = 0.0
            for c in 0..<3 {
                var logDensity = Double(w[c]) - logNormalizer
                for j in 0..<2 {
                    let v = exp(Double(lv[c * 2 + j])), d = Double(zs[i * 2 + j] - m[c * 2 + j])
                    logDensity += -0.5 * (log(2 * Double.pi * v) + d * d / v)
                }
                total += exp(logDensity)
            }
            #expect(abs(Double(got[i]) - log(total)) < 1e-4, "z \(i): \(got[i]) vs \(log(total))")
        }
    }

    @Test func gaussianDecoderTrains() throws {
        try exerciseOnDigits("vae", options: small.merging(["likelihood": "gaussian", "latent-dimension": "2"]) { $1 })
    }

    @Test func twoDimensionalLatentGivesAPosteriorScatter() throws {
        var g = RandomGenerator(seed: 0)
        let options = try ModelOptions(["latent-dimension": "2", "hidden": "16"], declared: VAE.options, model: "vae")
        let model = try VAE(options: options, data: digitsDescription, generator: &g)
        let batch = try Digits.load(.test).batch(at: Array(0..<20), generator: &g)
        let names = model.figures(data: batch, generator: &g).map(\.name)
        #expect(names == ["samples", "reconstructions", "interpolation", "traversals", "posterior-means"])
        let means = model.posteriorMeans(batch)
        #expect(means.shape == [20, 2])
        let units = activeUnits(posteriorMeans: means)
        #expect(units.variances.count == 2)
        let nll = model.importanceSampledNLL(try Digits.load(.test).subset(Array(0..<10)), samples: 8, batchSize: 4, generator: &g)
        #expect(nll.isFinite && nll > 0)
    }

    @Test func registryAndOptionErrors() throws {
        for name in ["vae", "iwae", "cvae", "hvae"] { #expect(try ModelRegistry.model(named: name).modelName == name) }
        #expect(throws: ModelOptionError.self) {
            try ModelOptions(["beta": "1"], declared: IWAE.options, model: "iwae")
        }
        var g = RandomGenerator(seed: 0)
        let unlabelled = DataDescription(featureShape: [2], kind: .continuous, name: "moons")
        #expect(throws: ModelOptionError.self) {
            _ = try ConditionalVAE(options: ModelOptions([:], declared: ConditionalVAE.options, model: "cvae"),
                                   data: unlabelled, generator: &g)
        }
    }

    /// `latent sample --class` for the conditional VAE: every sample decoded with the one label.
    @Test func conditionalVAESamplesByClass() throws {
        var g = RandomGenerator(seed: 0)
        let model = try ConditionalVAE(options: ModelOptions(["hidden": "8", "latent-dimension": "2"], declared: ConditionalVAE.options, model: "cvae"),
                                       data: DataDescription(featureShape: [4], classCount: 3, kind: .continuous, name: "labelled"), generator: &g)
        let sampler: any ConditionalSampler = model
        #expect(sampler.classCount == 3)
        var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 1)
        let twos = sampler.sample(count: 4, class: 2, generator: &a)
        #expect(twos.shape == [4, 4])
        #expect(twos.scalars == model.sampleMeans(count: 4, labels: [2, 2, 2, 2], generator: &b).scalars)
    }
}
