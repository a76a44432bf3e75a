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
/// step: s % n)` of a shuffling ``DataLoader`` seeded with the run's seed (`n` batches per
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
        let config = configuration
        let description = try DatasetCatalog.description(of: config.dataset)
        let options = try ModelOptions(config.modelOptions, declared: M.options, model: M.modelName)
        let trainData = try DatasetCatalog.load(config.dataset, split: .train, store: store)
        let validationData = try DatasetCatalog.load(config.dataset, split: .validation, store: store)
        guard trainData.count > 0 else { throw TrainingError("dataset '\(config.dataset)' has no training examples") }
        let batchSize = min(config.batchSize, trainData.count)
        let loader = DataLoader(trainData, batchSize: batchSize, shuffle: true, dropLast: true, seed: config.seed)
        let stepsPerEpoch = loader.batchesPerEpoch
        let totalSteps = config.steps ?? (config.epochs ?? 10) * stepsPerEpoch
        let validateEvery = config.validateEvery ?? stepsPerEpoch
        let checkpointEvery = config.checkpointEvery ?? validateEvery

        var initGenerator = RandomGenerator(seed: config.seed)
        let model = try M(options: options, data: description, generator: &initGenerator)
        let optimizer = Self.makeOptimizer(config)

        var step = 0
        var best = Double.infinity
        var elapsed = 0.0
        var window = Window()
        if resume {
            guard FileManager.default.fileExists(atPath: run.latestCheckpoint.path) else {
                throw TrainingError("cannot resume: \(run.latestCheckpoint.path) does not exist")
            }
            let loaded = try Checkpoint.load(from: run.latestCheckpoint, into: model, optimizer: optimizer)
            let m = loaded.metadata
            guard let s = m["step"].flatMap(Int.init) else { throw TrainingError("\(run.latestCheckpoint.path): no step in the checkpoint metadata") }
            step = s
            best = m["best"].flatMap(Double.init) ?? .infinity
            elapsed = m["time"].flatMap(Double.init) ?? 0
            if let w = m["window"], let decoded = try? JSONDecoder().decode(Window.self, from: Data(w.utf8)) { window = decoded }
            try run.truncateMetrics(after: step)
        } else {
            if FileManager.default.fileExists(atPath: run.latestCheckpoint.path) || FileManager.default.fileExists(atPath: run.metrics.path) {
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
                "step": String(step), "epoch": String(step / stepsPerEpoch), "best": String(best),
                "time": String(elapsed), "window": windowJSON, "seed": String(config.seed),
                "model": M.modelName, "dataset": config.dataset,
                "generator": "key=\(next.key[0]),\(next.key[1]) counter=\(next.counter)",
            ]
            try Checkpoint.save(model: model, optimizer: optimizer, metadata: metadata,
                                to: name == "best" ? run.bestCheckpoint : run.latestCheckpoint)
            onEvent(.checkpoint(name: name, step: step))
        }
        func emit(_ record: MetricsRecord) throws {
            try run.append([record])
            onEvent(.record(record))
        }

        onEvent(.started(step: step, totalSteps: totalSteps, stepsPerEpoch: stepsPerEpoch, resumed: resume))
        if step >= totalSteps { return .completed(step: step) }
        var windowStart = Date()
        var windowItems = 0
        while step < totalSteps {
            let stepStart = Date()
            let epoch = step / stepsPerEpoch
            let batch = loader.batch(epoch: epoch, step: step % stepsPerEpoch)
            var generator = Self.stepGenerator(seed: config.seed, step: step)
            let progress = TrainingProgress(step: step, epoch: epoch)
            var metrics: [String: Double] = [:]
            model.train()
            let (lossTensor, gradients) = valueAndGradient(of: model) { m in
                let l = m.trainingLoss(batch, progress: progress, generator: &generator)
                metrics = l.metrics
                return l.loss
            }
            let loss = Double(lossTensor.scalar)
            guard loss.isFinite else {
                throw TrainingError("the training loss became \(loss) at step \(step + 1); try a lower --learning-rate or --clip-norm")
            }
            var clipped = gradients
            if let clip = config.clipNorm { clipped = clipGradientsByGlobalNorm(gradients, maximumNorm: Float(clip)).gradients }
            let learningRate = Self.learningRate(config, step: step, totalSteps: totalSteps)
            optimizer.learningRate = learningRate
            optimizer.update(model, with: clipped)
            step += 1
            let seconds = Date().timeIntervalSince(stepStart)
            elapsed += seconds
            window.add(loss: loss, metrics: metrics)
            windowItems += batch.count
            onEvent(.step(step: step, epoch: epoch, loss: loss, itemsPerSecond: Double(batch.count) / max(seconds, 1e-9), elapsed: elapsed))

            if step % config.logEvery == 0 || step == totalSteps {
                let rate = Double(windowItems) / max(Date().timeIntervalSince(windowStart), 1e-9)
                try emit(window.record(step: step, epoch: epoch, itemsPerSecond: rate, time: elapsed, learningRate: Double("\(learningRate)") ?? Double(learningRate)))
                window = Window()
                windowStart = Date()
                windowItems = 0
            }
            if step % validateEvery == 0 || step == totalSteps {
                let values = Self.evaluate(model, on: validationData, description: description,
                                           batchSize: config.evalBatchSize, generator: Self.validationGenerator(seed: config.seed))
                let headline = values[model.evaluationMetrics[0]] ?? .nan
                try emit(MetricsRecord(step: step, epoch: epoch, split: "validation", loss: headline, metrics: values, time: elapsed))
                if headline < best {
                    best = headline
                    try save("best")
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

    /// The learning rate of step `step`: linear warm-up over `warmupSteps`, then the schedule.
    public static func learningRate(_ config: TrainingConfiguration, step: Int, totalSteps: Int) -> Float {
        let base = Float(config.learningRate)
        let warmup = config.warmupSteps
        if step < warmup { return base * Float(step + 1) / Float(warmup) }
        switch config.schedule {
        case "cosine":
            guard totalSteps > warmup else { return base }
            return CosineDecay(initial: base, totalSteps: totalSteps, warmupSteps: warmup).learningRate(at: step)
        case "step":
            return StepDecay(initial: base, stepSize: max(1, (totalSteps + 2) / 3)).learningRate(at: step)
        default:
            return base
        }
    }

    static func makeOptimizer(_ config: TrainingConfiguration) -> any Optimizer {
        let lr = Float(config.learningRate)
        switch config.optimizer {
        case "adamw": return AdamW(learningRate: lr)
        case "sgd": return SGD(learningRate: lr, momentum: 0.9)
        case "rmsprop": return RMSprop(learningRate: lr)
        default: return Adam(learningRate: lr)
        }
    }

    /// The model's evaluation metrics per example over a whole dataset (the means of its
    /// ``GenerativeModel/evaluationSums(_:generator:)`` passed through
    /// ``GenerativeModel/finalizeEvaluation(_:)``), plus
    /// `bits_per_dim` when the headline metric is `nll` and the model reports no bits metric itself (see ``DataDescription/bitsPerDimension(nats:)``),
    /// and for a toy density with a known formula `true-nll` (the NLL of the generating
    /// density on the same points) and `nll-gap` (`nll − true-nll`, ≥ 0 in expectation).
    public static func evaluate(_ model: any GenerativeModel, on data: TensorDataset, description: DataDescription,
                                batchSize: Int, generator: RandomGenerator) -> [String: Double] {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        var generator = generator
        var sums: [String: Double] = [:]
        let loader = DataLoader(data, batchSize: batchSize)
        // For a toy density with a known formula, the NLL of the true density on the same points.
        let truth = DatasetCatalog.toyDensity(named: description.name).flatMap { $0.hasLogDensity ? $0 : nil }
        for batch in loader.batches(epoch: 0) {
            let values = withoutDerivative { model.evaluationSums(batch, generator: &generator) }
            for (k, v) in values { sums[k, default: 0] += v }
            if let truth, let logDensity = truth.logDensity(batch.features) {
                sums["true-nll", default: 0] -= logDensity.scalars.reduce(0.0) { $0 + Double($1) }
            }
        }
        var means = model.finalizeEvaluation(sums.mapValues { $0 / Double(max(data.count, 1)) })
        if let nll = means["nll"], let trueNLL = means["true-nll"] { means["nll-gap"] = nll - trueNLL }
        // Added unless the model reports bits itself (e.g. as `bitsPerDimension`).
        if model.evaluationMetrics.first == "nll", let nll = means["nll"], !means.keys.contains(where: { $0.lowercased().contains("bits") }) {
            means["bits_per_dim"] = description.bitsPerDimension(nats: nll)
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

    func record(step: Int, epoch: Int, itemsPerSecond: Double, time: Double, learningRate: Double) -> MetricsRecord {
        let n = Double(max(count, 1))
        return MetricsRecord(step: step, epoch: epoch, split: "train", loss: loss / n, metrics: metrics.mapValues { $0 / n },
                             itemsPerSecond: itemsPerSecond, time: time, learningRate: learningRate)
    }
}
