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
    /// Per parameter group (see ``PerGroup``); a group without a value takes the family's
    /// default (``ParameterGroup/defaults``; 0.001 for single-loss families).
    public var learningRate: PerGroup<Double> = PerGroup()
    /// `adam`, `adamw`, `sgd` or `rmsprop`, per group (default: the family's, adam).
    public var optimizer: PerGroup<String> = PerGroup()
    /// β₁ and β₂ of Adam/AdamW, per group (default: the family's, 0.9 and 0.999).
    public var beta1: PerGroup<Double> = PerGroup()
    public var beta2: PerGroup<Double> = PerGroup()
    /// `constant`, `cosine` or `step` (×0.1 every third of the run), per group.
    public var schedule: PerGroup<String> = PerGroup()
    public var warmupSteps: PerGroup<Int> = PerGroup()
    /// Maximum global gradient norm per group; none given: no clipping.
    public var clipNorm: PerGroup<Double> = PerGroup()
    /// Decay of an exponential moving average of a group's parameters, used for
    /// validation, evaluation and sampling (e.g. `generator=0.999`); none given: no average.
    public var average: PerGroup<Double> = PerGroup()
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

    public static let optimizers = OptimizerSettings.Kind.allCases.map(\.rawValue)
    public static let schedules = OptimizerSettings.Schedule.allCases.map(\.rawValue)

    enum CodingKeys: String, CodingKey, CaseIterable {
        case modelName = "model-name", modelOptions = "model", dataset, epochs, steps
        case batchSize = "batch-size", learningRate = "learning-rate", optimizer, beta1, beta2, schedule
        case warmupSteps = "warmup-steps", clipNorm = "clip-norm", average, seed
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
        learningRate = try c.decodeIfPresent(PerGroup<Double>.self, forKey: .learningRate) ?? learningRate
        optimizer = try c.decodeIfPresent(PerGroup<String>.self, forKey: .optimizer) ?? optimizer
        beta1 = try c.decodeIfPresent(PerGroup<Double>.self, forKey: .beta1) ?? beta1
        beta2 = try c.decodeIfPresent(PerGroup<Double>.self, forKey: .beta2) ?? beta2
        schedule = try c.decodeIfPresent(PerGroup<String>.self, forKey: .schedule) ?? schedule
        warmupSteps = try c.decodeIfPresent(PerGroup<Int>.self, forKey: .warmupSteps) ?? warmupSteps
        clipNorm = try c.decodeIfPresent(PerGroup<Double>.self, forKey: .clipNorm) ?? clipNorm
        average = try c.decodeIfPresent(PerGroup<Double>.self, forKey: .average) ?? average
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
        validateEvery = try c.decodeIfPresent(Int.self, forKey: .validateEvery)
        checkpointEvery = try c.decodeIfPresent(Int.self, forKey: .checkpointEvery)
        evalBatchSize = try c.decodeIfPresent(Int.self, forKey: .evalBatchSize) ?? evalBatchSize
        logEvery = try c.decodeIfPresent(Int.self, forKey: .logEvery) ?? logEvery
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(modelName, forKey: .modelName)
        try c.encode(modelOptions, forKey: .modelOptions)
        try c.encode(dataset, forKey: .dataset)
        try c.encodeIfPresent(epochs, forKey: .epochs)
        try c.encodeIfPresent(steps, forKey: .steps)
        try c.encode(batchSize, forKey: .batchSize)
        func encode<V>(_ value: PerGroup<V>, _ key: CodingKeys) throws {
            if !value.isEmpty { try c.encode(value, forKey: key) }
        }
        try encode(learningRate, .learningRate)
        try encode(optimizer, .optimizer)
        try encode(beta1, .beta1)
        try encode(beta2, .beta2)
        try encode(schedule, .schedule)
        try encode(warmupSteps, .warmupSteps)
        try encode(clipNorm, .clipNorm)
        try encode(average, .average)
        try c.encode(seed, forKey: .seed)
        try c.encodeIfPresent(validateEvery, forKey: .validateEvery)
        try c.encodeIfPresent(checkpointEvery, forKey: .checkpointEvery)
        try c.encode(evalBatchSize, forKey: .evalBatchSize)
        try c.encode(logEvery, forKey: .logEvery)
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
        } catch {
            // Name the key: decode the keys one at a time and report the first that fails.
            for key in object.keys.sorted() {
                guard let single = try? JSONSerialization.data(withJSONObject: [key: object[key]!], options: [.fragmentsAllowed]),
                      (try? JSONDecoder().decode(TrainingConfiguration.self, from: single)) == nil else { continue }
                let text = (try? JSONSerialization.data(withJSONObject: object[key]!, options: [.fragmentsAllowed, .sortedKeys]))
                    .map { String(decoding: $0, as: UTF8.self) } ?? "\(object[key]!)"
                throw TrainingError("\(file): bad value for '\(key)': \(text.count > 80 ? String(text.prefix(80)) + "…" : text) (\(expectedValue(key)))")
            }
            throw TrainingError("\(file): \(error)")
        }
    }

    /// What a configuration key takes, for messages.
    static func expectedValue(_ key: String) -> String {
        switch key {
        case "model-name", "dataset": return "a string"
        case "model": return "an object of model options: strings, numbers, booleans or arrays of integers"
        case "optimizer", "schedule": return "a name, or an object of names by parameter group"
        case "learning-rate", "beta1", "beta2", "clip-norm", "average": return "a number, or an object of numbers by parameter group"
        case "warmup-steps": return "an integer, or an object of integers by parameter group"
        case "seed": return "an integer in [0, 2⁶⁴)"
        default: return "an integer"
        }
    }

    /// Pretty, key-sorted JSON.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try! encoder.encode(self)
    }

    /// Checks every value, naming the valid choices for bad ones (the model's own options
    /// are checked by ``ModelOptions``; per-group settings by ``optimizerSettings(for:)``).
    public func validate() throws(TrainingError) {
        if modelName.isEmpty { throw TrainingError("no model given; valid models: \(ModelRegistry.all.map { $0.modelName }.sorted().joined(separator: ", "))") }
        if dataset.isEmpty { throw TrainingError("no dataset given (--dataset); valid datasets: \(DatasetCatalog.names.joined(separator: ", "))") }
        func positive(_ value: Int?, _ name: String, atMost limit: Int) throws(TrainingError) {
            if let value, value <= 0 || value > limit { throw TrainingError("--\(name) must be in [1, \(limit)], got \(value)") }
        }
        try positive(epochs, "epochs", atMost: 1_000_000)
        try positive(steps, "steps", atMost: 1_000_000_000_000)
        try positive(batchSize, "batch-size", atMost: 1_000_000)
        try positive(validateEvery, "validate-every", atMost: 1_000_000_000_000)
        try positive(checkpointEvery, "checkpoint-every", atMost: 1_000_000_000_000)
        try positive(evalBatchSize, "eval-batch-size", atMost: 1_000_000)
        try positive(logEvery, "log-every", atMost: 1_000_000_000_000)
        // Per-group values without their groups: the family's defaults complete them.
        _ = try optimizerSettings(for: [ParameterGroup(ParameterGroup.defaultName)], checkGroupNames: false)
    }

    /// The settings of each group: the configuration's value for the group, else its value
    /// for every group, else the family's default. Unknown group names, optimisers and
    /// schedules, and values out of range, are errors naming the flag and the valid values.
    public func optimizerSettings(for groups: [ParameterGroup], checkGroupNames: Bool = true) throws(TrainingError) -> [String: OptimizerSettings] {
        if checkGroupNames {
            let names = groups.map(\.name)
            try learningRate.checkGroups(names, key: "learning-rate")
            try optimizer.checkGroups(names, key: "optimizer")
            try beta1.checkGroups(names, key: "beta1")
            try beta2.checkGroups(names, key: "beta2")
            try schedule.checkGroups(names, key: "schedule")
            try warmupSteps.checkGroups(names, key: "warmup-steps")
            try clipNorm.checkGroups(names, key: "clip-norm")
            try average.checkGroups(names, key: "average")
        }
        var result: [String: OptimizerSettings] = [:]
        for group in groups {
            let name = groups.count > 1 ? group.name : nil
            var s = group.defaults
            if let text = optimizer[group: group.name] {
                guard let kind = OptimizerSettings.Kind(rawValue: text) else {
                    throw TrainingError("unknown optimizer '\(text)'; valid optimizers: \(Self.optimizers.joined(separator: ", "))")
                }
                s.optimizer = kind
            }
            if let text = schedule[group: group.name] {
                guard let kind = OptimizerSettings.Schedule(rawValue: text) else {
                    throw TrainingError("unknown schedule '\(text)'; valid schedules: \(Self.schedules.joined(separator: ", "))")
                }
                s.schedule = kind
            }
            if let v = learningRate[group: group.name] { s.learningRate = v }
            if let v = beta1[group: group.name] { s.beta1 = v }
            if let v = beta2[group: group.name] { s.beta2 = v }
            if let v = warmupSteps[group: group.name] { s.warmupSteps = v }
            if let v = clipNorm[group: group.name] { s.clipNorm = v }
            if let v = average[group: group.name] { s.averageDecay = v }
            try s.validate(group: name)
            result[group.name] = s
        }
        return result
    }

    /// This configuration with every per-group setting written out as resolved (one value
    /// when all groups share it), as `config.json` records it.
    func resolved(_ settings: [String: OptimizerSettings]) -> TrainingConfiguration {
        func collect<V>(_ value: (OptimizerSettings) -> V?) -> PerGroup<V> {
            var groups: [String: V] = [:]
            for (name, s) in settings { if let v = value(s) { groups[name] = v } }
            if groups.count == settings.count, let first = groups.values.first, groups.values.allSatisfy({ $0 == first }) {
                return PerGroup(first)
            }
            return PerGroup(groups: groups)
        }
        var c = self
        c.optimizer = collect { $0.optimizer.rawValue }
        c.learningRate = collect { $0.learningRate }
        c.beta1 = collect { $0.beta1 }
        c.beta2 = collect { $0.beta2 }
        c.schedule = collect { $0.schedule.rawValue }
        c.warmupSteps = collect { $0.warmupSteps }
        c.clipNorm = collect { $0.clipNorm }
        c.average = collect { $0.averageDecay }
        return c
    }
}
