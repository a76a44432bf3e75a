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
            [count, D]. An --output ending in .npy writes the raw samples for any data.
            """)

    @Argument(help: ArgumentHelp("The run folder.", valueName: "run"))
    var runFolder: String

    @Option(help: "Number of samples.")
    var count = 64

    @Option(help: "The file to write (default RUN/samples.png, or RUN/samples.npy for vectors that are not 2-D).")
    var output: String?

    @Option(help: "Seed of the samples.")
    var seed: UInt64 = 0

    @Option(help: "Which checkpoint to load: best or latest.")
    var checkpoint = "best"

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive, got \(count)") }
    }

    func run() throws {
        let trained = try TrainedRun(RunDirectory(URL(fileURLWithPath: runFolder)), checkpoint: checkpoint)
        let samples = trained.sample(count: count, seed: seed)
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
