import ArgumentParser
import Foundation
import Latent

/// `latent sample RUN --count N --output samples.png`.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw samples from a trained run and save them.",
        discussion: """
            The output follows the data: images are tiled into a PNG grid; 2-D points are drawn as a \
            256×256 PNG scatter histogram over [-4.5, 4.5]²; other vectors are written as a .npy array \
            [count, D]. An --output ending in .npy writes the raw samples for any data. Text models \
            print --count continuations of --prompt (default 1) of --length tokens, or write them to \
            --output as text.
            """)

    @Argument(help: ArgumentHelp("The run folder.", valueName: "run"))
    var runFolder: String

    @Option(parsing: .unconditional, help: "Number of samples, 1 to 1000000 (default 64; 1 for text models).")
    var count: Int?

    @Option(help: "The file to write (default RUN/samples.png, or RUN/samples.npy for vectors that are not 2-D; text goes to standard output).")
    var output: String?

    @Option(help: "Seed of the samples.")
    var seed: UInt64 = 0

    @Option(name: .customLong("class"), help: "Class-conditional models: draw every sample from this class (0-based).")
    var classLabel: Int?

    @Option(help: "Which checkpoint to load: best or latest.")
    var checkpoint = "best"

    @Flag(help: "Use the trained parameters rather than the run's parameter averages (runs trained with --average).")
    var trainedWeights = false

    @Option(help: "Text models: the text to continue (every character must be in the model's vocabulary).")
    var prompt: String?

    @Option(parsing: .unconditional, help: "Text models: tokens to generate per sample, 1 to 10000000 (default 500).")
    var length = 500

    @Option(parsing: .unconditional, help: "Text models: softmax temperature, > 0 (default 1).")
    var temperature: Float = 1

    @Option(parsing: .unconditional, help: "Text models: sample from the k most probable tokens only.")
    var topK: Int?

    @Option(parsing: .unconditional, help: "Text models: sample from the smallest set of tokens with probability ≥ p, in (0, 1].")
    var topP: Float?

    @Flag(help: "Replace --output even when it is not a regular file.")
    var force = false

    func run() throws {
        if let count { try Inputs.check(count, in: 1...1_000_000, flag: "count") }
        try Inputs.check(length, in: 1...10_000_000, flag: "length")
        let chosen = try output.map { try Inputs.outputFile($0, force: force) }
        let trained = try TrainedRun(RunDirectory(URL(fileURLWithPath: runFolder)), checkpoint: checkpoint, usesAverages: !trainedWeights)
        if trained.generatesText {
            if classLabel != nil { throw ValidationError("--class is for class-conditional models, not text models") }
            let texts = try trained.text(prompt: prompt ?? "", count: count ?? 1, length: length,
                                         sampling: TextSampling(temperature: temperature, topK: topK, topP: topP), seed: seed)
            let joined = texts.joined(separator: "\n\n-----\n\n")
            if let chosen, let output {
                try AtomicFile.write(Data((joined + "\n").utf8), to: chosen)
                Console.line("wrote \(texts.count) text sample\(texts.count == 1 ? "" : "s") to \(output)")
            } else {
                Console.line(joined)
            }
            return
        }
        if prompt != nil || topK != nil || topP != nil || temperature != 1 {
            throw ValidationError(trained.notTextError.message)
        }
        let count = self.count ?? 64
        let samples = try classLabel.map { try trained.sample(count: count, seed: seed, class: $0) } ?? trained.sample(count: count, seed: seed)
        let asArray = output.map { $0.hasSuffix(".npy") } ?? !TrainedRun.canPicture(trained.description)
        guard samples.scalars.allSatisfy({ $0.isFinite }) else {
            throw TrainingError("the model's samples are not finite (NaN or infinite values): the checkpoint \(trained.checkpointName) of \(runFolder) is unusable")
        }
        let url = chosen
            ?? (asArray ? trained.run.url.appendingPathComponent("samples.npy") : trained.run.samples)
        if asArray {
            try NPY.write(samples, to: url)
        } else {
            try PNG.write(try TrainedRun.picture(of: samples, description: trained.description), to: url)
        }
        Console.line("wrote \(count) samples (\(trained.configuration.modelName), \(trained.checkpointName) checkpoint, step \(trained.step)) to \(url.path)")
    }
}
