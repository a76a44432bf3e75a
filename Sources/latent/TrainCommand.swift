import ArgumentParser
import Foundation
import Latent

/// `latent train MODEL --dataset NAME [options]`.
struct TrainCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "train",
            abstract: "Train a model on a dataset, writing a run folder.",
            discussion: """
                Options come from flags and from a JSON file given with --config (same keys as the \
                flags, model options in a "model" object); flags override the file. The run folder \
                gets config.json, metrics.jsonl and checkpoints/{latest,best}.safetensors. Ctrl-C \
                saves `latest` and exits with status 130; --resume continues exactly where it \
                stopped (the same losses as an uninterrupted run).

                Models: \(ModelRegistry.all.map { $0.modelName }.sorted().joined(separator: ", ")) (`latent models` lists their options).
                Datasets: \(DatasetCatalog.names.joined(separator: ", ")).
                """)
    }

    @Argument(help: "The model to train (see `latent models`); may come from --config.")
    var model: String?

    @Option(help: "Dataset name (see `latent datasets list`).")
    var dataset: String?

    @Option(help: "A JSON configuration file with the same keys as these flags (flags override it).")
    var config: String?

    @Option(parsing: .unconditional, help: "Passes over the training set (default 10; ignored when --steps is given).")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Total optimisation steps.")
    var steps: Int?

    @Option(parsing: .unconditional, help: "Examples per training batch (default 64).")
    var batchSize: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Peak learning rate (default: the model's, 0.001 for single-loss models). Per parameter group: generator=2e-4,discriminator=1e-4 (a bare value applies to the groups not named); the same syntax works for every optimiser flag below.", valueName: "rate"))
    var learningRate: String?

    @Option(help: "Optimiser: adam, adamw, sgd (momentum 0.9) or rmsprop (default adam).")
    var optimizer: String?

    @Option(parsing: .unconditional, help: "β₁ of Adam/AdamW, in [0, 1) (default 0.9 or the model's).")
    var beta1: String?

    @Option(parsing: .unconditional, help: "β₂ of Adam/AdamW, in [0, 1) (default 0.999 or the model's).")
    var beta2: String?

    @Option(help: "Learning-rate schedule: constant, cosine (to 0 at the end) or step (×0.1 every third of the run) (default constant).")
    var schedule: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Steps of linear learning-rate warm-up (default 0).", valueName: "steps"))
    var warmupSteps: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Clip gradients to this global L2 norm (default: no clipping).", valueName: "norm"))
    var clipNorm: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Keep an exponential moving average of the parameters with this decay in (0, 1), used for validation, evaluation and sampling (e.g. generator=0.999; default: none).", valueName: "decay"))
    var average: String?

    @Option(help: "Seed of initialisation, data order and training randomness (default 0).")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: "Validate every this many steps (default: once per epoch, and at the end).")
    var validateEvery: Int?

    @Option(parsing: .unconditional, help: "Save the `latest` checkpoint every this many steps (default: at each validation).")
    var checkpointEvery: Int?

    @Option(parsing: .unconditional, help: "Batch size for validation (default 256).")
    var evalBatchSize: Int?

    @Option(parsing: .unconditional, help: "Log the mean training loss every this many steps (default 10).")
    var logEvery: Int?

    @Option(name: .customLong("option"), help: ArgumentHelp("A model option as key=value (repeatable); `latent models MODEL` lists them.", valueName: "key=value"))
    var modelOptions: [String] = []

    @Option(help: "The run folder (default runs/MODEL-DATASET).")
    var output: String?

    @Flag(help: "Continue the run in --output from checkpoints/latest.safetensors (--steps or --epochs may extend it).")
    var resume = false

    func run() throws {
        var configuration: TrainingConfiguration
        let runURL: URL
        if resume {
            guard let output, !output.isEmpty else { throw ValidationError("--resume needs --output, the run folder to continue") }
            runURL = URL(fileURLWithPath: output)
            configuration = try RunDirectory(runURL).readConfiguration()
            if let model, model != configuration.modelName {
                throw ValidationError("the run in \(output) trains '\(configuration.modelName)', not '\(model)'")
            }
            let ignored = [("dataset", dataset != nil), ("config", config != nil), ("batch-size", batchSize != nil),
                           ("learning-rate", learningRate != nil), ("optimizer", optimizer != nil), ("beta1", beta1 != nil),
                           ("beta2", beta2 != nil), ("schedule", schedule != nil), ("warmup-steps", warmupSteps != nil),
                           ("clip-norm", clipNorm != nil), ("average", average != nil), ("seed", seed != nil),
                           ("validate-every", validateEvery != nil), ("checkpoint-every", checkpointEvery != nil),
                           ("eval-batch-size", evalBatchSize != nil), ("log-every", logEvery != nil), ("option", !modelOptions.isEmpty)]
                .filter(\.1).map { "--" + $0.0 }
            guard ignored.isEmpty else {
                throw ValidationError("--resume continues a run with its saved configuration; only --steps or --epochs may change; remove \(ignored.joined(separator: ", ")) (or start a new run in another --output)")
            }
            if let steps { configuration.steps = steps }
            if let epochs { configuration.epochs = epochs; if steps == nil { configuration.steps = nil } }
            try configuration.validate()
        } else {
            configuration = try config.map { try TrainingConfiguration.read(from: URL(fileURLWithPath: $0)) } ?? TrainingConfiguration()
            try apply(to: &configuration)
            if configuration.modelName.isEmpty {
                throw ValidationError("give a model to train; valid models: \(ModelRegistry.all.map { $0.modelName }.sorted().joined(separator: ", "))")
            }
            // Check the model, its options and the dataset before touching the disk.
            let type = try ModelRegistry.model(named: configuration.modelName)
            let options = try ModelOptions(configuration.modelOptions, declared: type.options, model: type.modelName)
            try configuration.validate()
            _ = try configuration.optimizerSettings(for: type.parameterGroups(options: options))
            configuration.dataset = DatasetCatalog.absolutePaths(configuration.dataset)
            try DatasetCatalog.check(type, canTrainOn: try DatasetCatalog.description(of: configuration.dataset))
            let folderName = configuration.dataset.contains(":")
                ? URL(fileURLWithPath: String(configuration.dataset.split(separator: ":", maxSplits: 1)[1])).deletingPathExtension().lastPathComponent
                : configuration.dataset
            if let output, output.isEmpty { throw ValidationError("--output must name a folder, got an empty path") }
            runURL = URL(fileURLWithPath: output ?? "runs/\(configuration.modelName)-\(folderName)")
        }

        let trainer = Trainer(configuration: configuration, run: RunDirectory(runURL))
        let interrupt = InterruptFlag()
        interrupt.install()
        trainer.shouldStop = { interrupt.isRaised }
        let display = ProgressDisplay()
        trainer.onEvent = display.handle
        let outcome = try trainer.train(resume: resume)
        display.finish()
        switch outcome {
        case .completed(let step):
            Console.line("finished at step \(step); run folder \(runURL.path)")
        case .interrupted(let step):
            Console.line("interrupted at step \(step); saved \(RunDirectory(runURL).latestCheckpoint.path)")
            Console.line("continue with: latent train --resume --output \(runURL.path)")
            throw ExitCode(interrupt.exitStatus)
        }
    }

    /// Flags override the configuration file.
    func apply(to c: inout TrainingConfiguration) throws {
        if let model { c.modelName = model }
        if let dataset { c.dataset = dataset }
        if let epochs { c.epochs = epochs }
        if let steps { c.steps = steps }
        if let batchSize { c.batchSize = batchSize }
        func number(_ text: String) -> Double? { Double(text).flatMap { $0.isFinite ? $0 : nil } }
        func name(_ text: String) -> String? { text.isEmpty ? nil : text }
        if let learningRate { c.learningRate.merge(try PerGroup.parse(learningRate, flag: "learning-rate", value: number)) }
        if let optimizer { c.optimizer.merge(try PerGroup.parse(optimizer, flag: "optimizer", value: name)) }
        if let beta1 { c.beta1.merge(try PerGroup.parse(beta1, flag: "beta1", value: number)) }
        if let beta2 { c.beta2.merge(try PerGroup.parse(beta2, flag: "beta2", value: number)) }
        if let schedule { c.schedule.merge(try PerGroup.parse(schedule, flag: "schedule", value: name)) }
        if let warmupSteps { c.warmupSteps.merge(try PerGroup.parse(warmupSteps, flag: "warmup-steps") { Int($0) }) }
        if let clipNorm { c.clipNorm.merge(try PerGroup.parse(clipNorm, flag: "clip-norm", value: number)) }
        if let average { c.average.merge(try PerGroup.parse(average, flag: "average", value: number)) }
        if let seed { c.seed = seed }
        if let validateEvery { c.validateEvery = validateEvery }
        if let checkpointEvery { c.checkpointEvery = checkpointEvery }
        if let evalBatchSize { c.evalBatchSize = evalBatchSize }
        if let logEvery { c.logEvery = logEvery }
        c.modelOptions.merge(try parseModelOptions(modelOptions)) { _, new in new }
    }
}

/// `--option key=value` pairs as a dictionary (later pairs win).
func parseModelOptions(_ pairs: [String]) throws -> [String: String] {
    var options: [String: String] = [:]
    for pair in pairs {
        guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
            throw ValidationError("--option needs key=value, got '\(pair)'")
        }
        options[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
    }
    return options
}
