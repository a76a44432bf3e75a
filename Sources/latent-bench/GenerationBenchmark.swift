import Foundation
import Latent
@_spi(Benchmarks) import LatentCore

/// Autoregressive generation, the counterpart of `Scripts/bench/pytorch_generation.py`
/// (which builds the same networks in PyTorch):
/// - MADE, 100 samples of 784 binary pixels: `latent train made`'s network with the
///   reference's shape (one hidden layer of 1024, natural order), drawn by the incremental
///   sampler and by one full pass per pixel (the reference loop);
/// - a char-Transformer (4 layers, 4 heads, width 128, context 1024, 65 symbols) generating
///   1,000 tokens after a one-token prompt, with the key–value cache and by recomputing the
///   visible window for every token.
/// Prints one line per case, `generation <key> <median seconds>`, for the comparison script,
/// then a table.
enum GenerationBenchmark {
    static func run() {
        let repetitions = ProcessInfo.processInfo.environment["LATENT_BENCH_GENERATION_REPEATS"].flatMap(Int.init) ?? 3
        print("- BLAS backend: \(BLAS.backendName); Latent threads: \(Parallel.threadCount)")
        var rows: [(key: String, name: String, seconds: Double)] = []
        func time(_ key: String, _ name: String, _ body: () -> Void) {
            body()                                                             // warm-up
            var runs: [Double] = []
            for _ in 0..<repetitions {
                let start = Timing.now()
                body()
                runs.append(Timing.now() - start)
            }
            let median = runs.sorted()[runs.count / 2]
            print("generation \(key) \(median)")
            rows.append((key, name, median))
        }

        var g = RandomGenerator(seed: 0)
        let image = DataDescription(featureShape: [1, 28, 28], kind: .image(levels: 256), name: "mnist-shaped")
        let made = try! MADEModel(options: ModelOptions(["hidden": "1024"], declared: MADEModel.options, model: MADEModel.modelName),
                                  data: image, generator: &g)
        let last = made.network.layers[made.network.layers.count - 1]
        last.weight = 0.05 * g.normal(last.weight.shape)                    // not the all-zero initial output layer
        time("made-incremental", "MADE 1×1024, 100 × 784 pixels, incremental") {
            var s = RandomGenerator(seed: 1)
            blackHole(made.sample(count: 100, incremental: true, generator: &s))
        }
        time("made-passes", "MADE 1×1024, 100 × 784 pixels, 784 full passes") {
            var s = RandomGenerator(seed: 1)
            blackHole(made.sample(count: 100, incremental: false, generator: &s))
        }

        let symbols = (0..<65).map { Unicode.Scalar(UInt8(48 + $0)) }
        let text = DataDescription(featureShape: [], kind: .text(.characters(CharacterVocabulary(characters: symbols))), name: "65-symbols")
        let options = try! ModelOptions(["layers": "4", "heads": "4", "width": "128", "context": "1024"],
                                        declared: CharacterTransformer.options, model: CharacterTransformer.modelName)
        let transformer = try! CharacterTransformer(options: options, data: text, generator: &g)
        for cached in [true, false] {
            time(cached ? "transformer-cache" : "transformer-no-cache",
                 "char-Transformer 4L d128, 1,000 tokens, " + (cached ? "key–value cache" : "window recomputed per token")) {
                var s = RandomGenerator(seed: 2)
                blackHole(transformer.generate(prompt: [0], count: 1000, sampling: TextSampling(), generator: &s, cached: cached))
            }
        }
        print("\n## Autoregressive generation (median of \(repetitions), seconds)\n")
        print("| case | seconds |")
        print("|---|---:|")
        for row in rows { print("| \(row.name) | \(String(format: "%.3f", row.seconds)) |") }
        print("")
    }
}
