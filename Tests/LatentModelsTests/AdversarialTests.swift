import Foundation
import LatentCore
import LatentData
import LatentModels
import LatentNN
import LatentTestSupport
import Testing

/// The GAN families' shared parts: losses, gradient penalties, spectral normalisation,
/// optimiser presets, mode metrics, the DCGAN architecture and the fixed-noise figure.
@Suite struct AdversarialTests {
    let real = Tensor(shape: [2, 1], scalars: [1, -2])
    let fake = Tensor(shape: [2, 1], scalars: [0.5, 3])

    /// Wasserstein / WGAN-GP: D(G(z)) − D(x) = 1.75 − (−0.5); hinge: mean max(0, 1 − [1, −2])
    /// + mean max(0, 1 + [0.5, 3]) = 1.5 + 2.75; the generator of all three: −mean D(G(z)).
    @Test func lossesMatchHandComputedValues() {
        for loss in [AdversarialLoss.wasserstein, .wassersteinGradientPenalty] {
            #expect(loss.discriminatorLoss(real: real, fake: fake).scalar == 2.25)
            #expect(loss.generatorLoss(fake: fake).scalar == -1.75)
        }
        #expect(AdversarialLoss.hinge.discriminatorLoss(real: real, fake: fake).scalar == 4.25)
        #expect(AdversarialLoss.hinge.generatorLoss(fake: fake).scalar == -1.75)
        #expect(AdversarialLoss(optionText: "wgan-gp") == .wassersteinGradientPenalty)
    }

    /// For a linear critic D(x) = w·x + b, ∇D = w everywhere: the penalty is (‖w‖ − 1)² and
    /// R1's squared norm ‖w‖² = 25 for w = (3, 4).
    @Test func penaltiesOfALinearCritic() {
        let w = Tensor(shape: [2, 1], scalars: [3, 4])
        let critic: (Tensor) -> Tensor = { matmul($0, w) + 0.5 }
        let x = Tensor(shape: [3, 2], scalars: [1, 2, -1, 0, 0.5, 0.5])
        let y = Tensor(shape: [3, 2], scalars: [0, 0, 2, 1, -3, 1])
        let gp = AdversarialPenalty.gradientPenalty(critic, real: x, fake: y, epsilon: Tensor(shape: [3], scalars: [0.2, 0.5, 1]))
        #expect(abs(gp.scalar - 16) < 1e-4)
        expectClose(AdversarialPenalty.squaredGradientNorm(critic, at: x), Tensor(shape: [3], scalars: [25, 25, 25]))
    }

    /// A small tanh critic with explicit parameters θ = (W₁, b₁, w₂).
    func critic(_ p: [Tensor]) -> (Tensor) -> Tensor {
        { x in matmul((matmul(x, p[0]) + p[1]).tanh(), p[2]) }
    }

    var criticParameters: [Tensor] {
        var g = RandomGenerator(seed: 3)
        return [g.normal([2, 3]), g.normal([3]) * 0.5, g.normal([3, 1])]
    }

    /// ∂/∂θ of the WGAN-GP penalty (a double backward) against central differences.
    @Test func gradientPenaltyMatchesFiniteDifferences() {
        var g = RandomGenerator(seed: 4)
        let x = g.normal([4, 2]), y = g.normal([4, 2]), e = g.uniform([4])
        expectGradient(at: criticParameters, tolerance: 1e-2) { p in
            AdversarialPenalty.gradientPenalty(self.critic(p), real: x, fake: y, epsilon: e).reshaped(to: [1])
        }
    }

    /// ∂/∂θ of R1's E‖∇D(x)‖² (a double backward) against central differences.
    @Test func r1MatchesFiniteDifferences() {
        var g = RandomGenerator(seed: 5)
        let x = g.normal([4, 2])
        expectGradient(at: criticParameters, tolerance: 1e-2) { p in
            AdversarialPenalty.squaredGradientNorm(self.critic(p), at: x).mean().reshaped(to: [1])
        }
    }

