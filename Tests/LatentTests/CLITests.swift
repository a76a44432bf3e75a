import Foundation
import LatentData
import Testing

/// The built `latent` executable: next to the running test binary (the same build
/// configuration), else in `.build/debug` or `.build/release` of this package.
let latentExecutable: URL? = {
    let fm = FileManager.default
    var candidates: [URL] = []
    var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        candidates.append(folder.appendingPathComponent("latent"))
        folder.deleteLastPathComponent()
    }
    let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    for configuration in ["debug", "release"] {
        candidates.append(package.appendingPathComponent(".build/\(configuration)/latent"))
    }
    return candidates.first { fm.isExecutableFile(atPath: $0.path) && !$0.hasDirectoryPath }
}()

/// The result of running `latent`.
struct CommandResult {
    var status: Int32
    var output: String
    var error: String
}

/// Runs `latent` with `arguments` in `folder` and waits for it.
func latent(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws -> CommandResult {
    let process = try start(arguments, in: folder, environment: environment)
    let out = process.standardOutput as! Pipe, err = process.standardError as! Pipe
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
                         error: String(decoding: errData, as: UTF8.self))
}

func start(_ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws -> Process {
    let process = Process()
    process.executableURL = latentExecutable!
    process.arguments = arguments
    process.currentDirectoryURL = folder
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = Pipe()
    process.standardError = Pipe()
    try process.run()
    return process
}

@Suite(.serialized, .enabled(if: latentExecutable != nil, "the `latent` executable is not built; run `swift build` first"))
struct CLITests {
    let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("latent-cli-\(UUID().uuidString)", isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    func metricsLines(_ run: String) -> [String] {
        let text = (try? String(contentsOf: folder.appendingPathComponent(run).appendingPathComponent("metrics.jsonl"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Losses and steps of the metrics lines (the reproducible fields).
    func losses(_ run: String) -> [String] {
        metricsLines(run).map { line in
            let object = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return "\(object["step"]!) \(object["split"]!) \(object["loss"]!)"
        }
    }

    @Test func trainResumeSampleEvaluateReport() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config.json")
        try Data(#"{"dataset": "digits", "batch-size": 32, "log-every": 2, "validate-every": 2, "model": {"init-log-std": -1}}"#.utf8).write(to: config)

        var r = try latent(["train", "gaussian", "--config", "config.json", "--steps", "6", "--output", "runs/a"], in: folder)
        #expect(r.status == 0, "\(r.error)")
        #expect(r.output.contains("training for 6 steps"))
        #expect(r.output.contains("step 6/6"))
        #expect(losses("runs/a").count == 6)   // train and validation at 2, 4, 6

        r = try latent(["train", "--resume", "--output", "runs/a", "--steps", "8"], in: folder)
        #expect(r.status == 0, "\(r.error)")
        #expect(r.output.contains("resuming at step 6 of 8"))

        // The same 8 steps in one go give the same losses (validation falls on step 6 in both).
        r = try latent(["train", "gaussian", "--config", "config.json", "--steps", "8", "--output", "runs/b"], in: folder)
        #expect(r.status == 0, "\(r.error)")
        #expect(losses("runs/a") == losses("runs/b"))

        r = try latent(["evaluate", "runs/a", "--json"], in: folder)
        #expect(r.status == 0, "\(r.error)")
        let evaluation = try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as! [String: Any]
        let metrics = evaluation["metrics"] as! [String: Double]
        #expect(metrics["nll"] != nil && metrics["bits-per-dim"] != nil)

        // Overriding an option that only affects initialisation: same numbers, recorded overrides.
        r = try latent(["evaluate", "runs/a", "--json", "--option", "init-log-std=-3"], in: folder)
        #expect(r.status == 0, "\(r.error)")
        let overridden = try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as! [String: Any]
        #expect(overridden["metrics"] as! [String: Double] == metrics)
        #expect(overridden["option-overrides"] as? [String: String] == ["init-log-std": "-3"])
        r = try latent(["evaluate", "runs/a", "--option", "scale=2"], in: folder)
        #expect(r.status != 0 && r.error.contains("gaussian: unknown option 'scale'"))

        r = try latent(["sample", "runs/a", "--count", "16", "--output", "samples.png"], in: folder)
        #expect(r.status == 0, "\(r.error)")
        let png = try Data(contentsOf: folder.appendingPathComponent("samples.png"))
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))

        r = try latent(["report", "runs/a"], in: folder)
        #expect(r.status == 0, "\(r.error)")
        let html = try String(contentsOf: folder.appendingPathComponent("runs/a/report.html"), encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("data:image/png;base64,"))
        #expect(html.contains("init-log-std=-1"))
    }

    @Test func badNamesListValidChoices() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var r = try latent(["train", "vea", "--dataset", "digits"], in: folder)
        #expect(r.status != 0)
        #expect(r.error.contains("unknown model 'vea'; valid models: ") && r.error.contains("gaussian"))
        r = try latent(["train", "gaussian", "--dataset", "moons"], in: folder)
        #expect(r.error.contains("unknown dataset 'moons'; valid datasets: digits, two-moons"))
        r = try latent(["train", "gaussian", "--dataset", "digits", "--optimizer", "adagrad"], in: folder)
        #expect(r.error.contains("unknown optimizer 'adagrad'; valid optimizers: adam, adamw, sgd, rmsprop"))
        r = try latent(["train", "gaussian", "--dataset", "digits", "--option", "scale=2"], in: folder)
        #expect(r.error.contains("gaussian: unknown option 'scale'; valid options: init-log-std"))
        r = try latent(["train", "gaussian", "--dataset", "digits", "--option", "init-log-std=wide"], in: folder)
        #expect(r.error.contains("gaussian: option 'init-log-std' needs a finite number, got 'wide'"))
        r = try latent(["train", "gaussian", "--dataset", "mnist", "--steps", "1", "--output", "runs/m"], in: folder,
                       environment: ["LATENT_DATA": folder.appendingPathComponent("data").path])
        #expect(r.error.contains("run `latent datasets install mnist`"))
        r = try latent(["evaluate", "nowhere"], in: folder)
        #expect(r.error.contains("is not a training run"))
        r = try latent(["models", "--options"], in: folder)
        #expect(r.output.contains("gaussian:") && r.output.contains("--option init-log-std=NUMBER"))
        r = try latent(["datasets", "list"], in: folder)
        #expect(r.output.contains("two-moons") && r.output.contains("fashion-mnist"))
        r = try latent(["datasets", "path", "mnist"], in: folder, environment: ["LATENT_DATA": folder.appendingPathComponent("data").path])
        #expect(r.status != 0 && r.error.contains("latent datasets install mnist"))
    }

    /// Ctrl-C saves `latest` and exits with 130; --resume then continues from it.
    @Test func interruptSavesAndResumes() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = try start(["train", "gaussian", "--dataset", "two-moons", "--steps", "1000000", "--log-every", "1",
                                 "--validate-every", "100000", "--output", "runs/c"], in: folder)
        let deadline = Date().addingTimeInterval(60)
        while metricsLines("runs/c").isEmpty && Date() < deadline && process.isRunning { usleep(20_000) }
        #expect(!metricsLines("runs/c").isEmpty, "training wrote no metrics")
        process.interrupt()
        let out = (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(String(decoding: out, as: UTF8.self).contains("interrupted at step"))
        let checkpoint = folder.appendingPathComponent("runs/c/checkpoints/latest.safetensors")
        #expect(FileManager.default.fileExists(atPath: checkpoint.path))

        // The checkpoint loads; resuming for a few more steps finishes normally.
        let lines = metricsLines("runs/c")
        let last = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as! [String: Any]
        let step = last["step"] as! Int
        let r = try latent(["train", "--resume", "--output", "runs/c", "--steps", "\(step + 3)"], in: folder)
        #expect(r.status == 0, "\(r.error)")
        #expect(r.output.contains("resuming at step \(step) of \(step + 3)"))
        #expect(metricsLines("runs/c").count == lines.count + 4)   // 3 train lines and the final validation
    }

    /// A two-optimiser family from the command line: per-group flags, a parameter average,
    /// samples of 1-D data as .npy, and per-group errors.
    @Test func ganWithPerGroupSettings() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var r = try latent(["train", "gan", "--dataset", "gaussian-1d", "--steps", "20", "--batch-size", "64",
                            "--learning-rate", "generator=1e-3,discriminator=5e-4", "--beta2", "0.99", "--average", "generator=0.9",
                            "--option", "eval-samples=500", "--output", "runs/g"], in: folder)
        #expect(r.status == 0, "\(r.error)")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("runs/g/config.json"))) as! [String: Any]
        #expect(config["learning-rate"] as? [String: Double] == ["generator": 1e-3, "discriminator": 5e-4])
        #expect(config["beta2"] as? Double == 0.99 && config["average"] as? [String: Double] == ["generator": 0.9])
        r = try latent(["sample", "runs/g", "--count", "100"], in: folder)
        #expect(r.status == 0 && r.output.contains("samples.npy"), "\(r.error)")
        let samples = try NPY.read(from: folder.appendingPathComponent("runs/g/samples.npy"))
        #expect(samples.shape == [100, 1])
        r = try latent(["evaluate", "runs/g"], in: folder)
        #expect(r.status == 0 && r.output.contains("sliced-w1"), "\(r.error)")
        r = try latent(["train", "gan", "--dataset", "gaussian-1d", "--learning-rate", "critic=1e-3"], in: folder)
        #expect(r.status != 0 && r.error.contains("--learning-rate: the model has no parameter group 'critic'; its groups: generator, discriminator"), "\(r.error)")
        r = try latent(["models", "gan"], in: folder)
        #expect(r.output.contains("parameter groups") && r.output.contains("generator, discriminator"))
    }

    /// Image GANs from the command line: `dcgan` and the class-conditional `cgan` on the
    /// embedded digits, PNG grids, `--class` and its errors.
    @Test func imageGANsAndSamplingByClass() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var r = try latent(["train", "dcgan", "--dataset", "digits", "--steps", "4", "--batch-size", "32",
                            "--option", "width=8", "--option", "eval-samples=100", "--output", "runs/d"], in: folder)
        #expect(r.status == 0, "\(r.error)")
        r = try latent(["sample", "runs/d"], in: folder)
        #expect(r.status == 0 && r.output.contains("samples.png"), "\(r.error)")
        r = try latent(["sample", "runs/d", "--class", "1"], in: folder)
        #expect(r.status != 0 && r.error.contains("--class: dcgan is not a class-conditional model (class-conditional: cgan"), "\(r.error)")
        r = try latent(["train", "cgan", "--dataset", "digits", "--steps", "4", "--batch-size", "32",
                        "--option", "width=8", "--option", "loss=hinge", "--option", "eval-samples=100", "--output", "runs/c"], in: folder)
        #expect(r.status == 0, "\(r.error)")
        r = try latent(["sample", "runs/c", "--class", "3", "--count", "16", "--output", "threes.png"], in: folder)
        #expect(r.status == 0 && FileManager.default.fileExists(atPath: folder.appendingPathComponent("threes.png").path), "\(r.error)")
        r = try latent(["sample", "runs/c", "--class", "10"], in: folder)
        #expect(r.status != 0 && r.error.contains("--class must be in 0...9 (digits has 10 classes), got 10"), "\(r.error)")
    }

    /// A text family from the command line: a local text file, text samples from a prompt.
    @Test func textModelFromALocalFile() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = String(repeating: "the cat sat on the mat. the dog sat on the log. ", count: 60)
        try Data(text.utf8).write(to: folder.appendingPathComponent("corpus.txt"))
        var r = try latent(["train", "char-mlp", "--dataset", "text:corpus.txt", "--steps", "60", "--batch-size", "16",
                            "--learning-rate", "3e-3", "--option", "window=32", "--output", "runs/t"], in: folder)
        #expect(r.status == 0, "\(r.error)")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("runs/t/config.json"))) as! [String: Any]
        #expect((config["dataset"] as! String).hasPrefix("text:/"), "local paths are recorded absolute")
        r = try latent(["sample", "runs/t", "--prompt", "the ", "--length", "30", "--temperature", "0.5"], in: folder)
        #expect(r.status == 0 && r.output.hasPrefix("the "), "\(r.error)")
        r = try latent(["sample", "runs/t", "--prompt", "THE"], in: folder)
        #expect(r.status != 0 && r.error.contains("--prompt: characters \"T\" (U+54), \"H\" (U+48), \"E\" (U+45) are not in the vocabulary"), "\(r.error)")
        r = try latent(["sample", "runs/t", "--temperature", "0"], in: folder)
        #expect(r.status != 0 && r.error.contains("--temperature must be a positive number"), "\(r.error)")
        r = try latent(["train", "vae", "--dataset", "text:corpus.txt", "--steps", "1", "--output", "runs/v"], in: folder)
        #expect(r.status != 0 && r.error.contains("vae trains on images or vectors; dataset 'text:") && r.error.contains("is text (text models: char-mlp, char-rnn, char-transformer)"), "\(r.error)")
        r = try latent(["train", "char-mlp", "--dataset", "digits", "--steps", "1", "--output", "runs/w"], in: folder)
        #expect(r.status != 0 && r.error.contains("char-mlp trains on text; dataset 'digits' holds images or vectors"), "\(r.error)")
    }

    /// The recurrent and Transformer text families from the command line: train and
    /// sample from a prompt; a window of 0 is a one-line error.
    @Test func recurrentAndTransformerTextModels() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = String(repeating: "the cat sat on the mat. the dog sat on the log. ", count: 60)
        try Data(text.utf8).write(to: folder.appendingPathComponent("corpus.txt"))
        for (model, options) in [("char-rnn", ["--option", "hidden=32", "--option", "window=16", "--option", "cell=gru"]),
                                 ("char-transformer", ["--option", "layers=1", "--option", "width=32", "--option", "context=16"])] {
            var r = try latent(["train", model, "--dataset", "text:corpus.txt", "--steps", "20", "--batch-size", "8",
                                "--checkpoint-every", "10", "--output", "runs/\(model)"] + options, in: folder)
            #expect(r.status == 0, "\(model): \(r.error)")
            r = try latent(["sample", "runs/\(model)", "--prompt", "the ", "--length", "30"], in: folder)
            #expect(r.status == 0 && r.output.hasPrefix("the "), "\(model): \(r.error)")
        }
        let r = try latent(["train", "char-rnn", "--dataset", "text:corpus.txt", "--option", "window=0", "--output", "runs/bad"], in: folder)
        #expect(r.status != 0 && r.error.contains("option 'window' must be in [1, 100000], got '0'"), "\(r.error)")
    }
}
