import Foundation
import LatentCore
import LatentData
import LatentModels
import LatentNN
import Testing

/// The training contract beyond single-loss models: parameter groups with their own
/// optimisers, per-group settings, parameter averages, checkpoint criteria.
@Suite struct TrainingArchitectureTests {
    func ganConfiguration(steps: Int) -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.modelName = "gan"
        c.dataset = "gaussian-1d"
        c.steps = steps
        c.batchSize = 128
        c.modelOptions = ["hidden": "32,32", "eval-samples": "2000"]
        c.logEvery = 5
        c.validateEvery = 500
        return c
    }

    /// The smallest GAN learns a 1-D Gaussian's mean and standard deviation within 10 %
    /// through the trainer's two-optimiser path.
    @Test func ganLearnsAOneDimensionalGaussian() throws {
        let folder = temporaryFolder("gan1d")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = RunDirectory(folder.appendingPathComponent("run"))
        var config = ganConfiguration(steps: 1500)
        config.learningRate = PerGroup(1e-3)
        #expect(try Trainer(configuration: config, run: run).train() == .completed(step: 1500))
        let trained = try TrainedRun(run)
        let (mean, std) = SampleDistance.moments(trained.sample(count: 10_000, seed: 7).reshaped(to: [10_000, 1]))
        let target = DatasetCatalog.gaussian1D
        #expect(abs(mean[0] - Double(target.mean)) < 0.1 * Double(target.mean), "mean \(mean[0])")
        #expect(abs(std[0] - Double(target.standardDeviation)) < 0.1 * Double(target.standardDeviation), "std \(std[0])")
        let html = try TrainingReport.html(for: trained)
        #expect(html.contains("Histogram of samples and validation data"))
        let validation = run.readMetrics().filter { $0.split == "validation" }
        #expect(validation.last!.metrics["sliced-w1"]! < 0.2, "W₁ to the validation data: \(validation.last!.metrics)")
    }

    /// Two optimisers and a generator average: N steps straight and N/2 + resume N/2 give
    /// the same metrics and the same final checkpoint, bit for bit; the checkpoint holds
    /// both optimisers' state and the average.
    @Test func twoOptimizerResumeIsBitIdentical() throws {
        let folder = temporaryFolder("gan-resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        var config = ganConfiguration(steps: 40)
        config.learningRate = PerGroup(groups: ["generator": 1e-3, "discriminator": 5e-4])
        config.schedule = PerGroup(groups: ["generator": "cosine"])
        config.average = PerGroup(groups: ["generator": 0.9])
        config.modelOptions["n-critic"] = "2"
        config.logEvery = 3
        config.validateEvery = 10
        config.checkpointEvery = 7

        let straight = try expectExactResume(config, in: folder, interruptAt: 17)
        let a = try SafeTensorsFile(straight.latestCheckpoint)
        let names = a.tensors.keys
        #expect(names.contains { $0.hasPrefix("optimizers/generator/generator.") })
        #expect(names.contains { $0.hasPrefix("optimizers/discriminator/discriminator.") })
        #expect(!names.contains { $0.hasPrefix("optimizers/generator/discriminator.") }, "each optimiser holds only its group")
        #expect(names.contains("average/generator.0.weight") && !names.contains { $0.hasPrefix("average/discriminator.") })
        #expect(a.metadata["optimizers.generator.step"] == "40" && a.metadata["optimizers.discriminator.step"] == "80",
                "n-critic = 2: two discriminator updates per step")

        // The per-group learning rates are logged, and config.json records what ran.
        let train = straight.readMetrics().filter { $0.split == "train" }
        #expect(train[0].metrics["learning-rate-discriminator"] == 5e-4)
        let recorded = try straight.readConfiguration()
        #expect(recorded.learningRate == PerGroup(groups: ["generator": 1e-3, "discriminator": 5e-4]))
        #expect(recorded.beta1 == PerGroup(0.5), "the GAN family's default β₁")
        #expect(recorded.schedule == PerGroup(groups: ["generator": "cosine", "discriminator": "constant"]))

        // Evaluation and sampling use the generator's average.
        let trained = try TrainedRun(straight, checkpoint: "latest")
        let contents = try SafeTensors.read(from: straight.latestCheckpoint)
        #expect(trained.model.parameters()["generator.0.weight"]!.scalars == contents.tensors["average/generator.0.weight"]!.scalars)
        #expect(trained.model.parameters()["discriminator.0.weight"]!.scalars == contents.tensors["model/discriminator.0.weight"]!.scalars)
    }

    @Test func perGroupSettingsResolveAndAreChecked() throws {
        let groups = GAN.parameterGroups(options: try ModelOptions([:], declared: GAN.options, model: "gan"))
        var c = ganConfiguration(steps: 1)
        c.learningRate = try PerGroup.parse("1e-3,discriminator=4e-4", flag: "learning-rate") { Double($0) }
        c.beta2 = try PerGroup.parse("generator=0.9", flag: "beta2") { Double($0) }
        let settings = try c.optimizerSettings(for: groups)
        #expect(settings["generator"]!.learningRate == 1e-3 && settings["discriminator"]!.learningRate == 4e-4)
        #expect(settings["generator"]!.beta2 == 0.9 && settings["discriminator"]!.beta2 == 0.999)
        #expect(settings["generator"]!.beta1 == 0.5)

        c.learningRate = PerGroup(groups: ["critic": 1e-3])
        #expect(throws: TrainingError("--learning-rate: the model has no parameter group 'critic'; its groups: generator, discriminator")) {
            try c.optimizerSettings(for: groups)
        }
        c.learningRate = PerGroup()
        c.beta1 = PerGroup(groups: ["generator": 1.5])
        #expect(throws: TrainingError("--beta1 must be in [0, 1) (group 'generator'), got 1.5")) {
            try c.optimizerSettings(for: groups)
        }
        #expect(throws: TrainingError("--learning-rate: bad value 'fast' for group 'generator'")) {
            try PerGroup.parse("generator=fast", flag: "learning-rate") { Double($0) }
        }
        #expect(throws: TrainingError("--learning-rate: more than one value without a group name in '1e-3,2e-3'")) {
            try PerGroup.parse("1e-3,2e-3", flag: "learning-rate") { Double($0) }
        }

        // Configuration files take a number or an object by group ("*" for the others).
        let json = #"{"model-name": "gan", "dataset": "gaussian-1d", "learning-rate": {"*": 0.001, "discriminator": 0.0004}, "average": {"generator": 0.999}}"#
        let decoded = try TrainingConfiguration.decode(Data(json.utf8), file: "c.json")
        #expect(decoded.learningRate == PerGroup(1e-3, groups: ["discriminator": 4e-4]))
        #expect(try decoded.optimizerSettings(for: groups)["generator"]!.averageDecay == 0.999)
        let again = try TrainingConfiguration.decode(decoded.encoded(), file: "c.json")
        #expect(again == decoded)
    }

    @Test func checkpointCriterionHasADirection() {
        let lower = CheckpointCriterion(metric: "nll", lowerIsBetter: true)
        let higher = CheckpointCriterion(metric: "modes-covered", lowerIsBetter: false)
        #expect(lower.improves(1, on: lower.worst) && lower.improves(1, on: 2) && !lower.improves(2, on: 1))
        #expect(higher.improves(1, on: higher.worst) && higher.improves(2, on: 1) && !higher.improves(1, on: 2))
        #expect(!lower.improves(.nan, on: lower.worst) && !higher.improves(.nan, on: higher.worst))
        // Ties of the first metric are broken by the second.
        let modes = CheckpointCriterion(metric: "modes-covered", lowerIsBetter: false,
                                        tieBreaker: .init(metric: "high-quality", lowerIsBetter: false))
        #expect(modes.improves(["modes-covered": 8, "high-quality": 0.4], on: modes.worst, tie: modes.worstTie))
        #expect(modes.improves(["modes-covered": 8, "high-quality": 0.9], on: 8, tie: 0.4))
        #expect(!modes.improves(["modes-covered": 8, "high-quality": 0.3], on: 8, tie: 0.4))
        #expect(!modes.improves(["modes-covered": 7, "high-quality": 1], on: 8, tie: 0.4))
        #expect(!lower.improves(["nll": 2], on: 2, tie: lower.worstTie))
    }

    /// Every trainable parameter must belong to exactly one group.
    @Test func groupsMustCoverEveryParameterOnce() throws {
        var g = RandomGenerator(seed: 0)
        let model = Sequential(Linear(2, 3, generator: &g), Linear(3, 1, generator: &g))
        let overlapping = [ParameterGroup("a", prefixes: ["0."]), ParameterGroup("b", prefixes: ["0.weight", "1."])]
        #expect(throws: TrainingError("Sequential: parameter '0.weight' belongs to the groups a, b; each trainable parameter must belong to exactly one")) {
            try ParameterGroup.checkCoverage(overlapping, of: model)
        }
        #expect(throws: TrainingError("Sequential: parameter '1.bias' belongs to no parameter group; each trainable parameter must belong to exactly one")) {
            try ParameterGroup.checkCoverage([ParameterGroup("a", prefixes: ["0.", "1.weight"])], of: model)
        }
        try ParameterGroup.checkCoverage([ParameterGroup("a", prefixes: ["0."]), ParameterGroup("b", prefixes: ["1."])], of: model)
    }
}
