import Foundation
import Latent
import LatentTestSupport
import Testing

/// The code of the DocC tutorials (Sources/Latent/Latent.docc/*.md), verbatim between the
/// `TUTORIAL-BEGIN name` / `TUTORIAL-END` markers: each is compiled and run here, with checks
/// that it learned something, and each article must contain its snippet unchanged.
@Suite struct TutorialTests {
    @Test func variationalAutoencoder() throws {
        // TUTORIAL-BEGIN vae
        // The embedded 8×8 digits; the VAE binarises them afresh at every step.
        let train = try Digits.load(.train), test = try Digits.load(.test)
        let data = DataDescription(featureShape: Digits.imageShape, kind: .image(levels: Digits.levels), name: "digits")
        var generator = RandomGenerator(seed: 0)
        // q(z|x) = N(μ(x), diag σ²(x)) from an MLP encoder, p(z) = N(0, I), Bernoulli p(x|z).
        let model = VAE(configuration: VAEConfiguration(latentDimension: 16, hidden: [256, 128], likelihood: .bernoulli,
                                                        binarizes: true, evaluationSamples: 200),
                        data: data, generator: &generator)
        let optimizer = Adam(learningRate: 2e-3)
        let loader = DataLoader(train, batchSize: 64, shuffle: true, dropLast: true, seed: 0)
        var step = 0
        for epoch in 0..<30 {
            for batch in loader.batches(epoch: epoch) {
                // The loss is the negative ELBO: reconstruction + KL(q(z|x) ‖ p(z)), in nats.
                let (_, gradients) = valueAndGradient(of: model) {
                    $0.trainingLoss(batch, progress: TrainingProgress(step: step, epoch: epoch), generator: &generator).loss
                }
                optimizer.update(model, with: gradients)
                step += 1
            }
        }
        // Importance-sampled test NLL, −log (1/K) Σₖ p(x, zₖ)/q(zₖ|x) with K = 200, per image.
        model.eval()
        var sums: [String: Double] = [:]
        for batch in DataLoader(test, batchSize: 120) {
            sums.merge(model.evaluationSums(batch, generator: &generator), uniquingKeysWith: +)
        }
        let nll = sums["nll"]! / Double(test.count), elbo = -sums["negative-elbo"]! / Double(test.count)
        print("test NLL \(nll) nats, ELBO \(elbo)")
        let samples = model.sampleMeans(count: 64, generator: &generator)      // [64, 1, 8, 8] pixel probabilities
        // TUTORIAL-END
        #expect(nll < 32 && nll > 15, "NLL \(nll)")
        #expect(-elbo >= nll - 0.5, "the ELBO bounds the log-likelihood")
        #expect(samples.shape == [64, 1, 8, 8])
    }

    @Test func normalizingFlow() throws {
        // TUTORIAL-BEGIN flow
        let train = try DatasetCatalog.load("two-moons", split: .train)
        let test = try DatasetCatalog.load("two-moons", split: .test)
        var generator = RandomGenerator(seed: 0)
        // Four coupling layers with rational-quadratic splines (8 bins on [−4, 4]).
        let flow = Flow.nsf(dimension: 2, layers: 4, hidden: [64, 64], binCount: 8, bound: 4, generator: &generator)
        let loader = DataLoader(train, batchSize: 256, shuffle: true, dropLast: true, seed: 0)
        flow.initialize(from: loader.batch(epoch: 0, step: 0).features)    // ActNorm's data-dependent start
        let optimizer = Adam(learningRate: 3e-3)
        for step in 0..<600 {
            let batch = loader.batch(epoch: step / loader.batchesPerEpoch, step: step % loader.batchesPerEpoch)
            // Maximum likelihood: log p(x) = log N(f(x); 0, I) + log |det ∂f/∂x|, exact.
            let (_, gradients) = valueAndGradient(of: flow) { -$0.logProb(batch.features, context: nil).mean() }
            optimizer.update(flow, with: gradients)
        }
        let nll = withoutDerivative { -flow.logProb(test.features, context: nil).mean().scalar }
        let truth = -DatasetCatalog.toyDensity(named: "two-moons")!.logDensity(test.features)!.mean().scalar
        print("test NLL \(nll) nats; the true density scores \(truth)")
        let samples = withoutDerivative { flow.sample(1000, generator: &generator) }   // [1000, 2], one pass
        // TUTORIAL-END
        #expect(nll - truth < 0.15, "gap \(nll - truth)")
        #expect(samples.shape == [1000, 2])
    }

