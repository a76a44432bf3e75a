import Foundation
import LatentCore
import LatentData
import LatentNN

/// A finished (or interrupted) run loaded back from its folder: the configuration, the
/// model rebuilt from it with a checkpoint's weights, and what `latent sample`, `latent
/// evaluate` and `latent report` do with them.
public struct TrainedRun {
    public let run: RunDirectory
    public let configuration: TrainingConfiguration
    public let description: DataDescription
    public let model: any GenerativeModel
    /// The checkpoint's metadata (`step`, `epoch`, `best`, ...).
    public let metadata: [String: String]
    /// Which checkpoint was loaded (`best` or `latest`).
    public let checkpointName: String
    let store: DatasetStore

    /// Loads `checkpoint` (`best`, falling back to `latest` when there is no best yet).
    ///
    /// - Parameter optionOverrides: Model options replacing the run's own before the model is
    ///   built (e.g. `eval-samples=5000` to evaluate a run trained with a cheaper validation
    ///   setting). Options that change parameter shapes make the checkpoint fail to load
    ///   with a descriptive error.
    /// - Parameter usesAverages: Put the run's parameter averages (if it kept any) in place of
    ///   the trained parameters (the default), or use the trained parameters themselves.
    public init(_ run: RunDirectory, checkpoint: String = "best", optionOverrides: [String: String] = [:],
                usesAverages: Bool = true, store: DatasetStore = .default) throws {
        self.run = run
        self.store = store
        var configuration = try run.readConfiguration()
        configuration.modelOptions.merge(optionOverrides) { _, new in new }
        self.configuration = configuration
        description = try DatasetCatalog.description(of: configuration.dataset, store: store)
        let type = try ModelRegistry.model(named: configuration.modelName)
        var url = try run.checkpoint(checkpoint)
        var name = checkpoint
        if !FileManager.default.fileExists(atPath: url.path), checkpoint == "best" {
            url = run.latestCheckpoint
            name = "latest"
        }
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TrainingError("\(run.url.path) has no checkpoint yet (\(url.lastPathComponent) is missing)")
        }
        checkpointName = name
        (model, metadata) = try Self.build(type, configuration: configuration, description: description, checkpoint: url,
                                           usesAverages: usesAverages)
    }

    /// Builds the model and loads the checkpoint; where the run kept parameter averages
    /// (``OptimizerSettings/averageDecay``), the averaged values replace the trained ones, so
    /// evaluation and sampling use them.
    private static func build<M: GenerativeModel>(_ type: M.Type, configuration: TrainingConfiguration,
                                                  description: DataDescription, checkpoint: URL,
                                                  usesAverages: Bool) throws -> (any GenerativeModel, [String: String]) {
        let options = try ModelOptions(configuration.modelOptions, declared: M.options, model: M.modelName)
        var generator = RandomGenerator(seed: configuration.seed)
        let model = try M(options: options, data: description, generator: &generator)
        let loaded = try Checkpoint.load(from: checkpoint, into: model)
        if usesAverages && !loaded.averages.isEmpty {
            do { try model.update(parameters: loaded.averages) } catch {
                throw TrainingError("\(checkpoint.path): parameter averages do not match the model: \(error)")
            }
            withoutDerivative { model.averagesDidLoad() }
        }
        model.eval()
        return (model, loaded.metadata)
    }

    /// Training step of the loaded checkpoint.
    public var step: Int { metadata["step"].flatMap(Int.init) ?? 0 }

    /// `count` samples, `[count] + featureShape`.
    public func sample(count: Int, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return withoutDerivative { model.sample(count: count, generator: &generator) }
    }

    /// `count` samples of class `label`, for class-conditional models (``ConditionalSampler``).
    /// - Throws: ``TrainingError`` when the model is not class-conditional or the class is
    ///   out of range.
    public func sample(count: Int, seed: UInt64, class label: Int) throws(TrainingError) -> Tensor {
        guard let model = model as? any ConditionalSampler else {
            throw TrainingError("--class: \(configuration.modelName) is not a class-conditional model (class-conditional: \(Self.conditionalModelNames.joined(separator: ", ")))")
        }
        guard model.classCount > 0 else {
            throw TrainingError("--class: this \(configuration.modelName) run was trained without class labels (train it with --option conditional=true)")
        }
        guard (0..<model.classCount).contains(label) else {
            throw TrainingError("--class must be in 0...\(model.classCount - 1) (\(configuration.dataset) has \(model.classCount) classes), got \(label)")
        }
        var generator = RandomGenerator(seed: seed)
        return withoutDerivative { model.sample(count: count, class: label, generator: &generator) }
    }

    /// Names of the registered models that sample by class.
    static var conditionalModelNames: [String] {
        ModelRegistry.all.filter { $0 is any ConditionalSampler.Type }.map { $0.modelName }.sorted()
    }

    /// The error for text settings given to a model that does not write text.
    public var notTextError: TrainingError {
        TrainingError("\(configuration.modelName) does not generate text; --prompt, --temperature, --top-k and --top-p are for text models")
    }

    /// Whether the run's model writes text (``TextGenerativeModel``).
    public var generatesText: Bool { model is any TextGenerativeModel }

    /// `count` continuations of `prompt`, each `length` tokens, as text (the prompt first).
    /// Errors name prompt characters outside the vocabulary and bad sampling settings.
    public func text(prompt: String, count: Int, length: Int, sampling: TextSampling, seed: UInt64) throws -> [String] {
        guard let model = model as? any TextGenerativeModel else { throw notTextError }
        guard length >= 1 else { throw TrainingError("--length must be at least 1, got \(length)") }
        var generator = RandomGenerator(seed: seed)
        return try (0..<count).map { _ in try model.continueText(prompt, count: length, sampling: sampling, generator: &generator) }
    }

    /// A picture of `count` samples in [0, 1], `[C, H, W]`: an image grid for image data, a
    /// 2-D histogram (256 × 256 over [−4.5, 4.5]²) for two-dimensional data.
    public func samplePicture(count: Int, seed: UInt64) throws(TrainingError) -> Tensor {
        let samples = sample(count: count, seed: seed)
        return try Self.picture(of: samples, description: description)
    }

    /// Whether samples of this data can be drawn as a picture (images and 2-D points).
    public static func canPicture(_ description: DataDescription) -> Bool {
        description.featureShape.count == 3 || description.featureShape.count == 2 || description.featureShape == [2]
    }

    /// A picture of examples (see ``samplePicture(count:seed:)``).
    public static func picture(of samples: Tensor, description: DataDescription) throws(TrainingError) -> Tensor {
        let shape = description.featureShape
        if shape.count == 3 || shape.count == 2 {
            return imageGrid(samples, padding: 1, padValue: 0.5)
        }
        if shape == [2] { return histogram(samples, size: 256, extent: 4.5) }
        throw TrainingError("cannot draw samples of shape \(shape) as a picture")
    }

    /// Square-root-scaled 2-D histogram of points `[N, 2]` (x right, y up), white background.
    static func histogram(_ points: Tensor, size: Int, extent: Float) -> Tensor {
        var counts = [Float](repeating: 0, count: size * size)
        let p = points.scalars
        for i in 0..<(p.count / 2) {
            // Points off the picture (including NaN and infinite ones) are left out before
            // any conversion to integers.
            let fx = ((p[2 * i] + extent) / (2 * extent) * Float(size)).rounded(.down)
            let fy = ((extent - p[2 * i + 1]) / (2 * extent) * Float(size)).rounded(.down)
            guard fx >= 0, fx < Float(size), fy >= 0, fy < Float(size) else { continue }
            let x = Int(fx), y = Int(fy)
            counts[y * size + x] += 1
        }
        let top = max(counts.max() ?? 1, 1)
        return Tensor(shape: [1, size, size], scalars: counts.map { 1 - ($0 / top).squareRoot() })
    }

    /// Evaluation metrics per example on a split (`nll` in nats, `bits-per-dim`, ...).
    public func evaluate(split: DataSplit = .test, batchSize: Int? = nil) throws -> [String: Double] {
        try Self.evaluate(model, run: self, split: split, batchSize: batchSize ?? configuration.evalBatchSize)
    }

    private static func evaluate<M: GenerativeModel>(_ model: M, run: TrainedRun, split: DataSplit, batchSize: Int) throws -> [String: Double] {
        let data = try model.dataset(run.configuration.dataset, split: split, store: run.store)
        return Trainer.evaluate(model, on: data, description: run.description, batchSize: batchSize,
                                generator: Trainer.validationGenerator(seed: run.configuration.seed))
    }

    /// The quality of `count` samples in the feature space of the dataset's cached classifier
    /// (`latent classifier train --dataset D`), against the images of `split`: Fréchet
    /// distance, precision, recall, density, coverage and the Inception-score analogue
    /// (``SampleQuality``); for class-conditional models the samples are spread evenly over
    /// the classes and `class-accuracy` (and per class) says how often the classifier recognises
    /// the class they were drawn for. For any image model (GANs measure this themselves
    /// while they train); samples are what ``sample(count:seed:)`` gives (decoder means for
    /// VAEs), clamped to [0, 1].
    /// - Throws: ``TrainingError`` for non-image data, a dataset without a cached
    ///   classifier, or a count out of range.
    public func sampleQuality(count: Int, split: DataSplit = .test, seed: UInt64 = 0) throws -> [String: Double] {
        try Self.checkSampleQualityCount(count)
        guard description.featureShape.count == 3, case .image = description.kind else {
            throw TrainingError("--sample-quality: '\(configuration.dataset)' is not an image dataset")
        }
        guard let handle = try FeatureNetworkChoice.automatic.resolve(for: description, model: configuration.modelName, store: store) else {
            throw TrainingError("--sample-quality: no classifier for '\(configuration.dataset)' in \(store.root.path); train one with `latent classifier train --dataset \(configuration.dataset)`")
        }
        let real = try DatasetCatalog.load(configuration.dataset, split: split, store: store).features
        var generator = RandomGenerator(seed: seed)
        var classes: [Int]?
        let samples: Tensor = withoutDerivative {
            if let conditional = model as? any ConditionalSampler, conditional.classCount > 0 {
                // One batch per class, as even as the count allows; `classes` labels each row.
                let k = conditional.classCount
                let sizes = (0..<k).map { c in (count - c + k - 1) / k }
                classes = sizes.enumerated().flatMap { c, n in Array(repeating: c, count: n) }
                return concatenate((0..<k).map { conditional.sample(count: sizes[$0], class: $0, generator: &generator) }, alongAxis: 0)
            }
            return model.sample(count: count, generator: &generator)
        }
        return handle.quality(real: real).score(samples.clamped(min: 0, max: 1), classes: classes)
    }

    /// Valid sample counts of ``sampleQuality(count:split:seed:)``: more than the k of the
    /// k-nearest-neighbour metrics, at most a million.
    public static let sampleQualityCounts = (FeatureSpaceMetrics.defaultNeighbours + 1)...1_000_000

    /// Throws the one-line error for a count outside ``sampleQualityCounts``.
    public static func checkSampleQualityCount(_ count: Int) throws(TrainingError) {
        guard sampleQualityCounts.contains(count) else {
            throw TrainingError("--sample-quality must be in \(sampleQualityCounts.lowerBound)...\(sampleQualityCounts.upperBound) samples, got \(count)")
        }
    }

    /// The model's own pictures for a few validation examples.
    public func figures(seed: UInt64 = 0) throws -> [ModelFigure] {
        try Self.figures(model, run: self, seed: seed)
    }

    private static func figures<M: GenerativeModel>(_ model: M, run: TrainedRun, seed: UInt64) throws -> [ModelFigure] {
        let data = try model.dataset(run.configuration.dataset, split: .validation, store: run.store)
        let batch = data.batch(at: Array(0..<min(64, data.count)))
        var generator = RandomGenerator(seed: seed)
        return withoutDerivative { model.figures(data: batch, generator: &generator) }
    }
}

/// The result of `latent evaluate`, stored as `evaluation.json` in the run folder.
public struct EvaluationResult: Codable, Sendable, Equatable {
    public var split: String
    public var checkpoint: String
    public var step: Int
    public var metrics: [String: Double]
    /// Model options given to `latent evaluate --option` (nil when none).
    public var optionOverrides: [String: String]?
    public init(split: String, checkpoint: String, step: Int, metrics: [String: Double],
                optionOverrides: [String: String]? = nil) {
        self.split = split; self.checkpoint = checkpoint; self.step = step; self.metrics = metrics
        self.optionOverrides = optionOverrides
    }

    enum CodingKeys: String, CodingKey {
        case split, checkpoint, step, metrics, optionOverrides = "option-overrides"
    }
}
