import Foundation
import LatentCore
import LatentData
import LatentNN

/// Something that happened during training, for progress displays.
public enum TrainingEvent {
    /// Training begins (or resumes) at `step` of `totalSteps`.
    case started(step: Int, totalSteps: Int, stepsPerEpoch: Int, resumed: Bool)
    /// Step `step` (1-based count of completed steps) finished with this loss.
    case step(step: Int, epoch: Int, loss: Double, itemsPerSecond: Double, elapsed: Double)
    /// A line was appended to `metrics.jsonl`.
    case record(MetricsRecord)
    /// A checkpoint was written.
    case checkpoint(name: String, step: Int)
    /// `--resume` found no checkpoint and starts the run again (the reason says why).
    case restarted(reason: String)
}

/// How a call to ``Trainer/train(resume:)`` ended.
public enum TrainingOutcome: Equatable, Sendable {
    /// All configured steps ran.
    case completed(step: Int)
    /// ``Trainer/shouldStop`` returned true; `latest` holds this step.
    case interrupted(step: Int)
}

/// Trains a registered model on a catalogued dataset, writing a ``RunDirectory``.
///
/// **Determinism.** Step `s` (0-based) uses training batch `loader.batch(epoch: s / n,
/// step: s % n)` of a ``DataLoader`` (shuffling unless the family says
/// ``GenerativeModel/shufflesTrainingData`` is false) seeded with the run's seed (`n` batches per
/// epoch, the last partial batch dropped), and the generator ``stepGenerator(seed:step:)``
/// — both pure functions of `(seed, s)`. The model is initialised from
/// `RandomGenerator(seed: seed)` and validation always uses ``validationGenerator(seed:)``.
/// A checkpoint holds the model, the optimiser state and the step, so resuming from it
/// reproduces the uninterrupted run's losses bit for bit.
///
/// **Schedule.** Training lines are written every `logEvery` steps (the mean loss over
/// those steps; the partial window is saved in checkpoints), validation runs every
/// `validateEvery` steps (default: once per epoch) and at the end, `latest` is saved every
/// `checkpointEvery` steps (default: with each validation), at the end and when
/// ``shouldStop`` becomes true; `best` whenever the headline validation metric improves.
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let run: RunDirectory
    public let store: DatasetStore
    /// Polled after every step; when it returns true the trainer saves `latest` and returns
    /// ``TrainingOutcome/interrupted(step:)`` (the CLI sets it from SIGINT).
    public var shouldStop: () -> Bool = { false }
    /// Receives progress events.
    public var onEvent: (TrainingEvent) -> Void = { _ in }

    public init(configuration: TrainingConfiguration, run: RunDirectory, store: DatasetStore = .default) {
        self.configuration = configuration
        self.run = run
        self.store = store
    }

    /// The generator of training step `step`: the first split of the Philox stream keyed
    /// by `seed ⊕ "LatentTr"` at counter `step · 2⁶⁴`.
    public static func stepGenerator(seed: UInt64, step: Int) -> RandomGenerator {
        var g = RandomGenerator(key: key(seed, 0x4C61_7465_6E74_5472), counter: UInt128(step) << 64)
        return g.split()
    }

    /// The generator used by every validation pass (so validation metrics change only
    /// because the model does).
    public static func validationGenerator(seed: UInt64) -> RandomGenerator {
        var g = RandomGenerator(key: key(seed, 0x4C61_7465_6E74_5661))
        return g.split()
    }

    static func key(_ seed: UInt64, _ tag: UInt64) -> SIMD2<UInt32> {
        let k = seed ^ tag
        return SIMD2(UInt32(truncatingIfNeeded: k), UInt32(truncatingIfNeeded: k >> 32))
    }

    /// Trains from scratch (the run folder must not hold a run yet) or, with `resume`,
    /// continues from `checkpoints/latest.safetensors`.
    public func train(resume: Bool = false) throws -> TrainingOutcome {
        try configuration.validate()
        let type = try ModelRegistry.model(named: configuration.modelName)
        return try train(type, resume: resume)
    }

    private func train<M: GenerativeModel>(_ type: M.Type, resume: Bool) throws -> TrainingOutcome {
        var config = configuration
        let description = try DatasetCatalog.description(of: config.dataset, store: store)
        try DatasetCatalog.check(M.self, canTrainOn: description)
        let options = try ModelOptions(config.modelOptions, declared: M.options, model: M.modelName)
        let parameterGroups = M.parameterGroups(options: options)
        let settings = try config.optimizerSettings(for: parameterGroups)
        config = config.resolved(settings)

        var initGenerator = RandomGenerator(seed: config.seed)
        let model = try M(options: options, data: description, generator: &initGenerator)
        let trainData = try model.trainingDataset(config.dataset, store: store, batchSize: config.batchSize)
        let validationData = try model.dataset(config.dataset, split: .validation, store: store)
        guard trainData.count > 0 else { throw TrainingError("dataset '\(config.dataset)' has no training examples") }
        let batchSize = min(config.batchSize, trainData.count)
        let loader = DataLoader(trainData, batchSize: batchSize, shuffle: M.shufflesTrainingData, dropLast: true, seed: config.seed)
        let stepsPerEpoch = loader.batchesPerEpoch
        let (epochSteps, overflow) = (config.epochs ?? 10).multipliedReportingOverflow(by: stepsPerEpoch)
        guard config.steps != nil || !overflow else {
            throw TrainingError("--epochs \(config.epochs ?? 10) × \(stepsPerEpoch) steps per epoch is too many steps")
        }
        let totalSteps = config.steps ?? epochSteps
        let validateEvery = config.validateEvery ?? stepsPerEpoch
        let checkpointEvery = config.checkpointEvery ?? validateEvery

        let groups = try Self.makeGroups(parameterGroups, settings: settings, model: model)
        let groupsByName = Dictionary(uniqueKeysWithValues: groups.map { ($0.group.name, $0) })
        let criterion = model.checkpointCriterion
        var step = 0
        var best = criterion.worst
        var bestTie = criterion.worstTie
        var elapsed = 0.0
        var window = Window()
        var pendingValidation = false
        run.removeStaleTemporaryFiles()
        if resume && !FileManager.default.fileExists(atPath: run.latestCheckpoint.path) {
            // A run stopped before its first checkpoint: nothing to continue from; it starts
            // again at step 0 after its partial log is set aside.
            guard FileManager.default.fileExists(atPath: run.configuration.path) else {
                throw TrainingError("cannot resume: \(run.url.path) holds no run (no config.json)")
            }
            if FileManager.default.fileExists(atPath: run.metrics.path) {
                let kept = run.url.appendingPathComponent("metrics-before-restart.jsonl")
                try? FileManager.default.removeItem(at: kept)
                try FileManager.default.moveItem(at: run.metrics, to: kept)
            }
            onEvent(.restarted(reason: "\(run.latestCheckpoint.lastPathComponent) does not exist (the run stopped before its first checkpoint); starting again at step 0"))
        } else if resume {
            let loaded = try Self.load(run.latestCheckpoint, into: model, groups: groups)
            let m = loaded.metadata
            guard let s = m["step"].flatMap(Int.init), s >= 0, s <= 1_000_000_000_000 else {
                throw TrainingError("\(run.latestCheckpoint.path): the checkpoint's step '\(m["step"] ?? "none")' is not a step count in [0, 10¹²]")
            }
            guard s <= totalSteps else {
                throw TrainingError("the run in \(run.url.path) is at step \(s); --steps \(totalSteps) would end before it (give more steps or epochs)")
            }
            step = s
            best = m["best"].flatMap(Double.init) ?? criterion.worst
            bestTie = m["best-tie"].flatMap(Double.init) ?? criterion.worstTie
            elapsed = m["time"].flatMap(Double.init) ?? 0
            pendingValidation = m["pending-validation"] == "true"
            if let w = m["window"], let decoded = try? JSONDecoder().decode(Window.self, from: Data(w.utf8)) { window = decoded }
            try run.truncateMetrics(after: step)
        } else {
            if FileManager.default.fileExists(atPath: run.latestCheckpoint.path) || FileManager.default.fileExists(atPath: run.metrics.path)
                || FileManager.default.fileExists(atPath: run.configuration.path) {
                throw TrainingError("\(run.url.path) already holds a run; use --resume to continue it or choose another --output")
            }
        }
        try FileManager.default.createDirectory(at: run.checkpoints, withIntermediateDirectories: true)
        try run.write(config)

        func save(_ name: String) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let windowJSON = String(decoding: try encoder.encode(window), as: UTF8.self)
            let next = Self.stepGenerator(seed: config.seed, step: step)
            let metadata = [
                "step": String(step), "epoch": String(step / stepsPerEpoch), "best": String(best), "best-tie": String(bestTie),
                "time": String(elapsed), "window": windowJSON, "seed": String(config.seed),
                "model": M.modelName, "dataset": config.dataset,
                "generator": "key=\(next.key[0]),\(next.key[1]) counter=\(next.counter)",
                "pending-validation": pendingValidation ? "true" : "false",
            ]
            try Self.save(model, groups: groups, metadata: metadata, to: name == "best" ? run.bestCheckpoint : run.latestCheckpoint)
            onEvent(.checkpoint(name: name, step: step))
        }
        func emit(_ record: MetricsRecord) throws {
            try run.append([record])
            onEvent(.record(record))
        }

        /// Validates at the current step (with the parameter averages in place), writes the
        /// record and `best`; false when ``shouldStop`` interrupted the pass.
        func validate(epoch: Int) throws -> Bool {
            let evaluated = Self.withAverages(groups[...], model) {
                if groups.contains(where: { $0.average != nil }) { withoutDerivative { model.averagesDidLoad() } }
                return Self.evaluate(model, on: validationData, description: description, batchSize: config.evalBatchSize,
                              generator: Self.validationGenerator(seed: config.seed), shouldStop: shouldStop)
                    .map { ($0, withoutDerivative { model.progressFigure() }) }
            }
            guard let (values, figure) = evaluated else { return false }
            if let figure {
                try FileManager.default.createDirectory(at: run.progress, withIntermediateDirectories: true)
                try AtomicFile.write(Data(PNG.encode(PNGImage(figure.pixels.detached()))), to: run.progressImage(step: step))
            }
            let headline = values[model.evaluationMetrics[0]] ?? .nan
            try emit(MetricsRecord(step: step, epoch: epoch, split: "validation", loss: headline, metrics: values, time: elapsed))
            if criterion.improves(values, on: best, tie: bestTie) {
                best = values[criterion.metric] ?? .nan
                bestTie = criterion.tieBreaker.flatMap { values[$0.metric] } ?? criterion.worstTie
                try save("best")
            }
            return true
        }

        onEvent(.started(step: step, totalSteps: totalSteps, stepsPerEpoch: stepsPerEpoch, resumed: resume))
        if pendingValidation {
            guard try validate(epoch: (step - 1) / stepsPerEpoch) else { return .interrupted(step: step) }
            pendingValidation = false
            try save("latest")
        }
        if step >= totalSteps { return .completed(step: step) }
        var windowStart = Date()
        var windowItems = 0
        while step < totalSteps {
            let stepStart = Date()
            let epoch = step / stepsPerEpoch
            let batch = loader.batch(epoch: epoch, step: step % stepsPerEpoch)
            for g in groups { g.learningRate = g.settings.learningRate(step: step, totalSteps: totalSteps) }
            let context = TrainingStepContext(progress: TrainingProgress(step: step, epoch: epoch),
                                              generator: Self.stepGenerator(seed: config.seed, step: step),
                                              model: model, groups: groupsByName)
            model.train()
            let result = try model.trainingStep(batch, context: context)
            guard result.loss.isFinite else {
                throw TrainingError("the training loss became \(result.loss) at step \(step + 1); try a lower --learning-rate or --clip-norm")
            }
            step += 1
            let seconds = Date().timeIntervalSince(stepStart)
            elapsed += seconds
            window.add(loss: result.loss, metrics: result.metrics)
            let items = Self.exampleCount(batch)
            windowItems += items
            onEvent(.step(step: step, epoch: epoch, loss: result.loss, itemsPerSecond: Double(items) / max(seconds, 1e-9), elapsed: elapsed))

            if step % config.logEvery == 0 || step == totalSteps {
                let rate = Double(windowItems) / max(Date().timeIntervalSince(windowStart), 1e-9)
                let rates = groups.map { Double("\($0.learningRate)") ?? Double($0.learningRate) }
                try emit(window.record(step: step, epoch: epoch, itemsPerSecond: rate, time: elapsed, learningRate: rates[0],
                                       groupLearningRates: groups.count > 1 ? Dictionary(uniqueKeysWithValues: zip(groups.map(\.group.name), rates)) : [:]))
                window = Window()
                windowStart = Date()
                windowItems = 0
            }
            if step % validateEvery == 0 || step == totalSteps {
                guard try validate(epoch: epoch) else {
                    // Stopped during validation: `latest` records that this step's
                    // validation is still owed, and a resume runs it first.
                    pendingValidation = true
                    try save("latest")
                    return .interrupted(step: step)
                }
            }
            if step % checkpointEvery == 0 || step == totalSteps {
                try save("latest")
            }
            if step < totalSteps && shouldStop() {
                try save("latest")
                return .interrupted(step: step)
            }
        }
        return .completed(step: step)
    }

    /// The optimiser, settings and parameter average of each group; every trainable
    /// parameter must belong to exactly one group.
    static func makeGroups(_ groups: [ParameterGroup], settings: [String: OptimizerSettings], model: Module) throws(TrainingError) -> [TrainableGroup] {
        try ParameterGroup.checkCoverage(groups, of: model)
        return groups.map { TrainableGroup(group: $0, settings: settings[$0.name]!, model: model) }
    }

    /// Names the optimisers in checkpoints: the single group of a single-loss family is the
    /// unnamed optimiser (the checkpoint layout of every earlier Latent run).
    static func optimizerNames(_ groups: [TrainableGroup]) -> [(name: String, optimizer: any Optimizer)] {
        groups.count == 1 ? [("", groups[0].optimizer)] : groups.map { ($0.group.name, $0.optimizer) }
    }

    static func save(_ model: Module, groups: [TrainableGroup], metadata: [String: String], to url: URL) throws {
        var averages: [String: Tensor] = [:]
        for g in groups { if let a = g.average { averages.merge(a.averages) { a, _ in a } } }
        try Checkpoint.save(model: model, optimizers: optimizerNames(groups), averages: averages, metadata: metadata, to: url)
    }

    static func load(_ url: URL, into model: Module, groups: [TrainableGroup]) throws -> Checkpoint.Loaded {
        let loaded = try Checkpoint.load(from: url, into: model, optimizers: optimizerNames(groups))
        for g in groups {
            guard let average = g.average else { continue }
            do {
                try average.load(loaded.averages.filter { average.averages[$0.key] != nil })
            } catch {
                throw TrainingError("\(url.path): \(error)")
            }
        }
        return loaded
    }

    /// Runs `body` with every group's parameter average in place of its parameters.
    static func withAverages<R>(_ groups: ArraySlice<TrainableGroup>, _ model: Module, _ body: () throws -> R) rethrows -> R {
        guard let first = groups.first else { return try body() }
        guard let average = first.average else { return try withAverages(groups.dropFirst(), model, body) }
        return try average.withAveraged(model) { try withAverages(groups.dropFirst(), model, body) }
    }

    /// Number of examples in a batch (for throughput).
    static func exampleCount<B>(_ batch: B) -> Int {
        switch batch {
        case let b as TensorBatch: return b.count
        case let b as TokenBatch: return b.count
        default: return 1
        }
    }

    /// The model's evaluation metrics per example over a whole dataset (the means of its
    /// ``GenerativeModel/evaluationSums(_:generator:)`` passed through
    /// ``GenerativeModel/finalizeEvaluation(_:)``), plus
    /// `bits-per-dim` when the headline metric is `nll` and the model reports no bits metric itself (see ``DataDescription/bitsPerDimension(nats:)``),
    /// and for a toy density with a known formula `true-nll` (the NLL of the generating
    /// density on the same points) and `nll-gap` (`nll − true-nll`, ≥ 0 in expectation).
    public static func evaluate<M: GenerativeModel>(_ model: M, on data: TensorDataset, description: DataDescription,
                                                    batchSize: Int, generator: RandomGenerator) -> [String: Double] where M.Batch == TensorBatch {
        evaluate(model, on: AnyDataset(data), description: description, batchSize: batchSize, generator: generator)
    }

    /// The model's evaluation metrics on a dataset of its batches (see the overload above).
    public static func evaluate<M: GenerativeModel>(_ model: M, on data: AnyDataset<M.Batch>, description: DataDescription,
                                                    batchSize: Int, generator: RandomGenerator) -> [String: Double] {
        evaluate(model, on: data, description: description, batchSize: batchSize, generator: generator, shouldStop: { false })!
    }

    /// The same, or nil when `shouldStop` returns true between two batches.
    static func evaluate<M: GenerativeModel>(_ model: M, on data: AnyDataset<M.Batch>, description: DataDescription,
                                             batchSize: Int, generator: RandomGenerator, shouldStop: () -> Bool) -> [String: Double]? {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        var generator = generator
        if let whole = withoutDerivative({ model.evaluate(on: data, batchSize: batchSize, generator: &generator) }) {
            return whole
        }
        var sums: [String: Double] = [:]
        let loader = DataLoader(data, batchSize: batchSize)
        // For a toy density with a known formula, the NLL of the true density on the same points.
        let truth = DatasetCatalog.toyDensity(named: description.name).flatMap { $0.hasLogDensity ? $0 : nil }
        for batch in loader.batches(epoch: 0) {
            if shouldStop() { return nil }
            let values = withoutDerivative { model.evaluationSums(batch, generator: &generator) }
            for (k, v) in values { sums[k, default: 0] += v }
            if let truth, let features = (batch as? TensorBatch)?.features, let logDensity = truth.logDensity(features) {
                sums["true-nll", default: 0] -= logDensity.scalars.reduce(0.0) { $0 + Double($1) }
            }
        }
        var means = model.finalizeEvaluation(sums.mapValues { $0 / Double(max(data.count, 1)) })
        if let nll = means["nll"], let trueNLL = means["true-nll"] { means["nll-gap"] = nll - trueNLL }
        // Added unless the model reports bits itself.
        if model.evaluationMetrics.first == "nll", let nll = means["nll"], !means.keys.contains(where: { $0.lowercased().contains("bits") }) {
            means[MetricName.bitsPerDimension] = description.bitsPerDimension(nats: nll)
        }
        return means
    }
}

/// Training losses accumulated between two training lines.
struct Window: Codable {
    var count = 0
    var loss = 0.0
    var metrics: [String: Double] = [:]

    mutating func add(loss: Double, metrics: [String: Double]) {
        count += 1
        self.loss += loss
        for (k, v) in metrics { self.metrics[k, default: 0] += v }
    }

    func record(step: Int, epoch: Int, itemsPerSecond: Double, time: Double, learningRate: Double,
                groupLearningRates: [String: Double]) -> MetricsRecord {
        let n = Double(max(count, 1))
        var values = metrics.mapValues { $0 / n }
        for (group, rate) in groupLearningRates { values["learning-rate-\(group)"] = rate }
        return MetricsRecord(step: step, epoch: epoch, split: "train", loss: loss / n, metrics: values,
                             itemsPerSecond: itemsPerSecond, time: time, learningRate: learningRate)
    }
}