    @Test func generativeAdversarialNetwork() throws {
        // TUTORIAL-BEGIN gan
        let ring = DatasetCatalog.toyDensity(named: "8gaussians")!
        let train = try DatasetCatalog.load("8gaussians", split: .train)
        var rng = RandomGenerator(seed: 0)
        let generator = Sequential(Linear(8, 128, generator: &rng), ReLU(), Linear(128, 128, generator: &rng), ReLU(),
                                   Linear(128, 2, generator: &rng))
        let discriminator = Sequential(Linear(2, 128, generator: &rng), LeakyReLU(negativeSlope: 0.2),
                                       Linear(128, 128, generator: &rng), LeakyReLU(negativeSlope: 0.2),
                                       Linear(128, 1, generator: &rng))
        // Two players, two optimisers (DCGAN's Adam settings).
        let optimizerG = Adam(learningRate: 2e-4, beta1: 0.5), optimizerD = Adam(learningRate: 2e-4, beta1: 0.5)
        let loader = DataLoader(train, batchSize: 256, shuffle: true, dropLast: true, seed: 0)
        for step in 0..<3000 {
            let real = loader.batch(epoch: step / loader.batchesPerEpoch, step: step % loader.batchesPerEpoch).features
            let fake = withoutDerivative { generator(rng.normal([256, 8])) }
            // D: logistic loss, softplus(−D(x)) + softplus(D(G(z))).
            let (_, gradientsD) = valueAndGradient(of: discriminator) { d in
                (-d(real)).softplus().mean() + d(fake).softplus().mean()
            }
            optimizerD.update(discriminator, with: gradientsD)
            // G: non-saturating loss softplus(−D(G(z))); gradients pass through D.
            let z = rng.normal([256, 8])
            let (_, gradientsG) = valueAndGradient(of: generator) { g in (-discriminator(g(z))).softplus().mean() }
            optimizerG.update(generator, with: gradientsG)
        }
        let samples = withoutDerivative { generator(rng.normal([10_000, 8])) }
        let coverage = ModeCoverage(samples: samples, modes: ring.gaussianModes!)
        print("\(coverage.modesCovered) of 8 modes, \(coverage.highQualityFraction) of samples within 3σ of a mode")
        // TUTORIAL-END
        #expect(coverage.modesCovered >= 6, "\(coverage)")
        #expect(coverage.highQualityFraction > 0.6, "\(coverage)")
    }

    @Test func characterLanguageModel() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("latent-tutorial-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let runFolder = folder.appendingPathComponent("char-rnn")
        // TUTORIAL-BEGIN text
        // The same Trainer as `latent train`: a configuration in, a run folder out.
        var configuration = TrainingConfiguration()
        configuration.modelName = "char-rnn"
        configuration.modelOptions = ["cell": "gru", "layers": "1", "hidden": "128", "window": "32"]
        configuration.dataset = "sherlock-holmes-excerpt"
        configuration.steps = 150
        configuration.batchSize = 32
        configuration.learningRate = PerGroup(3e-3)
        configuration.validateEvery = 150
        let run = RunDirectory(runFolder)
        _ = try Trainer(configuration: configuration, run: run).train()

        let trained = try TrainedRun(run)                      // the best checkpoint by validation
        let bits = try trained.evaluate(split: .test)["bits-per-char"]!
        let text = try trained.text(prompt: "Holmes ", count: 1, length: 200,
                                    sampling: TextSampling(temperature: 0.8, topK: 20), seed: 1)[0]
        print("test: \(bits) bits per character\n\(text)")     // the text begins with the prompt
        // TUTORIAL-END
        #expect(bits < 3.3, "bits per character \(bits)")
        #expect(text.hasPrefix("Holmes ") && text.count == 207, "\(text)")
    }

    @Test func everyArticleShowsItsSnippet() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let articles = ["vae": "VariationalAutoencoders", "flow": "NormalizingFlows", "gan": "AdversarialNetworks",
                        "text": "AutoregressiveModels"]
        let snippets = markedSnippets(in: source, begin: "// TUTORIAL-BEGIN ", end: "// TUTORIAL-END")
        #expect(Set(snippets.keys) == Set(articles.keys))
        for (name, snippet) in snippets {
            let url = root.appendingPathComponent("Sources/Latent/Latent.docc/\(articles[name]!).md")
            let article = try String(contentsOf: url, encoding: .utf8)
            #expect(article.contains(snippet), "\(url.lastPathComponent) does not show the '\(name)' code of TutorialTests")
        }
    }
}

/// The blocks between `begin NAME` and `end` marker lines of a test source, keyed by NAME
/// (an empty name when the begin marker has none), with the test's indentation removed.
func markedSnippets(in source: String, begin: String, end: String) -> [String: String] {
    var out: [String: String] = [:]
    var name: String?, lines: [String] = [], indent = 0
    for line in source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix(begin.trimmingCharacters(in: .whitespaces)) {
            name = String(trimmed.dropFirst(begin.trimmingCharacters(in: .whitespaces).count)).trimmingCharacters(in: .whitespaces)
            indent = line.prefix { $0 == " " }.count
            lines = []
        } else if trimmed == end, let current = name {
            out[current] = lines.joined(separator: "\n")
            name = nil
        } else if name != nil {
            lines.append(line.count >= indent ? String(line.dropFirst(indent)) : line.trimmingCharacters(in: .whitespaces))
        }
    }
    return out
}
