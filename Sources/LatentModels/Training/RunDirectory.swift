import Foundation
import LatentNN

/// The folder of one training run:
///
/// | file | contents |
/// |---|---|
/// | `config.json` | the ``TrainingConfiguration`` (written atomically) |
/// | `metrics.jsonl` | one ``MetricsRecord`` per line |
/// | `checkpoints/latest.safetensors` | model, optimiser and progress after the last save |
/// | `checkpoints/best.safetensors` | the same, at the best validation metric so far |
/// | `evaluation.json` | the last `latent evaluate` result |
/// | `samples.png` | the last `latent sample` output (default name) |
/// | `report.html` | `latent report` |
public struct RunDirectory: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    public var configuration: URL { url.appendingPathComponent("config.json") }
    public var metrics: URL { url.appendingPathComponent("metrics.jsonl") }
    public var checkpoints: URL { url.appendingPathComponent("checkpoints", isDirectory: true) }
    public var latestCheckpoint: URL { checkpoints.appendingPathComponent("latest.safetensors") }
    public var bestCheckpoint: URL { checkpoints.appendingPathComponent("best.safetensors") }
    public var evaluation: URL { url.appendingPathComponent("evaluation.json") }
    public var report: URL { url.appendingPathComponent("report.html") }
    public var samples: URL { url.appendingPathComponent("samples.png") }

    /// The checkpoint named `latest` or `best`.
    public func checkpoint(_ name: String) throws(TrainingError) -> URL {
        switch name {
        case "latest": return latestCheckpoint
        case "best": return bestCheckpoint
        default: throw TrainingError("unknown checkpoint '\(name)'; valid checkpoints: best, latest")
        }
    }

    /// Reads `config.json`, saying clearly when the folder is not a run.
    public func readConfiguration() throws(TrainingError) -> TrainingConfiguration {
        guard FileManager.default.fileExists(atPath: configuration.path) else {
            throw TrainingError("\(url.path) is not a training run (no config.json); train one with `latent train MODEL --dataset NAME --output \(url.path)`")
        }
        return try TrainingConfiguration.read(from: configuration)
    }

    /// Writes `config.json` atomically.
    public func write(_ configuration: TrainingConfiguration) throws {
        try AtomicFile.write(configuration.encoded(), to: self.configuration)
    }

    /// Every record of `metrics.jsonl` (empty when it does not exist); unparsable lines
    /// (e.g. a line cut short by a crash) are skipped.
    public func readMetrics() -> [MetricsRecord] {
        guard let text = try? String(contentsOf: metrics, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? MetricsRecord.parse($0) }
    }

    /// Appends records to `metrics.jsonl` (one line each, flushed).
    public func append(_ records: [MetricsRecord]) throws {
        guard !records.isEmpty else { return }
        let text = records.map { $0.jsonLine() + "\n" }.joined()
        if !FileManager.default.fileExists(atPath: metrics.path) {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: metrics.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: metrics)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// Keeps only the records with `step <= step` (atomically), so that a resumed run
    /// continues a log identical to an uninterrupted one.
    public func truncateMetrics(after step: Int) throws {
        let kept = readMetrics().filter { $0.step <= step }
        try AtomicFile.write(Data(kept.map { $0.jsonLine() + "\n" }.joined().utf8), to: metrics)
    }
}
