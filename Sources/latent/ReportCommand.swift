import ArgumentParser
import Foundation
import Latent

/// `latent report RUN`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of a run (loss curves, samples, config, metrics).")

    @Argument(help: ArgumentHelp("The run folder.", valueName: "run"))
    var runFolder: String

    @Option(help: "The HTML file to write (default RUN/report.html).")
    var output: String?

    @Option(parsing: .unconditional, help: "Number of samples shown, 1 to 4096.")
    var samples = 64

    @Flag(help: "Replace --output even when it is not a regular file.")
    var force = false

    @Option(help: "Seed of the samples.")
    var seed: UInt64 = 0

    @Option(help: "Which checkpoint to sample from: best or latest.")
    var checkpoint = "best"

    func run() throws {
        try Inputs.check(samples, in: 1...4096, flag: "samples")
        let chosen = try output.map { try Inputs.outputFile($0, force: force) }
        let trained = try TrainedRun(RunDirectory(URL(fileURLWithPath: runFolder)), checkpoint: checkpoint)
        let html = try TrainingReport.html(for: trained, sampleCount: samples, seed: seed)
        let url = chosen ?? trained.run.report
        try AtomicFile.write(Data(html.utf8), to: url)
        Console.line("wrote \(url.path)")
    }
}
