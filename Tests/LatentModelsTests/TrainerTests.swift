import Foundation
import LatentCore
import LatentData
import LatentModels
import LatentNN
import Testing

/// A fresh temporary folder, removed by the caller.
func temporaryFolder(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("latent-\(name)-\(UUID().uuidString)", isDirectory: true)
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func configuration(_ dataset: String, steps: Int) -> TrainingConfiguration {
    var c = TrainingConfiguration()
    c.modelName = "gaussian"
    c.dataset = dataset
    c.steps = steps
    c.batchSize = 32
    c.learningRate = 0.01
    c.logEvery = 5
    c.validateEvery = 10
    c.evalBatchSize = 512
    return c
}

/// Trains `configuration` straight through and again interrupted after `interruptAt`
/// steps and resumed (`beforeResume` may tamper with the interrupted run), and expects the
/// same metrics and the same final checkpoint, bit for bit. Returns the straight run.
func expectExactResume(_ configuration: TrainingConfiguration, in folder: URL, interruptAt: Int,
                       beforeResume: (RunDirectory) throws -> Void = { _ in }) throws -> RunDirectory {
    let total = configuration.steps!
    let straight = RunDirectory(folder.appendingPathComponent("straight"))
    #expect(try Trainer(configuration: configuration, run: straight).train() == .completed(step: total))
    let resumed = RunDirectory(folder.appendingPathComponent("resumed"))
    let first = Trainer(configuration: configuration, run: resumed)
    var steps = 0
    first.onEvent = { if case .step = $0 { steps += 1 } }
    first.shouldStop = { steps >= interruptAt }
    #expect(try first.train() == .interrupted(step: interruptAt))
    try beforeResume(resumed)
    #expect(try Trainer(configuration: configuration, run: resumed).train(resume: true) == .completed(step: total))
    #expect(reproducible(resumed.readMetrics()) == reproducible(straight.readMetrics()))
    let a = try SafeTensorsFile(straight.latestCheckpoint), b = try SafeTensorsFile(resumed.latestCheckpoint)
    #expect(a == b, "same final weights, optimiser states and parameter averages")
    return straight
}

/// The reproducible part of a metrics record (no timings).
func reproducible(_ records: [MetricsRecord]) -> [String] {
    records.map { r in
        "\(r.step) \(r.epoch) \(r.split) \(r.loss) \(r.metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }) \(r.learningRate.map { "\($0)" } ?? "-")"
    }
}

@Suite struct TrainerTests {
    @Test func twoMoonsEndToEnd() throws {
        let folder = temporaryFolder("moons")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = RunDirectory(folder.appendingPathComponent("run"))
        let trainer = Trainer(configuration: configuration("two-moons", steps: 30), run: run)
        var events = 0
        trainer.onEvent = { _ in events += 1 }
        #expect(try trainer.train() == .completed(step: 30))
        #expect(events > 30)

        let records = run.readMetrics()
        #expect(records.filter { $0.split == "train" }.map(\.step) == [5, 10, 15, 20, 25, 30])
        #expect(records.filter { $0.split == "validation" }.map(\.step) == [10, 20, 30])
        let train = records.filter { $0.split == "train" }
        #expect(train.last!.loss < train.first!.loss, "the loss goes down")
        #expect(FileManager.default.fileExists(atPath: run.latestCheckpoint.path))
        #expect(FileManager.default.fileExists(atPath: run.bestCheckpoint.path))
        // config.json records every optimiser setting as resolved (the family's defaults filled in).
        var recorded = configuration("two-moons", steps: 30)
        recorded.optimizer = "adam"
        recorded.beta1 = 0.9
        recorded.beta2 = 0.999
        recorded.schedule = "constant"
        recorded.warmupSteps = 0
        #expect(try run.readConfiguration() == recorded)

        let trained = try TrainedRun(run)
        #expect(trained.step == 30)
        let metrics = try trained.evaluate(split: .test)
        let nll = try #require(metrics["nll"])
        #expect(nll > 2 && nll < 6)
        #expect(abs(metrics["bits-per-dim"]! - nll / (2 * log(2.0))) < 1e-9)
        // The true density's NLL on the same test points, and the gap.
        let test = try DatasetCatalog.load("two-moons", split: .test)
        let truth = ToyDensity.twoMoons.logDensity(test.features)!.scalars.map(Double.init)
        let trueNLL = -truth.reduce(0, +) / Double(truth.count)
        #expect(abs(metrics["true-nll"]! - trueNLL) < 1e-6)
        #expect(abs(metrics["nll-gap"]! - (nll - trueNLL)) < 1e-9)
        #expect(trained.sample(count: 7, seed: 1).shape == [7, 2])
        #expect(try trained.samplePicture(count: 100, seed: 1).shape == [1, 256, 256])

        let url = try TrainingReport.write(for: trained)
        let html = try String(contentsOf: url, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg"))
        #expect(html.contains("<polyline"))
        #expect(html.contains("gaussian on two-moons"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"), "self-contained")
    }

    @Test func digitsEndToEnd() throws {
        let folder = temporaryFolder("digits")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = RunDirectory(folder.appendingPathComponent("run"))
        #expect(try Trainer(configuration: configuration("digits", steps: 10), run: run).train() == .completed(step: 10))
        let trained = try TrainedRun(run, checkpoint: "latest")
        let metrics = try trained.evaluate(split: .validation)
        // 64 dimensions, NLL on the 17-level discrete scale.
        #expect(abs(metrics["bits-per-dim"]! - metrics["nll"]! / (64 * log(2.0))) < 1e-9)
        let samples = trained.sample(count: 5, seed: 0)
        #expect(samples.shape == [5, 1, 8, 8])
        #expect(samples.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        let html = try TrainingReport.html(for: trained, sampleCount: 16)
        #expect(html.contains("data:image/png;base64,"))
        #expect(html.contains("<svg"))
    }

    /// N steps straight and N/2 + resume N/2 write the same metrics, bit for bit.
    @Test func resumeEquivalence() throws {
        let folder = temporaryFolder("resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        var config = configuration("two-moons", steps: 40)
        config.schedule = "cosine"
        config.warmupSteps = 5
        config.clipNorm = 5.0
        config.logEvery = 3            // windows that straddle the interruption
        config.checkpointEvery = 7

        // Lines written after the checkpoint at step 20 (none here) and a crash-like
        // extra line are dropped on resume.
        _ = try expectExactResume(config, in: folder, interruptAt: 20) { resumed in
            try resumed.append([MetricsRecord(step: 23, epoch: 0, split: "train", loss: 0, time: 0)])
        }
    }

    @Test func refusesToOverwriteARun() throws {
        let folder = temporaryFolder("overwrite")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = RunDirectory(folder)
        _ = try Trainer(configuration: configuration("circles", steps: 2), run: run).train()
        #expect(throws: TrainingError("\(folder.path) already holds a run; use --resume to continue it or choose another --output")) {
            try Trainer(configuration: configuration("circles", steps: 2), run: run).train()
        }
    }

    @Test func badConfigurationsListValidChoices() throws {
        let run = RunDirectory(temporaryFolder("bad"))
        defer { try? FileManager.default.removeItem(at: run.url) }
        var c = configuration("moons", steps: 1)
        // (Other tests register datasets of their own, so only the built-in start of the list is fixed.)
        do {
            _ = try Trainer(configuration: c, run: run).train()
            Issue.record("an unknown dataset was accepted")
        } catch let error as TrainingError {
            #expect(error.message.hasPrefix("unknown dataset 'moons'; valid datasets: digits, two-moons, circles, 8gaussians, 25gaussians, checkerboard, pinwheel, 2spirals, swissroll, gaussian-1d, mnist, fashion-mnist, sherlock-holmes-excerpt, sherlock-holmes, moby-dick"))
            #expect(error.message.hasSuffix("or a local file as file:PATH.npy, file:FOLDER (of PNGs), text:PATH or bytes:PATH"))
        }
        c = configuration("two-moons", steps: 1)
        c.optimizer = "adagrad"
        #expect(throws: TrainingError("unknown optimizer 'adagrad'; valid optimizers: adam, adamw, sgd, rmsprop")) {
            try Trainer(configuration: c, run: run).train()
        }
        c = configuration("two-moons", steps: 1)
        c.schedule = "linear"
        #expect(throws: TrainingError("unknown schedule 'linear'; valid schedules: constant, cosine, step")) { try c.validate() }
        c = configuration("two-moons", steps: 1)
        c.modelName = "vea"
        #expect(throws: ModelOptionError.self) { try Trainer(configuration: c, run: run).train() }
        c = configuration("two-moons", steps: 1)
        c.modelOptions = ["init-log-std": "big"]
        #expect(throws: ModelOptionError("gaussian: option 'init-log-std' needs a finite number, got 'big'")) {
            try Trainer(configuration: c, run: run).train()
        }
        c = configuration("two-moons", steps: 1)
        c.batchSize = 0
        #expect(throws: TrainingError("--batch-size must be in [1, 1000000], got 0")) { try c.validate() }
    }

    @Test func missingInstalledDatasetSaysHowToInstall() throws {
        let store = DatasetStore(root: temporaryFolder("store"))
        defer { try? FileManager.default.removeItem(at: store.root) }
        #expect(throws: TrainingError("dataset 'mnist' is not installed; run `latent datasets install mnist` (it goes to \(store.folder("mnist").path))")) {
            try DatasetCatalog.load("mnist", split: .train, store: store)
        }
    }

    @Test func configurationFile() throws {
        let json = #"{"model-name": "gaussian", "dataset": "digits", "steps": 5, "learning-rate": 0.01, "model": {"init-log-std": -1}}"#
        let c = try TrainingConfiguration.decode(Data(json.utf8), file: "c.json")
        #expect(c.modelName == "gaussian" && c.dataset == "digits" && c.steps == 5 && c.learningRate == 0.01)
        #expect(c.modelOptions == ["init-log-std": "-1"])
        #expect(try TrainingConfiguration.decode(c.encoded(), file: "round trip") == c)
        #expect(throws: TrainingError("c.json: unknown key 'batchsize'; valid keys: average, batch-size, beta1, beta2, checkpoint-every, clip-norm, dataset, epochs, eval-batch-size, learning-rate, log-every, model, model-name, optimizer, schedule, seed, steps, validate-every, warmup-steps")) {
            try TrainingConfiguration.decode(Data(#"{"batchsize": 3}"#.utf8), file: "c.json")
        }
        #expect(throws: TrainingError.self) { try TrainingConfiguration.decode(Data(#"{"steps": "many"}"#.utf8), file: "c.json") }
    }

    @Test func gaussianBaselineLikelihoodIsExact() throws {
        var g = RandomGenerator(seed: 0)
        let data = DataDescription(featureShape: [2], kind: .continuous, name: "t")
        let model = try GaussianBaseline(options: ModelOptions([:], declared: GaussianBaseline.options, model: "gaussian"), data: data, generator: &g)
        model.mean = Tensor([1, -1])
        model.logStandardDeviation = Tensor([0, Float(log(2.0))])
        let x = Tensor([[1, -1], [2, 1]])
        let sums = model.evaluationSums(TensorBatch(features: x, indices: [0, 1]), generator: &g)
        func nll(_ x: Double, _ m: Double, _ s: Double) -> Double { 0.5 * pow((x - m) / s, 2) + log(s) + 0.5 * log(2 * Double.pi) }
        let expected = nll(1, 1, 1) + nll(-1, -1, 2) + nll(2, 1, 1) + nll(1, -1, 2)
        #expect(abs(sums["nll"]! - expected) < 1e-4)
        #expect(ModelRegistry.builtIn.contains { $0.modelName == "gaussian" })
    }
}

/// A checkpoint's tensors and reproducible metadata (no timing), for comparison.
struct SafeTensorsFile: Equatable {
    let tensors: [String: [Float]]
    let metadata: [String: String]
    init(_ url: URL) throws {
        let contents = try SafeTensors.read(from: url)
        tensors = contents.tensors.mapValues(\.scalars)
        metadata = contents.metadata.filter { $0.key != "user.time" }
    }
}
