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
    /// The pictures saved at each validation (``GenerativeModel/progressFigure()``).
    public var progress: URL { url.appendingPathComponent("progress", isDirectory: true) }

    /// `progress/step-<step, 9 digits>.png`.
    public func progressImage(step: Int) -> URL {
        progress.appendingPathComponent("step-" + String(repeating: "0", count: max(0, 9 - String(step).count)) + String(step) + ".png")
    }

    /// The saved progress pictures by step, in step order.
    public func progressImages() -> [(step: Int, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: progress.path)) ?? []
        return names.compactMap { name -> (step: Int, url: URL)? in
            guard name.hasPrefix("step-"), name.hasSuffix(".png"), let step = Int(name.dropFirst(5).dropLast(4)), step >= 0 else { return nil }
            return (step, progress.appendingPathComponent(name))
        }.sorted { $0.step < $1.step }
    }

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
        let kept = try readMetricsStrictly().filter { $0.step <= step }
        try AtomicFile.write(Data(kept.map { $0.jsonLine() + "\n" }.joined().utf8), to: metrics)
    }

    /// Every line of `metrics.jsonl`; a line that does not parse is an error naming the file
    /// and the line (nothing is dropped silently), except an unterminated last line, which
    /// is what a process killed while appending leaves and is not part of the log.
    public func readMetricsStrictly() throws(TrainingError) -> [MetricsRecord] {
        guard FileManager.default.fileExists(atPath: metrics.path) else { return [] }
        guard let text = try? String(contentsOf: metrics, encoding: .utf8) else {
            throw TrainingError("\(metrics.path): cannot be read as UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let last = lines.last, !text.hasSuffix("\n") || last.isEmpty { lines.removeLast() }
        var records: [MetricsRecord] = []
        for (i, line) in lines.enumerated() {
            guard let record = try? MetricsRecord.parse(line) else {
                throw TrainingError("\(metrics.path): line \(i + 1) is not a metrics record; fix or remove it before resuming (nothing was changed)")
            }
            records.append(record)
        }
        return records
    }

    /// Removes temporary files that an interrupted atomic write left in the run folder and
    /// its checkpoints folder (`.NAME.tmp-PID-N`).
    public func removeStaleTemporaryFiles() {
        for folder in [url, checkpoints] {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for name in names where name.hasPrefix(".") && name.contains(".tmp-") {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        }
    }
}
