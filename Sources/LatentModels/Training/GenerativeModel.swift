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

/// One declared option of a model, with its help text (shown by `latent train MODEL --help`
/// and validated: unknown names and bad values get a message listing the valid ones).
public struct ModelOption: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case integer
        case number
        case flag
        case choice([String])
        case integers
    }
    public var name: String
    public var kind: Kind
    public var defaultValue: String
    public var help: String

    public init(_ name: String, _ kind: Kind, default defaultValue: String, help: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
    }
}

/// Validated option values of a model, by name (defaults filled in).
public struct ModelOptions: Sendable, Equatable, Codable {
    public private(set) var values: [String: String]

    /// Validates `given` against `declared`, filling defaults.
    public init(_ given: [String: String], declared: [ModelOption], model: String) throws(ModelOptionError) {
        var values: [String: String] = [:]
        let names = Set(declared.map(\.name))
        for key in given.keys.sorted() where !names.contains(key) {
            throw ModelOptionError("\(model): unknown option '\(key)'; valid options: \(declared.map(\.name).sorted().joined(separator: ", "))")
        }
        for option in declared {
            let raw = given[option.name] ?? option.defaultValue
            switch option.kind {
            case .integer:
                guard Int(raw) != nil else { throw ModelOptionError("\(model): option '\(option.name)' needs an integer, got '\(raw)'") }
            case .number:
                guard let v = Double(raw), v.isFinite else { throw ModelOptionError("\(model): option '\(option.name)' needs a number, got '\(raw)'") }
            case .flag:
                guard ["true", "false"].contains(raw) else { throw ModelOptionError("\(model): option '\(option.name)' needs true or false, got '\(raw)'") }
            case .choice(let choices):
                guard choices.contains(raw) else {
                    throw ModelOptionError("\(model): option '\(option.name)' must be one of \(choices.joined(separator: ", ")), got '\(raw)'")
                }
            case .integers:
                guard raw.isEmpty || raw.split(separator: ",").allSatisfy({ Int($0.trimmingCharacters(in: .whitespaces)) != nil }) else {
                    throw ModelOptionError("\(model): option '\(option.name)' needs comma-separated integers, got '\(raw)'")
                }
            }
            values[option.name] = raw
        }
        self.values = values
    }

    public func integer(_ name: String) -> Int { Int(require(name))! }
    public func number(_ name: String) -> Float { Float(require(name))! }
    public func flag(_ name: String) -> Bool { require(name) == "true" }
    public func string(_ name: String) -> String { require(name) }
    public func integers(_ name: String) -> [Int] {
        require(name).split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces))! }
    }

    private func require(_ name: String) -> String {
        guard let v = values[name] else { fatalError("ModelOptions: option '\(name)' was not declared") }
        return v
    }
}

/// A bad model option (unknown name or invalid value).
public struct ModelOptionError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
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
/// build from options, loss on a batch, evaluate, sample, pictures.
///
/// Register a model in ``ModelRegistry`` and `latent train|sample|evaluate|report` work
/// for it without further code.
public protocol GenerativeModel: Module {
    /// Name used on the command line, e.g. `"vae"`.
    static var modelName: String { get }
    /// One line for `latent train --help`.
    static var abstract: String { get }
    /// Declared options with defaults and help.
    static var options: [ModelOption] { get }

    /// Builds the model for `data`.
    init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws

    /// The training objective on one batch (features as the dataset gives them).
    func trainingLoss(_ batch: TensorBatch, progress: TrainingProgress, generator: inout RandomGenerator) -> TrainingLoss

    /// Evaluation metrics on one batch, as *sums* over its examples (the trainer adds them
    /// up over the split and divides by the example count). The first entry of
    /// ``evaluationMetrics`` is the model's headline metric (e.g. `nll` in nats).
    func evaluationSums(_ batch: TensorBatch, generator: inout RandomGenerator) -> [String: Double]

    /// Names of the metrics returned by ``evaluationSums(_:generator:)``, headline first.
    var evaluationMetrics: [String] { get }

    /// Turns the per-example means of the summed metrics over a whole split into the
    /// reported metrics, for statistics that are not means (e.g. the active units from
    /// per-dimension sums of posterior means). Keys starting with `_` are the model's
    /// intermediate sums; the default implementation only removes them.
    func finalizeEvaluation(_ means: [String: Double]) -> [String: Double]

    /// Draws `count` samples in data space, shaped `[count] + featureShape`.
    func sample(count: Int, generator: inout RandomGenerator) -> Tensor

    /// Pictures for reports (samples, reconstructions, heat maps), given a batch of data.
    func figures(data: TensorBatch, generator: inout RandomGenerator) -> [ModelFigure]
}

extension GenerativeModel {
    public func figures(data: TensorBatch, generator: inout RandomGenerator) -> [ModelFigure] { [] }

    public func finalizeEvaluation(_ means: [String: Double]) -> [String: Double] {
        means.filter { !$0.key.hasPrefix("_") }
    }
}

/// The models the CLI knows, by name.
public enum ModelRegistry {
    nonisolated(unsafe) private static var registered: [any GenerativeModel.Type] = builtIn

    /// Models shipped with Latent.
    public static var builtIn: [any GenerativeModel.Type] {
        [GaussianBaseline.self, VAE.self, IWAE.self, ConditionalVAE.self, HierarchicalVAE.self,
         RealNVPModel.self, MAFModel.self, NSFModel.self, GlowModel.self, VQVAE.self]
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
