import Foundation
import Latent

/// PixelCNN sampling on MNIST-sized images (`latent train pixelcnn`'s default networks): the
/// naive sampler (a full pass per pixel) against the incremental one, which reuses what does
/// not depend on new pixels. Both draw the same images from the same random stream; the
/// table says whether they did. `LATENT_BENCH_PIXELCNN_SAMPLES` sets the image count (4).
enum PixelCNNSamplingBenchmark {
    static func run() {
        let count = ProcessInfo.processInfo.environment["LATENT_BENCH_PIXELCNN_SAMPLES"].flatMap(Int.init) ?? 4
        let data = DataDescription(featureShape: [1, 28, 28], kind: .image(levels: 256), name: "mnist-shaped")
        print("## PixelCNN sampling, 28×28, \(count) images\n")
        print("| network | naive (s) | incremental (s) | speed-up | same samples |")
        print("|---|---:|---:|---:|---|")
        for architecture in PixelCNNNetwork.Architecture.allCases {
            var g = RandomGenerator(seed: 0)
            let options = try! ModelOptions(["architecture": architecture.rawValue], declared: PixelCNNModel.options,
                                            model: PixelCNNModel.modelName)
            let model = try! PixelCNNModel(options: options, data: data, generator: &g)
            var results: [PixelCNNNetwork.SamplingMethod: (seconds: Double, samples: [Float])] = [:]
            for method in [PixelCNNNetwork.SamplingMethod.incremental, .naive] {
                var s = RandomGenerator(seed: 1)
                let start = Timing.now()
                let samples = model.sample(count: count, classes: nil, method: method, generator: &s)
                results[method] = (Timing.now() - start, samples.scalars)
            }
            let naive = results[.naive]!, incremental = results[.incremental]!
            print(String(format: "| %@ (%d layers × %d channels) | %.2f | %.2f | %.1f× | %@ |", architecture.rawValue,
                         architecture == .gated ? model.network.gatedLayers.count : model.network.layers.count,
                         model.network.channels, naive.seconds, incremental.seconds, naive.seconds / incremental.seconds,
                         naive.samples == incremental.samples ? "yes" : "no"))
        }
        print("")
    }
}
