import Foundation
import LatentData
import LatentModels
import LatentNN
import Testing

/// Bad input from the command line and from files: every case exits with a one-line
/// message naming the problem (status 1 for bad values, 64 for malformed command lines),
/// never a trap (132/133/134), a hang, or a changed file outside the run folder.
@Suite(.serialized, .enabled(if: latentExecutable != nil, "the `latent` executable is not built; run `swift build` first"))
struct BadInputTests {
    let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("latent-bad-\(UUID().uuidString)", isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Runs `latent` and expects status `status` and a message containing `message`.
    func expectRefused(_ arguments: [String], status: Int32 = 1, _ message: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try latent(arguments, in: folder)
        #expect(r.status == status, "\(arguments): status \(r.status), \(r.error)", sourceLocation: sourceLocation)
        #expect(r.error.contains(message), "\(arguments): \(r.error)", sourceLocation: sourceLocation)
        #expect(!r.error.contains("Fatal error"), sourceLocation: sourceLocation)
    }

    /// A finished two-moons run to poke at.
    func makeRun(_ name: String = "runs/a") throws {
        let r = try latent(["train", "gaussian", "--dataset", "two-moons", "--steps", "4", "--validate-every", "2", "--output", name], in: folder)
        #expect(r.status == 0, "\(r.error)")
    }

    @Test func numbersOutOfRangeNameTheFlag() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try expectRefused(["train", "vae", "--dataset", "digits", "--epochs", "-1"], "--epochs must be in [1, 1000000], got -1")
        try expectRefused(["train", "vae", "--dataset", "digits", "--epochs", "9223372036854775807"], "--epochs must be in [1, 1000000]")
        try expectRefused(["train", "vae", "--dataset", "digits", "--steps", "0"], "--steps must be in [1, 1000000000000], got 0")
        try expectRefused(["train", "vae", "--dataset", "digits", "--batch-size", "-5"], "--batch-size must be in [1, 1000000], got -5")
        try expectRefused(["train", "vae", "--dataset", "digits", "--learning-rate", "-1"], "--learning-rate must be a positive number, got -1.0")
        try expectRefused(["train", "vae", "--dataset", "digits", "--learning-rate", "nan"], "--learning-rate: bad value 'nan'")
        try expectRefused(["train", "vae", "--dataset", "digits", "--beta1", "1"], "--beta1 must be in [0, 1), got 1.0")
        try expectRefused(["train", "vae", "--dataset", "digits", "--average", "model=2"], "--average must be in (0, 1), got 2.0")
        try expectRefused(["train", "vae", "--dataset", "digits", "--output", ""], "--output must name a folder")
        try expectRefused(["train", "vae", "--dataset", "digits", "--option", "samples=0"], "vae: option 'samples' must be at least 1, got '0'")
        try expectRefused(["train", "vae", "--dataset", "digits", "--option", "beta=-1"], "vae: option 'beta' must be at least 0, got '-1'")
        try expectRefused(["train", "gan", "--dataset", "gaussian-1d", "--option", "n-critic=0"], "gan: option 'n-critic' must be in [1, 100], got '0'")
        try expectRefused(["train", "gan", "--dataset", "gaussian-1d", "--option", "loss=fancy"], "gan: option 'loss' needs one of")
        try expectRefused(["train", "vae", "--dataset", "digits", "--nonsense"], status: 64, "Unknown option '--nonsense'")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("runs").path), "nothing was written")
    }

    @Test func configurationFilesNameTheKey() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        for (json, message) in [
            (#"{"dataset": "digits", "epochs": 1e30}"#, "c.json: bad value for 'epochs': 1e+30 (an integer)"),
            (#"{"dataset": "digits", "learning-rate": "fast"}"#, "c.json: bad value for 'learning-rate': \"fast\""),
            (#"{"dataset": "digits", "epochs": 0}"#, "--epochs must be in [1, 1000000], got 0"),
            (#"{"dataset": "digits", "model": {"samples": -3}}"#, "vae: option 'samples' must be at least 1, got '-3'"),
            (#"[1, 2]"#, "c.json: not a JSON object"),
        ] {
            try Data(json.utf8).write(to: folder.appendingPathComponent("c.json"))
            try expectRefused(["train", "vae", "--config", "c.json"], message)
        }
    }

    @Test func samplingAndReportingBounds() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeRun()
        try expectRefused(["sample", "runs/a", "--count", "9223372036854775807"], "--count must be in [1, 1000000]")
        try expectRefused(["sample", "runs/a", "--count", "-3"], "--count must be in [1, 1000000], got -3")
        try expectRefused(["sample", "runs/a", "--output", ""], "--output must name a file")
        try expectRefused(["sample", "runs/a", "--output", "missing/x.png"], "the folder")
        try expectRefused(["sample", "runs/a", "--prompt", "hi"], "does not generate text")
        try expectRefused(["report", "runs/a", "--samples", "0"], "--samples must be in [1, 4096], got 0")
        try expectRefused(["evaluate", "runs/a", "--batch-size", "0"], "--batch-size must be in [1, 1000000], got 0")
        try expectRefused(["evaluate", "runs/a", "--split", "everything"], "unknown split 'everything'")
        try expectRefused(["evaluate", "nowhere"], "is not a training run")
    }

    /// Outputs never replace anything but a regular file.
    @Test func outputsDoNotReplaceLinksOrFIFOs() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeRun()
        let target = folder.appendingPathComponent("precious.txt")
        try Data("keep me".utf8).write(to: target)
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("link.png"), withDestinationURL: target)
        try expectRefused(["sample", "runs/a", "--output", "link.png"], "is not a regular file")
        try expectRefused(["report", "runs/a", "--output", "link.png"], "is not a regular file")
        #expect(mkfifo(folder.appendingPathComponent("pipe.png").path, 0o644) == 0)
        try expectRefused(["sample", "runs/a", "--output", "pipe.png"], "is not a regular file")
        #expect(try String(contentsOf: target, encoding: .utf8) == "keep me")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder.appendingPathComponent("link.png").path) == target.path)
        try expectRefused(["sample", "runs/a", "--output", "runs"], "is a folder")
    }

    /// Resume never loses the log or silently ignores what it was given.
    @Test func resumeIsCarefulWithTheRun() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeRun()
        let metrics = folder.appendingPathComponent("runs/a/metrics.jsonl")
        let before = try Data(contentsOf: metrics)
        try expectRefused(["train", "--resume", "--output", "runs/a", "--steps", "2"], "is at step 4; --steps 2 would end before it")
        try expectRefused(["train", "--resume", "--output", "runs/a", "--steps", "8", "--learning-rate", "1"], "only --steps or --epochs may change; remove --learning-rate")
        #expect(try Data(contentsOf: metrics) == before, "metrics.jsonl untouched")

        // An unreadable line is an error, and nothing is dropped.
        var broken = before
        broken.append(contentsOf: Data("{not json}\n".utf8))
        try broken.write(to: metrics)
        try expectRefused(["train", "--resume", "--output", "runs/a", "--steps", "8"], "line 4 is not a metrics record")
        #expect(try Data(contentsOf: metrics) == broken)
        try before.write(to: metrics)

        // A negative step in the checkpoint is refused before the log is touched.
        let latest = folder.appendingPathComponent("runs/a/checkpoints/latest.safetensors")
        let contents = try SafeTensors.read(from: latest)
        var metadata = contents.metadata
        metadata["user.step"] = "-5"
        try SafeTensors.write(contents.tensors, metadata: metadata, to: latest)
        try expectRefused(["train", "--resume", "--output", "runs/a", "--steps", "8"], "the checkpoint's step '-5' is not a step count")
        #expect(try Data(contentsOf: metrics) == before)

        // NaN weights: evaluate and sample say which file and tensor.
        var tensors = contents.tensors
        tensors["model/mean"] = Tensor([Float.nan, 0])
        try SafeTensors.write(tensors, metadata: contents.metadata, to: latest)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("runs/a/checkpoints/best.safetensors"))
        try expectRefused(["evaluate", "runs/a"], "tensor 'model/mean' holds NaN or infinite values")
        try expectRefused(["sample", "runs/a"], "tensor 'model/mean' holds NaN or infinite values")
    }

    /// A run killed before its first checkpoint can be resumed (from step 0); stale
    /// temporary files of interrupted writes are removed.
    @Test func runWithoutACheckpointRestarts() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeRun()
        let run = folder.appendingPathComponent("runs/a")
        try FileManager.default.removeItem(at: run.appendingPathComponent("checkpoints/latest.safetensors"))
        try FileManager.default.removeItem(at: run.appendingPathComponent("checkpoints/best.safetensors"))
        let stale = run.appendingPathComponent("checkpoints/.latest.safetensors.tmp-123-456")
        try Data("partial".utf8).write(to: stale)
        try expectRefused(["train", "gaussian", "--dataset", "two-moons", "--output", "runs/a"], "already holds a run; use --resume")
        let r = try latent(["train", "--resume", "--output", "runs/a"], in: folder)
        #expect(r.status == 0 && r.output.contains("starting again at step 0"), "\(r.error)")
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("metrics-before-restart.jsonl").path))
    }

    /// SIGTERM saves `latest` and exits 143, like Ctrl-C (130).
    @Test func terminationSavesACheckpoint() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = try start(["train", "vae", "--dataset", "digits", "--epochs", "500", "--output", "runs/t"], in: folder)
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("runs/t/metrics.jsonl").path) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        process.terminate()   // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("runs/t/checkpoints/latest.safetensors").path))
        let r = try latent(["train", "--resume", "--output", "runs/t", "--epochs", "1"], in: folder)
        #expect(r.status == 0 || r.error.contains("would end before it"), "\(r.error)")
    }

    /// Charts of nearly equal losses draw (the tick computation once looped forever).
    @Test func nearlyEqualValuesHaveTicks() {
        #expect(SVGChart.ticks(1.0...1.0000000000000002) == [1.0])
        #expect(SVGChart.ticks(0...1).count >= 3)
        #expect(SVGChart.ticks(-1e300...1e300).count >= 2)
        #expect(SVGChart.ticks(1e15...(1e15 + 1)).count >= 1)
    }
}
