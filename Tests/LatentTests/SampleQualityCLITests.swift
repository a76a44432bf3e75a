import Foundation
import Latent
import Testing

/// `latent evaluate --sample-quality N` for a non-GAN image model, and the report's grid of
/// class-conditional samples: the main job's path, on a tiny budget.
@Suite struct SampleQualityCLITests {
    @Test func conditionalVAESamplesAreScoredByTheDigitClassifier() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("latent-sq-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = ["LATENT_DATA": folder.appendingPathComponent("data").path]
        var r = try latent(["train", "cvae", "--dataset", "digits", "--steps", "40", "--output", "runs/c"], in: folder, environment: store)
        #expect(r.status == 0, "\(r.error)")
        // No classifier yet: the message says how to make one; out-of-range counts are refused first.
        r = try latent(["evaluate", "runs/c", "--sample-quality", "50"], in: folder, environment: store)
        #expect(r.status == 1 && r.error.contains("latent classifier train --dataset digits"), "\(r.error)")
        r = try latent(["evaluate", "runs/c", "--sample-quality", "3"], in: folder, environment: store)
        #expect(r.status == 1 && r.error.contains("--sample-quality"), "\(r.error)")
        r = try latent(["classifier", "train", "--dataset", "digits", "--epochs", "2", "--shift", "1"], in: folder, environment: store)
        #expect(r.status == 0, "\(r.error)")
        r = try latent(["evaluate", "runs/c", "--sample-quality", "50"], in: folder, environment: store)
        #expect(r.status == 0, "\(r.error)")
        for key in ["class-accuracy:", "class-accuracy-9:", "fd:", "precision:", "recall:", "nll:"] {
            #expect(r.output.contains(key), "\(key) missing from \(r.output)")
        }
        r = try latent(["report", "runs/c", "--samples", "30"], in: folder, environment: store)
        #expect(r.status == 0, "\(r.error)")
        let html = try String(contentsOf: folder.appendingPathComponent("runs/c/report.html"), encoding: .utf8)
        #expect(html.contains("3 samples of each class, one row per class"))
        #expect(html.contains("class-accuracy by class (0…9)") && !html.contains(">class-accuracy-3<"))
        // A 2-D density has no images to score.
        r = try latent(["train", "gaussian", "--dataset", "two-moons", "--steps", "2", "--output", "runs/g"], in: folder, environment: store)
        r = try latent(["evaluate", "runs/g", "--sample-quality", "50"], in: folder, environment: store)
        #expect(r.status == 1 && r.error.contains("is not an image dataset"), "\(r.error)")
    }
}
