import Latent
import Foundation

// latent-bench SUITE...: runs benchmark suites and prints Markdown tables.
// Each suite is a function in its own file (CoreBenchmark.swift, ...).

let suites: [(name: String, summary: String, run: () -> Void)] = [
    ("core", "GEMM, elementwise throughput, per-op overhead, an MLP step", CoreBenchmark.run),
    ("gemm", "GEMM only (a quick subset of core)", CoreBenchmark.runGEMM),
    ("overhead", "per-op overhead only (for profiling)", CoreBenchmark.runOverhead),
    ("vae", "VAE/IWAE training steps (batch 128, 784-512-256-32) and an epoch on digits", VAEBenchmark.run),
    ("models", "reference models (training steps, sampling) as in pytorch_reference.py", ModelBenchmark.run),
    ("generation", "MADE sampling and char-Transformer generation, as in Scripts/bench/pytorch_generation.py", GenerationBenchmark.run),
    ("pixelcnn", "PixelCNN sampling on 28x28: naive full passes vs the incremental sampler", PixelCNNSamplingBenchmark.run),
]

let requested = Array(CommandLine.arguments.dropFirst())
if requested.isEmpty || requested.contains(where: { $0 == "-h" || $0 == "--help" }) {
    print("usage: latent-bench SUITE...\n\nsuites:")
    for s in suites { print("  \(s.name.padding(toLength: 8, withPad: " ", startingAt: 0))\(s.summary)") }
} else {
    for name in requested {
        guard let suite = suites.first(where: { $0.name == name }) else {
            print("latent-bench: unknown suite '\(name)'; known: \(suites.map(\.name).joined(separator: ", "))")
            exit(2)
        }
        suite.run()
    }
}
