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

    @Option(help: "Number of samples shown.")
    var samples = 64

    @Option(help: "Seed of the samples.")
    var seed: UInt64 = 0

    @Option(help: "Which checkpoint to sample from: best or latest.")
    var checkpoint = "best"

    func run() throws {
        let trained = try TrainedRun(RunDirectory(URL(fileURLWithPath: runFolder)), checkpoint: checkpoint)
        let html = try TrainingReport.html(for: trained, sampleCount: samples, seed: seed)
        let url = output.map { URL(fileURLWithPath: $0) } ?? trained.run.report
        try AtomicFile.write(Data(html.utf8), to: url)
        Console.line("wrote \(url.path)")
    }
}
