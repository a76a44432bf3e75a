import ArgumentParser
import Foundation
import Latent

/// `latent evaluate RUN`.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a trained run with the model's own metric (NLL in nats, bits/dim).",
        discussion: """
            Prints the model's metrics per example on a split and stores them in \
            RUN/evaluation.json (shown by `latent report`). bits-per-dim = nll / (D · ln 2); for \
            image data NLL is on the discrete pixel scale (see docs/CLI.md).
            """)

    @Argument(help: ArgumentHelp("The run folder.", valueName: "run"))
    var runFolder: String

    @Option(help: "Split: test, validation or train.")
    var split = "test"

    @Option(help: "Which checkpoint to load: best or latest.")
    var checkpoint = "best"

    @Flag(help: "Use the trained parameters rather than the run's parameter averages (runs trained with --average).")
    var trainedWeights = false

    @Option(parsing: .unconditional, help: "Batch size, 1 to 1000000 (default: the run's eval batch size).")
    var batchSize: Int?

    @Option(name: .customLong("option"), help: ArgumentHelp(
        "Override a model option of the run (repeatable), e.g. eval-samples=5000 for a run validated with fewer importance samples.",
        valueName: "key=value"))
    var modelOptions: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Also score this many samples in the feature space of the dataset's classifier (latent classifier train): FD, precision, recall, density, coverage, and class accuracy for class-conditional models. Image models; GANs report these already.",
        valueName: "count"))
    var sampleQuality: Int?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        guard let dataSplit = DataSplit(rawValue: split), dataSplit != .trainAndValidation else {
            throw ValidationError("unknown split '\(split)'; valid splits: test, validation, train")
        }
        if let batchSize { try Inputs.check(batchSize, in: 1...1_000_000, flag: "batch-size") }
        if let sampleQuality { try TrainedRun.checkSampleQualityCount(sampleQuality) }
        let overrides = try parseModelOptions(modelOptions)
        let trained = try TrainedRun(RunDirectory(URL(fileURLWithPath: runFolder)), checkpoint: checkpoint,
                                     optionOverrides: overrides, usesAverages: !trainedWeights)
        let started = Date()
        var metrics = try trained.evaluate(split: dataSplit, batchSize: batchSize)
        if let sampleQuality {
            metrics.merge(try trained.sampleQuality(count: sampleQuality, split: dataSplit)) { _, new in new }
        }
        let result = EvaluationResult(split: split, checkpoint: trained.checkpointName, step: trained.step, metrics: metrics,
                                      optionOverrides: overrides.isEmpty ? nil : overrides)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(result)
        try AtomicFile.write(data, to: trained.run.evaluation)
        if json {
            Console.line(String(decoding: data, as: UTF8.self))
        } else {
            let options = overrides.isEmpty ? "" : ", options " + overrides.keys.sorted().map { "\($0)=\(overrides[$0]!)" }.joined(separator: " ")
            Console.line("\(trained.configuration.modelName) on \(trained.configuration.dataset), \(split) split, \(trained.checkpointName) checkpoint (step \(trained.step)\(options)), \(Console.number(Date().timeIntervalSince(started))) s:")
            for key in metrics.keys.sorted() { Console.line("  \(key): \(Console.number(metrics[key]!))") }
        }
    }
}