    @Test func optimizerPresetsFollowTheLoss() throws {
        func groups(_ options: [String: String]) throws -> [ParameterGroup] {
            GAN.parameterGroups(options: try ModelOptions(options, declared: GAN.options, model: "gan"))
        }
        let gp = try groups(["loss": "wgan-gp"])
        #expect(gp.map(\.name) == ["generator", "discriminator"])
        #expect(gp.allSatisfy { $0.defaults.learningRate == 1e-4 && $0.defaults.beta1 == 0 && $0.defaults.beta2 == 0.9 })
        for loss in ["hinge", "wasserstein", "non-saturating"] {
            #expect(try groups(["loss": loss]).allSatisfy { $0.defaults.learningRate == 2e-4 && $0.defaults.beta1 == 0.5 && $0.defaults.beta2 == 0.999 })
        }
        #expect(DCGAN.parameterGroups(options: try ModelOptions(["loss": "wgan-gp"], declared: DCGAN.options, model: "dcgan"))[0].defaults.beta2 == 0.9)
    }

    @Test func modeCoverageOfKnownSampleSets() {
        let modes = GaussianModes.twentyFiveGaussians
        func points(_ pairs: [SIMD2<Double>]) -> Tensor {
            Tensor(shape: [pairs.count, 2], scalars: pairs.flatMap { [Float($0.x), Float($0.y)] })
        }
        // 400 samples on each mode, a little off centre (within 3σ = 0.15).
        let even = ModeCoverage(samples: points(modes.centres.flatMap { c in Array(repeating: c + SIMD2(0.1, 0.1), count: 400) }), modes: modes)
        #expect(even.modesCovered == 25 && even.highQualityFraction == 1 && abs(even.reverseKL) < 1e-12)
        // Everything on mode 7: one mode, KL = log 25.
        let collapsed = ModeCoverage(samples: points(Array(repeating: modes.centres[7], count: 1000)), modes: modes)
        #expect(collapsed.modesCovered == 1 && collapsed.counts[7] == 1000 && abs(collapsed.reverseKL - log(25)) < 1e-9)
        // Half far from every mode (0.2 > 3σ off), a mode with 0.5 % of the samples is not covered.
        let mixed = ModeCoverage(samples: points(Array(repeating: modes.centres[0], count: 995) + Array(repeating: modes.centres[1], count: 5)
                                                 + Array(repeating: SIMD2(1, 1), count: 500) + Array(repeating: modes.centres[2] + SIMD2(0.2, 0), count: 500)),
                                 modes: modes)
        #expect(mixed.modesCovered == 1 && mixed.counts[1] == 5 && mixed.highQualityFraction == 0.5)
        let p0 = 995.0 / 1000, p1 = 5.0 / 1000
        #expect(abs(mixed.reverseKL - (p0 * log(25 * p0) + p1 * log(25 * p1))) < 1e-9)
        // The real 25-Gaussian data covers every mode; 8gaussians with its own σ too.
        var g = RandomGenerator(seed: 1)
        let data = ModeCoverage(samples: ToyDensity.twentyFiveGaussians.sample(10_000, generator: &g), modes: modes)
        #expect(data.modesCovered == 25 && data.highQualityFraction > 0.98 && data.reverseKL < 0.01, "\(data)")
        let eight = ModeCoverage(samples: ToyDensity.eightGaussians.sample(10_000, generator: &g), modes: .eightGaussians)
        #expect(eight.modesCovered == 8 && eight.highQualityFraction > 0.98, "\(eight)")
    }

    func model<M: GenerativeModel>(_ type: M.Type, _ options: [String: String], shape: [Int], kind: DataDescription.Kind = .image(levels: 256),
                                   name: String = "test") throws -> M {
        var g = RandomGenerator(seed: 0)
        return try M(options: try ModelOptions(options, declared: M.options, model: M.modelName),
                     data: DataDescription(featureShape: shape, kind: kind, name: name), generator: &g)
    }

    @Test func dcganShapes() throws {
        for shape in [[1, 8, 8], [1, 28, 28], [3, 32, 32]] {
            let m = try model(DCGAN.self, ["width": "4", "noise-dimension": "5", "spectral-norm": "true"], shape: shape)
            var g = RandomGenerator(seed: 1)
            let x = m.sample(count: 3, generator: &g)
            #expect(x.shape == [3] + shape)
            #expect(x.scalars.allSatisfy { $0 > 0 && $0 < 1 })
            #expect(m.discriminate(x).shape == [3, 1])
        }
        #expect(throws: ModelOptionError.self) { try model(DCGAN.self, [:], shape: [1, 10, 10]) }
        #expect(throws: ModelOptionError.self) { try model(DCGAN.self, [:], shape: [2], kind: .continuous) }
    }

