import Foundation
import LatentCore
import LatentData
import LatentModels
import LatentNN
import Testing

/// The PixelCNN network (gated and plain), its likelihoods, samplers and the `pixelcnn` family.
@Suite struct PixelCNNTests {
    /// A small network with its last layer's weights drawn large enough that every
    /// dependency shows in the gradients.
    func network(_ architecture: PixelCNNNetwork.Architecture, inputChannels: Int = 1, outputChannels: Int = 2,
                 layers: Int = 3, classes: Int = 0, seed: UInt64 = 0) -> PixelCNNNetwork {
        var g = RandomGenerator(seed: seed)
        return PixelCNNNetwork(architecture: architecture, inputChannels: inputChannels, outputChannels: outputChannels,
                               channels: 6, layers: layers, firstKernelSize: 5, kernelSize: 3, classCount: classes,
                               generator: &g)
    }

    /// ∂ f(x)[p] / ∂ x[q] for every pair of pixels of a 5×5 image (summed over the batch and
    /// channels): `[p][q]` is true where some entry is nonzero.
    func dependencies(_ net: PixelCNNNetwork, height: Int = 5, width: Int = 5, classes: IndexTensor? = nil) -> [[Bool]] {
        var g = RandomGenerator(seed: 9)
        let b = 2, c = net.inputChannels, pixels = height * width
        let x = g.normal([b, c, height, width])
        return (0..<pixels).map { p in
            let grad = gradient(at: x) { xs in
                net(xs, classes: classes).sliced(starts: [0, 0, p / width, p % width], sizes: [b, net.outputChannels, 1, 1]).sum()
            }.scalars
            return (0..<pixels).map { q in
                (0..<b).contains { n in (0..<c).contains { k in grad[(n * c + k) * pixels + q] != 0 } }
            }
        }
    }

