import ArgumentParser
import Foundation
import Latent

/// `latent sample RUN --count N --output samples.png`.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw samples from a trained run and save them as a PNG.",
        discussion: "Images are tiled into a grid; 2-D data is drawn as a 256×256 histogram over [-4.5, 4.5]².")

    @Argument(help: ArgumentHelp("The run folder.", valueName: "run"))
    var runFolder: String

    @Option(help: "Number of samples.")
    var count = 64

    @Option(help: "The PNG file to write (default RUN/samples.png).")
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
        let picture = try trained.samplePicture(count: count, seed: seed)
        let url = output.map { URL(fileURLWithPath: $0) } ?? trained.run.samples
        try PNG.write(picture, to: url)
        Console.line("wrote \(count) samples (\(trained.configuration.modelName), \(trained.checkpointName) checkpoint, step \(trained.step)) to \(url.path)")
    }
}
