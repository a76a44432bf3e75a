import Foundation
import Latent
import Testing

/// `latent models` is a guide: every built-in model has a strand, advice, typical options
/// that exist, and an example command that runs as printed (here shortened to 2 steps).
@Suite struct ModelGuideTests {
    @Test func everyModelHasAGuideWhoseCommandRuns() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("latent-guide-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for type in ModelRegistry.builtIn {
            let guide = try #require(ModelGuide.of(type.modelName), "\(type.modelName) has no guide")
            for name in guide.typicalOptions {
                #expect(type.options.contains { $0.name == name }, "\(type.modelName): no option '\(name)'")
            }
            var words = guide.example.split(separator: " ").map(String.init)
            #expect(Array(words.prefix(3)) == ["latent", "train", type.modelName], "\(guide.example)")
            // The same command, shortened: drop the step budget and validate at the end of 2 steps.
            var i = 0
            while i < words.count {
                if ["--steps", "--epochs"].contains(words[i]) { words.removeSubrange(i...(i + 1)) } else { i += 1 }
            }
            words += ["--steps", "2", "--validate-every", "2"]
            if type.options.contains(where: { $0.name == "eval-samples" }) { words += ["--option", "eval-samples=64"] }
            let r = try latent(Array(words.dropFirst()), in: folder)
            #expect(r.status == 0, "\(guide.example): \(r.error)")
        }
        let r = try latent(["models"], in: folder)
        #expect(r.status == 0)
        for strand in ModelGuide.Strand.allCases { #expect(r.output.contains(strand.rawValue)) }
        #expect(r.output.contains("try: latent train vae --dataset digits"))
        let datasets = try latent(["datasets", "list"], in: folder)
        #expect(datasets.status == 0 && datasets.output.contains("2-D densities") && datasets.output.contains("Text"))
    }
}
