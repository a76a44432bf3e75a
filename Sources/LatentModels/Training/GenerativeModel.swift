import Foundation
import LatentCore
import LatentData
import LatentNN

/// What a model needs to know about its data to build itself.
public struct DataDescription: Sendable, Codable, Equatable {
    /// Shape of one example, e.g. `[1, 28, 28]` or `[2]`.
    public var featureShape: [Int]
    /// Number of classes when examples carry labels (for conditional models).
    public var classCount: Int?
    /// What the feature values mean.
    public var kind: Kind
    /// Dataset name, for reports.
    public var name: String

    public enum Kind: Codable, Sendable, Equatable {
        /// Images with `levels` intensity levels, scaled to [0, 1] (8-bit: 256).
        case image(levels: Int)
        /// Real-valued vectors (e.g. 2-D toy densities, tabular data).
        case continuous
        /// Text as a stream of tokens of this vocabulary (``TokenBatch`` windows).
        case text(TokenVocabulary)
    }

    /// The token vocabulary of text data (nil for images and vectors).
    public var vocabulary: TokenVocabulary? {
        if case .text(let v) = kind { return v }
        return nil
    }

    public init(featureShape: [Int], classCount: Int? = nil, kind: Kind, name: String) {
        self.featureShape = featureShape
        self.classCount = classCount
        self.kind = kind
        self.name = name
    }

    /// Number of scalar dimensions of one example (for bits per dimension).
    public var dimension: Int { featureShape.reduce(1, *) }
}

/// The loss on one training batch and the scalars to log beside it.
public struct TrainingLoss {
    /// Scalar to minimise (mean over the batch).
    public var loss: Tensor
    /// Extra per-batch metrics (already averaged over the batch), e.g. `kl`, `reconstruction`.
    public var metrics: [String: Double]
    public init(loss: Tensor, metrics: [String: Double] = [:]) {
        self.loss = loss
        self.metrics = metrics
    }
}

/// Where training is, for models whose objective changes over time (KL warm-up, ...).
public struct TrainingProgress: Sendable {
    public var step: Int
    public var epoch: Int
    public init(step: Int, epoch: Int) { self.step = step; self.epoch = epoch }
}

/// A named picture a model contributes to reports (sample grids, reconstructions,
/// density heat maps). `pixels` is `[H, W]` or `[C, H, W]` with values in [0, 1].
public struct ModelFigure {
    public var name: String
    public var caption: String
    public var pixels: Tensor
    public init(name: String, caption: String, pixels: Tensor) {
        self.name = name
        self.caption = caption
        self.pixels = pixels
    }
}

/// The one protocol through which a model family plugs into the CLI and the trainer:
/// build from options, one training step, evaluate, sample, pictures.
///
/// The ``Trainer`` owns everything families share — data order and per-step random streams,
/// logging, validation, `latest`/`best` checkpoints with every optimiser's state, exact
/// resume, parameter averages, Ctrl-C — and calls ``trainingStep(_:context:)`` once per
/// step. A family that only has a loss conforms to ``SingleLossModel`` instead and gets the
/// standard step; a family with several networks (a GAN) declares its
/// ``parameterGroups(options:)`` and updates each group through the context.
///
/// Register a model in ``ModelRegistry`` and `latent train|sample|evaluate|report` work
/// for it without further code.
public protocol GenerativeModel<Batch>: Module {
    /// What one training or evaluation batch is: ``TensorBatch`` for images and vectors,
    /// ``TokenBatch`` for text.
    associatedtype Batch: Sendable = TensorBatch

    /// Name used on the command line, e.g. `"vae"`.
    static var modelName: String { get }
    /// One line for `latent train --help`.
    static var abstract: String { get }
    /// Declared options with defaults, bounds and help.
    static var options: [any DeclaredOption] { get }
    /// The parameter groups, each trained by its own optimiser with its own settings
    /// (default: one group, `model`, holding every parameter).
    static func parameterGroups(options: ModelOptions) -> [ParameterGroup]

    /// Builds the model for `data`.
    init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws

    /// One optimisation step on `batch`: compute losses and apply them to parameter groups
    /// with ``TrainingStepContext/update(_:createGraph:_:)``. Returns the step's headline
    /// loss (shown in progress and logged as `loss`) and extra scalars to log.
    func trainingStep(_ batch: Batch, context: TrainingStepContext) throws -> StepResult

    /// Evaluation metrics on one batch, as *sums* over its examples (the trainer adds them
    /// up over the split and divides by the example count). The first entry of
    /// ``evaluationMetrics`` is the model's headline metric (e.g. `nll` in nats).
    func evaluationSums(_ batch: Batch, generator: inout RandomGenerator) -> [String: Double]

