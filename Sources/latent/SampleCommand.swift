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

    @Option(help: "Number of samples (default 64; 1 for text models).")
    var count: Int?

    @Option(help: "The file to write (default RUN/samples.png, or RUN/samples.npy for vectors that are not 2-D; text goes to standard output).")
    var output: String?

    @Option(help: "Seed of the samples.")
    var seed: UInt64 = 0

    @Option(name: .customLong("class"), help: "Class-conditional models: draw every sample from this class (0-based).")
    var classLabel: Int?

    @Option(help: "Which checkpoint to load: best or latest.")
    var checkpoint = "best"

    @Option(help: "Text models: the text to continue (every character must be in the model's vocabulary).")
    var prompt: String?

    @Option(help: "Text models: tokens to generate per sample (default 500).")
    var length = 500

    @Option(help: "Text models: softmax temperature, > 0 (default 1).")
    var temperature: Float = 1

    @Option(help: "Text models: sample from the k most probable tokens only.")
    var topK: Int?

    @Option(help: "Text models: sample from the smallest set of tokens with probability ≥ p, in (0, 1].")
    var topP: Float?

    func validate() throws {
        if let count, count <= 0 { throw ValidationError("--count must be positive, got \(count)") }
        if let count, count > 1_000_000 { throw ValidationError("--count must be at most 1000000, got \(count)") }
        guard length >= 1 && length <= 10_000_000 else { throw ValidationError("--length must be in [1, 10000000], got \(length)") }
    }

    func run() throws {
        let trained = try TrainedRun(RunDirectory(URL(fileURLWithPath: runFolder)), checkpoint: checkpoint)
        if trained.generatesText {
            if classLabel != nil { throw ValidationError("--class is for class-conditional models, not text models") }
            let texts = try trained.text(prompt: prompt ?? "", count: count ?? 1, length: length,
                                         sampling: TextSampling(temperature: temperature, topK: topK, topP: topP), seed: seed)
            let joined = texts.joined(separator: "\n\n-----\n\n")
            if let output {
                try Data((joined + "\n").utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
                Console.line("wrote \(texts.count) text sample\(texts.count == 1 ? "" : "s") to \(output)")
            } else {
                Console.line(joined)
            }
            return
        }
        if prompt != nil || topK != nil || topP != nil || temperature != 1 {
            throw ValidationError("\(trained.configuration.modelName) does not generate text; --prompt, --temperature, --top-k and --top-p are for text models")
        }
        let count = self.count ?? 64
        let samples = try classLabel.map { try trained.sample(count: count, seed: seed, class: $0) } ?? trained.sample(count: count, seed: seed)
        let asArray = output.map { $0.hasSuffix(".npy") } ?? !TrainedRun.canPicture(trained.description)
        let url = output.map { URL(fileURLWithPath: $0) }
            ?? (asArray ? trained.run.url.appendingPathComponent("samples.npy") : trained.run.samples)
        if asArray {
            try NPY.write(samples, to: url)
        } else {
            try PNG.write(try TrainedRun.picture(of: samples, description: trained.description), to: url)
        }
        Console.line("wrote \(count) samples (\(trained.configuration.modelName), \(trained.checkpointName) checkpoint, step \(trained.step)) to \(url.path)")
    }
}