    /// The `progress` figure comes from a fixed noise batch, whatever the caller's generator.
    @Test func progressFigureUsesFixedNoise() throws {
        let m = try model(DCGAN.self, ["width": "4"], shape: [1, 8, 8])
        var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 2)
        let batch = TensorBatch(features: .zeros([1, 1, 8, 8]), indices: [0])
        let f1 = m.figures(data: batch, generator: &a), f2 = m.figures(data: batch, generator: &b)
        #expect(f1.map(\.name) == ["progress"] && f1[0].pixels.scalars == f2[0].pixels.scalars)
        let gan = try model(GAN.self, [:], shape: [2], kind: .continuous)
        #expect(gan.figures(data: batch, generator: &a)[0].pixels.shape == [1, 256, 256])
    }

    /// Trains `gan` on `dataset` through the trainer (logging every 2 steps) into `folder/run`.
    func train(in folder: URL, dataset: String, steps: Int, batchSize: Int, options: [String: String], validateEvery: Int) throws -> RunDirectory {
        let run = RunDirectory(folder.appendingPathComponent("run"))
        var c = TrainingConfiguration()
        c.modelName = "gan"
        c.dataset = dataset
        c.steps = steps
        c.batchSize = batchSize
        c.modelOptions = options
        c.logEvery = 2
        c.validateEvery = validateEvery
        #expect(try Trainer(configuration: c, run: run).train() == .completed(step: steps))
        return run
    }

    /// WGAN-GP with lazy R1 and spectral normalisation on 25gaussians through the trainer:
    /// the mode metrics are logged, `best` follows modes covered, the power-iteration
    /// vectors are in the checkpoint and come back on loading.
    @Test func penaltiesSpectralNormAndModeMetricsThroughTheTrainer() throws {
        let folder = temporaryFolder("gan-modes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let options = ["hidden": "16", "eval-samples": "500", "loss": "wgan-gp", "r1": "1", "penalty-interval": "2",
                       "n-critic": "2", "spectral-norm": "true"]
        let run = try train(in: folder, dataset: "25gaussians", steps: 6, batchSize: 64, options: options, validateEvery: 3)
        let records = run.readMetrics()
        let validation = try #require(records.last { $0.split == "validation" })
        #expect(validation.metrics["modes-covered"] != nil && validation.metrics["high-quality"] != nil && validation.metrics["mode-kl"] != nil)
        let train = try #require(records.first { $0.split == "train" })
        #expect(train.metrics["gradient-penalty"] != nil && train.metrics["r1"] != nil, "\(train.metrics)")
        let trained = try TrainedRun(run, checkpoint: "latest")
        #expect(trained.model.checkpointCriterion == CheckpointCriterion(metric: "modes-covered", lowerIsBetter: false,
                                                                     tieBreaker: .init(metric: "high-quality", lowerIsBetter: false)))
        let contents = try SafeTensors.read(from: run.latestCheckpoint)
        let u = try #require(contents.tensors["model/discriminator.0.weight_u"])
        #expect(trained.model.state()["discriminator.0.weight_u"]!.scalars == u.scalars)
        let fresh = try model(GAN.self, options, shape: [2], kind: .continuous, name: "25gaussians")
        #expect(fresh.state()["discriminator.0.weight_u"]!.scalars != u.scalars, "the power iteration moved u during training")
    }

    /// `wasserstein` clips every discriminator weight to [−clip, clip] after its updates.
    @Test func wassersteinClipsTheDiscriminator() throws {
        let folder = temporaryFolder("gan-clip")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try train(in: folder, dataset: "8gaussians", steps: 2, batchSize: 32,
                            options: ["hidden": "8", "eval-samples": "100", "loss": "wasserstein", "clip": "0.02"], validateEvery: 2)
        let contents = try SafeTensors.read(from: run.latestCheckpoint)
        let weights = contents.tensors.filter { $0.key.hasPrefix("model/discriminator.") }
        #expect(!weights.isEmpty && weights.values.allSatisfy { $0.scalars.allSatisfy { abs($0) <= 0.02 } })
        #expect(contents.tensors.filter { $0.key.hasPrefix("model/generator.") }.values.contains { $0.scalars.contains { abs($0) > 0.02 } })
    }
}