    /// Names of the metrics returned by ``evaluationSums(_:generator:)``, headline first.
    var evaluationMetrics: [String] { get }

    /// Metrics that need a whole split at once (sample distances such as the Fréchet
    /// distance), or nil to have the trainer add up ``evaluationSums(_:generator:)`` over
    /// batches (the default).
    func evaluate(on data: AnyDataset<Batch>, batchSize: Int, generator: inout RandomGenerator) -> [String: Double]?

    /// The validation metric that picks the `best` checkpoint and its direction (default:
    /// the headline metric, lower is better).
    var checkpointCriterion: CheckpointCriterion { get }

    /// Turns the per-example means of the summed metrics over a whole split into the
    /// reported metrics, for statistics that are not means (e.g. the active units from
    /// per-dimension sums of posterior means). Keys starting with `_` are the model's
    /// intermediate sums; the default implementation only removes them.
    func finalizeEvaluation(_ means: [String: Double]) -> [String: Double]

    /// Draws `count` samples in data space, shaped `[count] + featureShape`.
    func sample(count: Int, generator: inout RandomGenerator) -> Tensor

    /// Pictures for reports (samples, reconstructions, heat maps), given a batch of data.
    func figures(data: Batch, generator: inout RandomGenerator) -> [ModelFigure]

    /// A picture the trainer saves at every validation (`progress/step-N.png` in the run
    /// folder, with the parameter averages in place), so that a report can show the model
    /// improving over training — e.g. a GAN's samples from a fixed noise batch. Nil (the
    /// default): none. It must not depend on the training data or on random streams the
    /// run uses.
    func progressFigure() -> ModelFigure?

    /// Called when parameter averages have been put in place of the trained parameters for
    /// evaluation or sampling (by the trainer's validation and by ``TrainedRun``): the place
    /// to recompute what depends on the parameters, such as the batch-norm statistics of an
    /// averaged generator. Default: nothing.
    func averagesDidLoad()

    /// One split of a catalogued dataset as this family's batches (default for
    /// ``TensorBatch`` families: the catalogue's tensors as they are).
    func dataset(_ name: String, split: DataSplit, store: DatasetStore) throws -> AnyDataset<Batch>

    /// The training split as this family's batches, given the training batch size
    /// (default: ``dataset(_:split:store:)``). A family that carries state across batches
    /// arranges its examples in `batchSize` parallel streams here (see
    /// ``ContiguousStreamDataset``) and sizes that state.
    func trainingDataset(_ name: String, store: DatasetStore, batchSize: Int) throws -> AnyDataset<Batch>

    /// Whether the trainer visits the training examples in a new random order every epoch
    /// (default: true). Families that carry state across batches need the dataset's own order.
    static var shufflesTrainingData: Bool { get }

    /// Whether the family trains on text (``TokenBatch``); default: from ``Batch``.
    static var trainsOnText: Bool { get }
}

/// A family trained on one loss with one optimiser: it gives the loss, the trainer does
/// the standard step (differentiate every parameter, clip, schedule, update).
public protocol SingleLossModel<Batch>: GenerativeModel {
    /// The training objective on one batch (features as the dataset gives them).
    func trainingLoss(_ batch: Batch, progress: TrainingProgress, generator: inout RandomGenerator) -> TrainingLoss
}

extension SingleLossModel {
    /// The standard step: ``trainingLoss(_:progress:generator:)`` applied to the single group.
    public func trainingStep(_ batch: Batch, context: TrainingStepContext) throws -> StepResult {
        var metrics: [String: Double] = [:]
        let loss = try context.update(ParameterGroup.defaultName) {
            let l = trainingLoss(batch, progress: context.progress, generator: &context.generator)
            metrics = l.metrics
            return l.loss
        }
        return StepResult(loss: loss, metrics: metrics)
    }
}

extension GenerativeModel {
    public static func parameterGroups(options: ModelOptions) -> [ParameterGroup] { [ParameterGroup(ParameterGroup.defaultName)] }

    public func figures(data: Batch, generator: inout RandomGenerator) -> [ModelFigure] { [] }

    public func progressFigure() -> ModelFigure? { nil }

    public func averagesDidLoad() {}

    public func evaluate(on data: AnyDataset<Batch>, batchSize: Int, generator: inout RandomGenerator) -> [String: Double]? { nil }

    public static var trainsOnText: Bool { Batch.self == TokenBatch.self }

