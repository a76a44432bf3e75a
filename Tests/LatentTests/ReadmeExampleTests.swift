import Foundation
import Latent
import LatentTestSupport
import Testing

/// The README's "A first program", verbatim between the markers, so the snippet users copy
/// is known to compile and to do what it says.
@Suite struct ReadmeExampleTests {
    @Test func firstProgram() {
        // README-BEGIN
        // Fit y = 2x - 1 with a one-layer model, autodiff and Adam.
        var generator = RandomGenerator(seed: 0)
        let x = generator.normal([64, 1])
        let y = x * 2 - 1
        let model = Linear(1, 1, generator: &generator)
        let optimizer = Adam(learningRate: 0.1)
        for _ in 0..<200 {
            let (loss, gradients) = valueAndGradient(of: model) { model in
                meanSquaredError(model(x), y)
            }
            optimizer.update(model, with: gradients)
            _ = loss
        }
        print(model.weight, model.bias!)   // ≈ [[2.0]] [-1.0]

        // Gradients of gradients: d²/dx² x³ = 6x
        let g2 = gradient(at: Tensor([1, 2])) { x in
            gradient(at: x, createGraph: true) { ($0 * $0 * $0).sum() }.sum()
        }
        print(g2)   // [6.0, 12.0]
        // README-END
        expectClose(model.weight, Tensor([[2]]), relative: 1e-3, absolute: 1e-3)
        expectClose(model.bias!, Tensor([-1]), relative: 1e-3, absolute: 1e-3)
        expectClose(g2, Tensor([6, 12]))
    }

    @Test func readmeShowsTheSameSnippet() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let snippet = try #require(markedSnippets(in: source, begin: "// README-BEGIN", end: "// README-END")[""])
        #expect(readme.contains(snippet), "README's first program differs from ReadmeExampleTests")
    }
}