    /// (a) The output at pixel p depends only on the pixels before p in raster order (every
    /// channel of them, none of p's own channels); the gated network also depends on every
    /// earlier pixel (no blind spot), while the plain one has a blind spot.
    @Test(arguments: [(PixelCNNNetwork.Architecture.gated, 1), (.gated, 2), (.plain, 1), (.plain, 2)])
    func exactAutoregressiveReceptiveField(architecture: PixelCNNNetwork.Architecture, channels: Int) {
        let net = network(architecture, inputChannels: channels)
        let seen = dependencies(net)
        var blindSpots = 0
        for p in 0..<25 {
            for q in 0..<25 {
                if q >= p {
                    #expect(!seen[p][q], "\(architecture): output \(p) depends on input \(q)")
                } else if !seen[p][q] {
                    blindSpots += 1
                }
            }
        }
        if architecture == .gated {
            #expect(blindSpots == 0, "gated: \(blindSpots) earlier pixels unseen")
        } else {
            #expect(blindSpots > 0, "plain: the masked stack should have a blind spot on 5×5 with 3 layers")
        }
        // The class-conditional network keeps the same field.
        let conditional = network(architecture, inputChannels: channels, classes: 3, seed: 1)
        let seenConditional = dependencies(conditional, classes: IndexTensor([2, 0]))
        for p in 0..<25 { for q in p..<25 { #expect(!seenConditional[p][q], "conditional: \(p) depends on \(q)") } }
    }

    /// The default `pixelcnn` network on the 8×8 digits sees every earlier pixel and nothing else.
    @Test func defaultGatedNetworkSeesTheWholePastOfADigit() throws {
        var g = RandomGenerator(seed: 2)
        let model = try PixelCNNModel(options: ModelOptions([:], declared: PixelCNNModel.options, model: PixelCNNModel.modelName),
                                      data: digitsDescription, generator: &g)
        let seen = dependencies(model.network, height: 8, width: 8)
        for p in 0..<64 {
            for q in 0..<64 { #expect(seen[p][q] == (q < p), "output \(p), input \(q): \(seen[p][q])") }
        }
    }

    /// (b) Probabilities of all images on a tiny grid sum to 1: 3×3 binary images (512) for
    /// Bernoulli outputs, 2×2 images of 3 levels (81) for the softmax and the mixture.
    @Test(arguments: [("gated", "bernoulli"), ("plain", "bernoulli"), ("gated", "softmax"), ("plain", "logistic-mixture"),
                      ("gated", "logistic-mixture")])
    func probabilitiesOfAllImagesSumToOne(architecture: String, output: String) throws {
        let binary = output == "bernoulli"
        let (side, levels) = binary ? (3, 2) : (2, 3)
        let data = DataDescription(featureShape: [1, side, side], classCount: 2, kind: .image(levels: binary ? 256 : levels), name: "tiny")
        let options = try ModelOptions(["architecture": architecture, "output": output, "binarization": "none", "layers": "2",
                                        "channels": "8", "first-kernel": "3", "mixtures": "2", "conditional": "true"],
                                       declared: PixelCNNModel.options, model: PixelCNNModel.modelName)
        var g = RandomGenerator(seed: 3)
        let model = try PixelCNNModel(options: options, data: data, generator: &g)
        model.network.output.weight = g.normal(model.network.output.weight.shape)
        let d = side * side
        let count = Int(pow(Double(levels), Double(d)))
        let images = Tensor(shape: [count, 1, side, side], scalars: (0..<count).flatMap { v in
            (0..<d).map { k in Float(v / Int(pow(Double(levels), Double(k))) % levels) / Float(levels - 1) }
        })
        for label in 0..<2 {
            let logProbabilities = withoutDerivative {
                model.logProbability(images, classes: IndexTensor(Array(repeating: label, count: count)))
            }
            let total = logProbabilities.scalars.reduce(0.0) { $0 + exp(Double($1)) }
            #expect(abs(total - 1) < 1e-4, "\(architecture) \(output), class \(label): Σ p = \(total)")
        }
    }

    /// (c) The incremental sampler sees the same parameters as full passes (to 1e-5) and so
    /// draws the same images from the same random stream: both architectures, conditional
    /// or not, several output families, and the VQ-VAE code prior.
    @Test(arguments: [("gated", "bernoulli", false), ("plain", "bernoulli", true), ("gated", "softmax", true),
                      ("plain", "logistic-mixture", false), ("gated", "logistic-mixture", false)])
    func incrementalSamplerMatchesNaive(architecture: String, output: String, conditional: Bool) throws {
        let data = DataDescription(featureShape: [1, 7, 6], classCount: 3, kind: .image(levels: 5), name: "small")
        let options = try ModelOptions(["architecture": architecture, "output": output, "layers": "3", "channels": "8",
                                        "first-kernel": "3", "conditional": "\(conditional)"],
                                       declared: PixelCNNModel.options, model: PixelCNNModel.modelName)
        var g = RandomGenerator(seed: 4)
        let model = try PixelCNNModel(options: options, data: data, generator: &g)
        let classes = conditional ? [0, 2, 1, 2] : nil
        var s1 = RandomGenerator(seed: 7), s2 = RandomGenerator(seed: 7)
        let fast = model.sample(count: 4, classes: classes, method: .incremental, generator: &s1)
        let naive = model.sample(count: 4, classes: classes, method: .naive, generator: &s2)
        #expect(fast.shape == [4, 1, 7, 6])
        #expect(fast.scalars == naive.scalars)
        #expect(Set(fast.scalars).count > 1, "more than one level drawn")

        // The parameters each sampler sees, with the same draws fed back.
        let labels = classes.map { IndexTensor($0) }
        func seen(_ method: PixelCNNNetwork.SamplingMethod) -> [Float] {
            var out: [Float] = []
            var d = RandomGenerator(seed: 8)
            _ = model.network.sampleRaster(count: 4, height: 7, width: 6, classes: labels, method: method) { parameters, _, _ in
                out += parameters.scalars
                return d.normal([4, 1]).scalars
            }
            return out
        }
        let a = seen(.incremental), b = seen(.naive)
        #expect(a.count == b.count)
        #expect(zip(a, b).map { abs($0 - $1) }.max()! < 1e-5)
    }

    @Test(arguments: PixelCNNNetwork.Architecture.allCases)
    func codePriorSamplersAgree(architecture: PixelCNNNetwork.Architecture) {
        var g = RandomGenerator(seed: 5)
        let prior = PixelCNNCodePrior(codebookSize: 6, latentShape: [4, 5], channels: 8, layers: 2,
                                      architecture: architecture, generator: &g)
        var s1 = RandomGenerator(seed: 1), s2 = RandomGenerator(seed: 1)
        let fast = prior.sample(count: 5, method: .incremental, generator: &s1)
        #expect(fast == prior.sample(count: 5, method: .naive, generator: &s2))
        #expect(Set(fast.scalars).count > 1)
    }

    /// The incremental sampler is faster (the measured speed-up is printed; the
    /// `latent-bench pixelcnn-sampling` suite measures MNIST-sized images).
    @Test func incrementalSamplerIsFaster() throws {
        let data = DataDescription(featureShape: [1, 14, 14], kind: .image(levels: 256), name: "14x14")
        var g = RandomGenerator(seed: 0)
        let model = try PixelCNNModel(options: ModelOptions(["channels": "16", "layers": "4"], declared: PixelCNNModel.options,
                                                            model: PixelCNNModel.modelName), data: data, generator: &g)
        var s1 = RandomGenerator(seed: 0), s2 = RandomGenerator(seed: 0)
        let clock = ContinuousClock()
        var fast = Tensor.zeros([1]), naive = Tensor.zeros([1])
        let incremental = clock.measure { fast = model.sample(count: 4, classes: nil, method: .incremental, generator: &s1) }
        let full = clock.measure { naive = model.sample(count: 4, classes: nil, method: .naive, generator: &s2) }
        print("PixelCNN sampling, gated 4×16, 14×14, 4 samples: incremental \(incremental), naive \(full), speed-up \(full / incremental)")
        #expect(fast.scalars == naive.scalars)
        #expect(incremental < full)
    }

    /// (d) Training lowers the NLL on digits, through the shared exercise (loss falls,
    /// metrics, samples in [0, 1], figures), for each output family.
    @Test(arguments: [["output": "bernoulli"], ["output": "softmax", "architecture": "plain"],
                      ["output": "logistic-mixture", "mixtures": "3"]])
    func trainsOnDigits(options: [String: String]) throws {
        try exerciseOnDigits("pixelcnn", options: options.merging(["layers": "2", "channels": "16"]) { $1 }, steps: 20)
    }

    /// (d, e) Through the trainer: the validation NLL falls, evaluation reports nll and
    /// bits/dim, and a conditional model samples one class on request (others refuse).
    @Test func conditionalRunThroughTheTrainer() throws {
        let folder = temporaryFolder("pixelcnn-run")
        defer { try? FileManager.default.removeItem(at: folder) }
        var config = configuration("digits", steps: 30)
        config.modelName = "pixelcnn"
        config.modelOptions = ["layers": "3", "channels": "16", "conditional": "true"]
        config.learningRate = 3e-3
        config.validateEvery = 15
        let run = RunDirectory(folder.appendingPathComponent("run"))
        #expect(try Trainer(configuration: config, run: run).train() == .completed(step: 30))
        let validation = run.readMetrics().filter { $0.split == "validation" }
        #expect(validation.count == 2 && validation[1].loss < validation[0].loss, "\(validation.map(\.loss))")
        let trained = try TrainedRun(run, checkpoint: "latest")
        let metrics = try trained.evaluate(split: .test)
        let nll = try #require(metrics["nll"]), bits = try #require(metrics["bits-per-dim"])
        #expect(nll > 0 && abs(bits - nll / (64 * log(2.0))) < 1e-9)
        let threes = try trained.sample(count: 3, seed: 0, class: 3)
        #expect(threes.shape == [3, 1, 8, 8] && threes.scalars.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(threes.scalars != (try trained.sample(count: 3, seed: 0, class: 4)).scalars, "the class changes the samples")
        #expect(throws: TrainingError.self) { try trained.sample(count: 1, seed: 0, class: 10) }

        config.modelOptions = ["layers": "1", "channels": "4"]
        config.steps = 2
        let plain = RunDirectory(folder.appendingPathComponent("unconditional"))
        _ = try Trainer(configuration: config, run: plain).train()
        #expect(throws: TrainingError.self) { try TrainedRun(plain).sample(count: 1, seed: 0, class: 0) }
    }

    /// (f) Bad options and data are refused with one-line errors.
    @Test func badOptionsAndDataAreRefused() throws {
        #expect(try ModelRegistry.model(named: "pixelcnn").modelName == PixelCNNModel.modelName)
        for (name, value) in [("first-kernel", "4"), ("kernel", "0"), ("layers", "0"), ("channels", "0"), ("output", "gaussian"),
                              ("architecture", "pixelrnn"), ("mixtures", "0"), ("binarization", "static"), ("conditional", "yes")] {
            do {
                _ = try ModelOptions([name: value], declared: PixelCNNModel.options, model: "pixelcnn")
                Issue.record("\(name)=\(value) accepted")
            } catch {
                #expect(error.message.hasPrefix("pixelcnn: option '\(name)'") && !error.message.contains("\n"), "\(error.message)")
            }
        }
        var g = RandomGenerator(seed: 0)
        let conditional = try ModelOptions(["conditional": "true"], declared: PixelCNNModel.options, model: "pixelcnn")
        let unlabelled = DataDescription(featureShape: [1, 8, 8], kind: .image(levels: 17), name: "unlabelled")
        #expect(throws: ModelOptionError.self) { _ = try PixelCNNModel(options: conditional, data: unlabelled, generator: &g) }
        let defaults = try ModelOptions([:], declared: PixelCNNModel.options, model: "pixelcnn")
        let points = DataDescription(featureShape: [2], kind: .continuous, name: "moons")
        #expect(throws: ModelOptionError.self) { _ = try PixelCNNModel(options: defaults, data: points, generator: &g) }
    }
}