    public static var shufflesTrainingData: Bool { true }

    public func trainingDataset(_ name: String, store: DatasetStore, batchSize: Int) throws -> AnyDataset<Batch> {
        try dataset(name, split: .train, store: store)
    }

    public func finalizeEvaluation(_ means: [String: Double]) -> [String: Double] {
        means.filter { !$0.key.hasPrefix("_") }
    }

    public var checkpointCriterion: CheckpointCriterion { CheckpointCriterion(metric: evaluationMetrics[0], lowerIsBetter: true) }
}

extension GenerativeModel where Batch == TensorBatch {
    public func dataset(_ name: String, split: DataSplit, store: DatasetStore) throws -> AnyDataset<TensorBatch> {
        AnyDataset(try DatasetCatalog.load(name, split: split, store: store))
    }
}

/// Which validation metric selects the `best` checkpoint, and its direction.
public struct CheckpointCriterion: Sendable, Equatable {
    /// A key of the validation metrics (e.g. `nll`, `fd`, `modes-covered`).
    public var metric: String
    /// Whether smaller values are better (NLL, distances) or larger ones (coverage).
    public var lowerIsBetter: Bool
    /// A second criterion that decides between equal values of the first (e.g. the
    /// high-quality fraction among checkpoints that cover every mode); nil for none.
    public var tieBreaker: TieBreaker?

    /// The metric and direction that break ties.
    public struct TieBreaker: Sendable, Equatable {
        public var metric: String
        public var lowerIsBetter: Bool
        public init(metric: String, lowerIsBetter: Bool) {
            self.metric = metric
            self.lowerIsBetter = lowerIsBetter
        }
    }

    public init(metric: String, lowerIsBetter: Bool, tieBreaker: TieBreaker? = nil) {
        self.metric = metric
        self.lowerIsBetter = lowerIsBetter
        self.tieBreaker = tieBreaker
    }
    /// The value no real metric is worse than.
    public var worst: Double { lowerIsBetter ? .infinity : -.infinity }
    /// The tie-breaker's worst value (0 when there is none).
    public var worstTie: Double { tieBreaker.map { $0.lowerIsBetter ? .infinity : -.infinity } ?? 0 }
    /// Whether `value` is strictly better than `best` (NaN never is).
    public func improves(_ value: Double, on best: Double) -> Bool {
        lowerIsBetter ? value < best : value > best
    }
    /// Whether the validation `metrics` beat the best so far (`best`, `bestTie`): a better
    /// value of ``metric``, or an equal one with a better tie-breaker.
    public func improves(_ metrics: [String: Double], on best: Double, tie bestTie: Double) -> Bool {
        let value = metrics[metric] ?? .nan
        if improves(value, on: best) { return true }
        guard value == best, let tieBreaker, let tie = metrics[tieBreaker.metric] else { return false }
        return tieBreaker.lowerIsBetter ? tie < bestTie : tie > bestTie
    }
}

/// What one training step reports: the headline loss and extra scalars to log.
public struct StepResult: Sendable {
    public var loss: Double
    public var metrics: [String: Double]
    public init(loss: Double, metrics: [String: Double] = [:]) {
        self.loss = loss
        self.metrics = metrics
    }
}

/// The models the CLI knows, by name.
public enum ModelRegistry {
    nonisolated(unsafe) private static var registered: [any GenerativeModel.Type] = builtIn

    /// Models shipped with Latent.
    public static var builtIn: [any GenerativeModel.Type] {
        [GaussianBaseline.self, VAE.self, IWAE.self, ConditionalVAE.self, HierarchicalVAE.self,
         RealNVPModel.self, MAFModel.self, NSFModel.self, GlowModel.self, VQVAE.self, GAN.self, DCGAN.self, ConditionalGAN.self,
         CharacterMLP.self, CharacterRNN.self, CharacterTransformer.self, MADEModel.self, PixelCNNModel.self]
    }

    /// Every registered model type.
    public static var all: [any GenerativeModel.Type] { registered }

    /// Adds a model type (replacing one of the same name).
    public static func register(_ type: any GenerativeModel.Type) {
        registered.removeAll { $0.modelName == type.modelName }
        registered.append(type)
    }

    /// The model named `name`, or an error listing the valid names.
    public static func model(named name: String) throws(ModelOptionError) -> any GenerativeModel.Type {
        guard let m = registered.first(where: { $0.modelName == name }) else {
            throw ModelOptionError("unknown model '\(name)'; valid models: \(registered.map { $0.modelName }.sorted().joined(separator: ", "))")
        }
        return m
    }
}
