import Foundation

/// Everything that determines a training run: the model and its options, the dataset, and
/// the optimisation settings. Written to `config.json` in the run folder, and read from a
/// `--config` file, with the same keys as the command-line flags:
///
/// ```json
/// { "model-name": "gaussian", "dataset": "digits", "steps": 2000, "batch-size": 64,
///   "learning-rate": 0.001, "optimizer": "adam", "schedule": "cosine", "seed": 0,
///   "model": { "init-log-std": -1 } }
/// ```
///
/// Model option values may be JSON strings, numbers, booleans or arrays of integers
/// (written back as strings). Unknown keys are an error naming the valid keys.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    /// Registered model name (``ModelRegistry``).
    public var modelName: String = ""
    /// Model options as given (validated against the model's declared options).
    public var modelOptions: [String: String] = [:]
    /// Catalogue dataset name (``DatasetCatalog``).
    public var dataset: String = ""
    /// Passes over the training set (used when `steps` is nil; default 10).
    public var epochs: Int?
    /// Total optimisation steps (overrides `epochs`).
    public var steps: Int?
    public var batchSize: Int = 64
    public var learningRate: Double = 1e-3
    /// `adam`, `adamw`, `sgd` or `rmsprop`.
    public var optimizer: String = "adam"
    /// `constant`, `cosine` or `step` (×0.1 every third of the run).
    public var schedule: String = "constant"
    public var warmupSteps: Int = 0
    /// Maximum global gradient norm; nil for no clipping.
    public var clipNorm: Double?
    public var seed: UInt64 = 0
    /// Validate every this many steps; nil: once per epoch.
    public var validateEvery: Int?
    /// Save `latest` every this many steps; nil: at each validation.
    public var checkpointEvery: Int?
    /// Batch size for validation and evaluation.
    public var evalBatchSize: Int = 256
    /// Training loss is averaged and logged every this many steps.
    public var logEvery: Int = 10

    public init() {}

    public static let optimizers = ["adam", "adamw", "sgd", "rmsprop"]
    public static let schedules = ["constant", "cosine", "step"]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case modelName = "model-name", modelOptions = "model", dataset, epochs, steps
        case batchSize = "batch-size", learningRate = "learning-rate", optimizer, schedule
        case warmupSteps = "warmup-steps", clipNorm = "clip-norm", seed
        case validateEvery = "validate-every", checkpointEvery = "checkpoint-every"
        case evalBatchSize = "eval-batch-size", logEvery = "log-every"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        modelName = try c.decodeIfPresent(String.self, forKey: .modelName) ?? ""
        modelOptions = try c.decodeIfPresent([String: OptionValue].self, forKey: .modelOptions)?.mapValues(\.text) ?? [:]
        dataset = try c.decodeIfPresent(String.self, forKey: .dataset) ?? ""
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs)
        steps = try c.decodeIfPresent(Int.self, forKey: .steps)
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? batchSize
        learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? learningRate
        optimizer = try c.decodeIfPresent(String.self, forKey: .optimizer) ?? optimizer
        schedule = try c.decodeIfPresent(String.self, forKey: .schedule) ?? schedule
        warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps) ?? warmupSteps
        clipNorm = try c.decodeIfPresent(Double.self, forKey: .clipNorm)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
        validateEvery = try c.decodeIfPresent(Int.self, forKey: .validateEvery)
        checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery)
        evalBatchSize = try c.decodeIfPresent(Int.self, forKey: .evalBatchSize) ?? evalBatchSize
        logEvery = try c.decodeIfPresent(Int.self, forKey: .logEvery) ?? logEvery
    }

    /// A model option value in JSON: string, number, boolean or array of integers.
    struct OptionValue: Decodable {
        let text: String
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { text = b ? "true" : "false" }
            else if let i = try? c.decode(Int.self) { text = String(i) }
            else if let d = try? c.decode(Double.self) { text = String(d) }
            else if let s = try? c.decode(String.self) { text = s }
            else if let a = try? c.decode([Int].self) { text = a.map(String.init).joined(separator: ",") }
            else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "a model option must be a string, number, boolean or array of integers")
            }
        }
    }

    /// Reads a JSON configuration file, rejecting unknown keys with the list of valid ones.
    public static func read(from url: URL) throws(TrainingError) -> TrainingConfiguration {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TrainingError("\(url.path): cannot read the configuration (\(error.localizedDescription))")
        }
        return try decode(data, file: url.path)
    }

    /// Decodes JSON configuration bytes; `file` names the source in messages.
    public static func decode(_ data: Data, file: String) throws(TrainingError) -> TrainingConfiguration {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TrainingError("\(file): not a JSON object")
        }
        let valid = CodingKeys.allCases.map(\.rawValue)
        for key in object.keys.sorted() where !valid.contains(key) {
            throw TrainingError("\(file): unknown key '\(key)'; valid keys: \(valid.sorted().joined(separator: ", "))")
        }
        do {
            return try JSONDecoder().decode(TrainingConfiguration.self, from: data)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw TrainingError("\(file): bad value for '\(key)': \(context.debugDescription)")
        } catch {
            throw TrainingError("\(file): \(error)")
        }
    }

    /// Pretty, key-sorted JSON.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try! encoder.encode(self)
    }

    /// Checks every value, naming the valid choices for bad ones (the model's own options
    /// are checked by ``ModelOptions``).
    public func validate() throws(TrainingError) {
        if modelName.isEmpty { throw TrainingError("no model given; valid models: \(ModelRegistry.all.map { $0.modelName }.sorted().joined(separator: ", "))") }
        if dataset.isEmpty { throw TrainingError("no dataset given (--dataset); valid datasets: \(DatasetCatalog.names.joined(separator: ", "))") }
        guard Self.optimizers.contains(optimizer) else {
            throw TrainingError("unknown optimizer '\(optimizer)'; valid optimizers: \(Self.optimizers.joined(separator: ", "))")
        }
        guard Self.schedules.contains(schedule) else {
            throw TrainingError("unknown schedule '\(schedule)'; valid schedules: \(Self.schedules.joined(separator: ", "))")
        }
        func positive(_ value: Int?, _ name: String) throws(TrainingError) {
            if let value, value <= 0 { throw TrainingError("--\(name) must be positive, got \(value)") }
        }
        try positive(epochs, "epochs")
        try positive(steps, "steps")
        try positive(batchSize, "batch-size")
        try positive(validateEvery, "validate-every")
        try positive(checkpointEvery, "checkpoint-every")
        try positive(evalBatchSize, "eval-batch-size")
        try positive(logEvery, "log-every")
        if warmupSteps < 0 { throw TrainingError("--warmup-steps must not be negative, got \(warmupSteps)") }
        guard learningRate > 0, learningRate.isFinite else { throw TrainingError("--learning-rate must be a positive number, got \(learningRate)") }
        if let clipNorm, !(clipNorm > 0 && clipNorm.isFinite) { throw TrainingError("--clip-norm must be a positive number, got \(clipNorm)") }
    }
}