/// The class-conditional GAN: conditional batch norm, the projection discriminator, sampling by class.
@Suite struct ConditionalGANTests {
    /// y = γ[c]·BN(x) + β[c] with the class's own row of γ and β.
    @Test func conditionalBatchNormUsesEachClassRow() throws {
        let layer = ClassConditionalBatchNorm2d(2, classCount: 3)
        try layer.update(parameters: ["scale": Tensor(shape: [3, 2], scalars: [1, 1, 2, 3, 1, 1]),
                                      "shift": Tensor(shape: [3, 2], scalars: [0, 0, 0.5, -1, 0, 0])])
        var g = RandomGenerator(seed: 1)
        let x = g.normal([2, 2, 2, 2])
        let normalized = BatchNorm2d(2, affine: false)(x).scalars
        let y = layer(x, classes: [1, 0]).scalars
        for i in 0..<16 {
            let (row, channel) = (i / 8, (i / 4) % 2)
            let expected = row == 0 ? (channel == 0 ? 2 * normalized[i] + 0.5 : 3 * normalized[i] - 1) : normalized[i]
            #expect(abs(y[i] - expected) < 1e-5, "element \(i)")
        }
        #expect(Set(layer.state().keys) == ["scale", "shift", "running_mean", "running_var", "num_batches_tracked"])
        #expect(Set(ClassConditionalBatchNorm2d(2, classCount: 0).parameters().keys) == ["weight", "bias"])
    }

    func cgan(_ options: [String: String] = ["width": "4", "noise-dimension": "3"]) throws -> ConditionalGAN {
        var g = RandomGenerator(seed: 0)
        return try ConditionalGAN(options: ModelOptions(options, declared: ConditionalGAN.options, model: "cgan"),
                                  data: DataDescription(featureShape: [1, 8, 8], classCount: 10, kind: .image(levels: 17), name: "digits"),
                                  generator: &g)
    }

    /// D(x, y) − D(x) = ⟨embed(y), φ(x)⟩ with φ the flattened trunk.
    @Test func projectionDiscriminator() throws {
        let model = try cgan()
        var g = RandomGenerator(seed: 2)
        let x = g.uniform([3, 1, 8, 8]), classes: IndexTensor = [4, 0, 9]
        let d = model.discriminator
        let h = d.trunk(x).reshaped(to: [3, -1])
        let table = try #require(d.embedding as? Embedding)
        let projection = (embedding(table.weight, classes) * h).sum(alongAxis: 1, keepDims: true)
        expectClose(d(x, classes: classes) - d(x, classes: nil), projection, relative: 1e-4, absolute: 1e-5)
        #expect(model.discriminate(x, classes: classes).shape == [3, 1])

        // With spectral norm the embedding is a normalised linear map of one-hots: the
        // projection uses column y of W/σ(W), and u, v are part of the state.
        let normalized = try cgan(["width": "4", "noise-dimension": "3", "spectral-norm": "true"]).discriminator
        normalized.eval()
        let sn = try #require(normalized.embedding as? SpectralNorm<Linear>)
        let w = sn.normalizedWeight()                                  // [F, K]
        let hn = normalized.trunk(x).reshaped(to: [3, -1])
        let columns = w.transposed().indexSelect(alongAxis: 0, indices: classes)   // [3, F]
        expectClose(normalized(x, classes: classes) - normalized(x, classes: nil), (columns * hn).sum(alongAxis: 1, keepDims: true),
                    relative: 1e-4, absolute: 1e-5)
        #expect(normalized.state().keys.contains("embedding.weight_orig") && normalized.state().keys.contains("embedding.weight_u"))
    }

    @Test func samplesByClassAndNeedsLabels() throws {
        let model = try cgan()
        // At initialisation every class has γ = 1, β = 0; give class 4 its own shift.
        let width = model.generator.normalization1.classCount > 0 ? 4 : 0
        try model.update(parameters: ["generator.normalization1.shift": Tensor(shape: [10, width], scalars: (0..<(10 * width)).map { $0 / width == 4 ? 1 : 0 })])
        var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 1)
        let threes = model.sample(count: 5, class: 3, generator: &a)
        #expect(threes.shape == [5, 1, 8, 8])
        #expect(threes.scalars != model.sample(count: 5, class: 4, generator: &b).scalars, "the class changes the samples")
        #expect(throws: ModelOptionError.self) {
            var g = RandomGenerator(seed: 0)
            _ = try ConditionalGAN(options: ModelOptions([:], declared: ConditionalGAN.options, model: "cgan"),
                                   data: DataDescription(featureShape: [1, 8, 8], kind: .image(levels: 17), name: "unlabelled"), generator: &g)
        }
        #expect(try cgan(["width": "4", "spectral-norm": "true"]).state().keys.contains("discriminator.trunk.0.weight_u"))
    }
}
