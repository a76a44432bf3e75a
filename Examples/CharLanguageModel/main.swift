// A character-level language model on the embedded Sherlock Holmes excerpt, trained
// through the same `Trainer` as `latent train`, then sampled.
//
//   swift run -c release example-char-lm [OUTPUT_FOLDER]      (about a minute and a half on 2 cores)
//
// A GRU reads the text one character at a time and predicts the next: p(x) = Πₜ p(xₜ | x<ₜ).
// Training is truncated back-propagation through time over 32 contiguous streams, the
// hidden state carried from one batch to the next. The loss is the cross-entropy in nats
// per character; bits per character = nats / ln 2 (uniform guessing over the excerpt's
// characters would cost log₂ V ≈ 6.3). The run folder (OUTPUT_FOLDER/run) is what
// `latent` writes: `latent report OUTPUT_FOLDER/run` draws it, and
// `latent sample OUTPUT_FOLDER/run --prompt "Holmes "` samples it again.
import Foundation
import Latent

let output = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "example-char-lm", isDirectory: true)
try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
let runFolder = output.appendingPathComponent("run", isDirectory: true)
if FileManager.default.fileExists(atPath: runFolder.appendingPathComponent("config.json").path) {
    try FileManager.default.removeItem(at: runFolder)          // this example's own previous run
}

var configuration = TrainingConfiguration()
configuration.modelName = "char-rnn"
configuration.modelOptions = ["cell": "gru", "layers": "1", "hidden": "256", "embedding": "64", "window": "64"]
configuration.dataset = "sherlock-holmes-excerpt"
configuration.steps = 800
configuration.batchSize = 32
configuration.learningRate = PerGroup(3e-3)
configuration.schedule = PerGroup("cosine")
configuration.clipNorm = PerGroup(1.0)
configuration.validateEvery = 200
configuration.seed = 0

let run = RunDirectory(runFolder)
let trainer = Trainer(configuration: configuration, run: run)
trainer.onEvent = { event in
    if case .record(let record) = event, record.split == "validation", let bits = record.metrics["bits-per-char"] {
        print(String(format: "step %d: validation %.3f bits per character", record.step, bits))
    }
}
_ = try trainer.train()

let trained = try TrainedRun(run)                                    // the best checkpoint by validation
let test = try trained.evaluate(split: .test)
print(String(format: "test: %.3f bits per character (%.3f nats)", test["bits-per-char"] ?? .nan, test["nll"] ?? .nan))
for temperature: Float in [0.8, 1.0] {
    let text = try trained.text(prompt: "Holmes ", count: 1, length: 400, sampling: TextSampling(temperature: temperature), seed: 1)[0]
    print("\n--- temperature \(temperature), prompt \"Holmes \" ---\n\(text)")
}
