import Foundation
import Latent
@_spi(Benchmarks) import LatentCore

/// The `models` suite: full training steps (forward + backward + Adam update) and
/// sampling of the reference models of `../shared/bench/pytorch_reference.py` (beside the repository), with
/// the same shapes, batch sizes, loss definitions and timing protocol, so that the two
/// can be compared side by side (`Scripts/bench/compare_pytorch.sh`).
///
/// Protocol (as in the PyTorch script): every model is built and given `warmup` untimed
/// steps; then `rounds` rounds, each re-warming a model with one untimed step and timing
/// `steps` individual steps of it, model after model (interleaved, so drifts in the
/// machine's state hit all models alike). Median / min / max over all timed steps are
/// reported. Settings come from the environment:
/// `LATENT_BENCH_WARMUP` (5), `LATENT_BENCH_ROUNDS` (5), `LATENT_BENCH_STEPS` (20),
/// `LATENT_BENCH_SAMPLE_STEPS` (8; MADE uses max(2, this/4)), `LATENT_BENCH_ONLY`
/// (comma-separated keys: vae, iwae, realnvp, made, dcgan, lstm, transformer, glow, glow-large),
/// `LATENT_BENCH_SAMPLING` (1; 0 skips the sampling benchmarks).
enum ModelBenchmark {
    /// One timed workload: a key shared with the PyTorch script, a display name and the
    /// function timed once per sample.
    struct Workload {
        let key: String
        let name: String
        let run: (Int) -> Void
        var samples: [Double] = []
        var roundMedians: [Double] = []
    }

    static func setting(_ name: String, _ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? fallback
    }

    static func run() {
        let warmup = setting("LATENT_BENCH_WARMUP", 5)
        let rounds = setting("LATENT_BENCH_ROUNDS", 5)
        let steps = setting("LATENT_BENCH_STEPS", 20)
        let sampleSteps = setting("LATENT_BENCH_SAMPLE_STEPS", 8)
        let only = Set((ProcessInfo.processInfo.environment["LATENT_BENCH_ONLY"] ?? "")
            .split(separator: ",").map { String($0) })
        let selected: (String) -> Bool = { only.isEmpty || only.contains($0) }

        print("### Reference models: training steps (forward + backward + Adam) and sampling\n")
        print("warm-up \(warmup) | \(rounds) rounds × \(steps) timed steps | \(Timing.clockName) | "
              + "\(Parallel.threadCount) threads\n")

        var train: [Workload] = []
        for (key, name, factory) in trainingFactories where selected(key) {
            let step = factory()
            for i in 0..<warmup { step(i) }
            train.append(Workload(key: key, name: name, run: step))
        }
        var sample: [(workload: Workload, repetitions: Int)] = []
        let sampling = setting("LATENT_BENCH_SAMPLING", 1) != 0
        for (key, name, factory) in samplingFactories where sampling && selected(key) {
            let call = factory()
            for _ in 0..<(key == "made" ? 1 : warmup) { call(0) }
            sample.append((Workload(key: key, name: name, run: call),
                           key == "made" ? max(2, sampleSteps / 4) : sampleSteps))
        }

        for _ in 0..<rounds {
            for index in train.indices {
                train[index].run(0)  // re-warm caches after switching models (untimed)
                timeBlock(&train[index], count: steps)
            }
            for index in sample.indices {
                timeBlock(&sample[index].workload, count: sample[index].repetitions)
            }
        }

        let headers = ["key", "model", "median ms", "min ms", "max ms", "round medians ms"]
        if !train.isEmpty {
            print("training step (fwd+bwd+Adam)\n")
            let table = MarkdownTable(headers)
            for w in train { table.row(cells(w)) }
            print("")
        }
        if !sample.isEmpty {
            print("sampling (no graph recorded)\n")
            let table = MarkdownTable(headers)
            for s in sample { table.row(cells(s.workload)) }
            print("")
        }
    }

    static func timeBlock(_ workload: inout Workload, count: Int) {
        var block: [Double] = []
        for i in 0..<count {
            let start = Timing.now()
            workload.run(i)
            block.append(Timing.now() - start)
        }
        workload.samples += block
        workload.roundMedians.append(median(block))
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func cells(_ w: Workload) -> [String] {
        let ms = { (x: Double) in format(x * 1e3, 2) }
        let range = "\(ms(w.roundMedians.min() ?? .nan))–\(ms(w.roundMedians.max() ?? .nan))"
        return [w.key, w.name, ms(median(w.samples)), ms(w.samples.min() ?? .nan),
                ms(w.samples.max() ?? .nan), range]
    }

    // MARK: - Training steps

    static var trainingFactories: [(String, String, () -> (Int) -> Void)] { [
        ("vae", "VAE (MLP, z=32) B=128", vaeStep),
        ("iwae", "IWAE k=10 B=128", iwaeStep),
        ("realnvp", "RealNVP 8 coupling B=128", realNVPStep),
        ("made", "MADE 1x1024 B=128", madeStep),
        ("dcgan", "DCGAN-small D+G step B=64", dcganStep),
    ] + sequenceTrainingFactories + imageFlowTrainingFactories }

    static let batchCount = 4

    /// `batchCount` batches of fair coin flips, as `torch.bernoulli(full(0.5))`.
    static func binaryBatches(_ batch: Int, _ rng: inout RandomGenerator) -> [Tensor] {
        (0..<batchCount).map { _ in rng.bernoulli([batch, BenchVAE.dataDimension], probability: 0.5) }
    }

    /// One Adam training step of `model` on batch `i % batches.count`.
    static func makeStep<M: Module, B>(_ model: M, batches: [B], learningRate: Float = 1e-3,
                                       loss: @escaping (M, B) -> Tensor) -> (Int) -> Void {
        let optimizer = Adam(learningRate: learningRate)
        return { i in
            let batch = batches[i % batches.count]
            let (value, gradients) = valueAndGradient(of: model) { loss($0, batch) }
            optimizer.update(model, with: gradients)
            blackHole(value)
        }
    }

    static func vaeStep() -> (Int) -> Void {
        var rng = RandomGenerator(seed: 0)
        let model = BenchVAE(generator: &rng)
        let batches = binaryBatches(128, &rng)
        let noise = NoiseSource(seed: 1)
        return makeStep(model, batches: batches) { m, x in m.negativeELBO(x, noise: noise) }
    }

    static func iwaeStep() -> (Int) -> Void {
        var rng = RandomGenerator(seed: 0)
        let model = BenchVAE(generator: &rng)
        let batches = binaryBatches(128, &rng)
        let noise = NoiseSource(seed: 1)
        return makeStep(model, batches: batches) { m, x in m.iwaeLoss(x, samples: 10, noise: noise) }
    }

    static func realNVPStep() -> (Int) -> Void {
        var rng = RandomGenerator(seed: 0)
        let model = BenchRealNVP(generator: &rng)
        let batches = (0..<batchCount).map { _ in rng.normal([128, BenchVAE.dataDimension]) }
        return makeStep(model, batches: batches) { m, x in m.negativeLogLikelihood(x) }
    }

    static func madeStep() -> (Int) -> Void {
        var rng = RandomGenerator(seed: 0)
        let model = BenchMADE(generator: &rng)
        let batches = binaryBatches(128, &rng)
        return makeStep(model, batches: batches) { m, x in m.loss(x) }
    }

    static func dcganStep() -> (Int) -> Void {
        var rng = RandomGenerator(seed: 0)
        let generator = BenchGenerator(generator: &rng)
        let discriminator = BenchDiscriminator(generator: &rng)
        let optimizerG = Adam(learningRate: 2e-4, beta1: 0.5, beta2: 0.999)
        let optimizerD = Adam(learningRate: 2e-4, beta1: 0.5, beta2: 0.999)
        let batch = 64
        let reals = (0..<batchCount).map { _ in rng.uniform([batch, 1, 28, 28], low: -1, high: 1) }
        let noise = NoiseSource(seed: 1)
        return { i in
            let x = reals[i % reals.count]
            // D step: non-saturating GAN loss; G's parameters are not tracked here, so its
            // forward pass records nothing (as `.detach()`).
            let fake = generator(noise.normal([batch, 64])).detached()
            let (lossD, gradientsD) = valueAndGradient(of: discriminator) { d in
                (-d(x)).softplus().mean() + d(fake).softplus().mean()
            }
            optimizerD.update(discriminator, with: gradientsD)
            // G step: fresh z, maximise log D(G(z)).
            let z = noise.normal([batch, 64])
            let (lossG, gradientsG) = valueAndGradient(of: generator) { g in
                (-discriminator(g(z))).softplus().mean()
            }
            optimizerG.update(generator, with: gradientsG)
            blackHole((lossD, lossG))
        }
    }

    // MARK: - Sampling

    static var samplingFactories: [(String, String, () -> (Int) -> Void)] { [
        ("vae", "VAE decode 1000 samples", vaeSampler),
        ("realnvp", "RealNVP sample 1000 (inverse)", realNVPSampler),
        ("made", "MADE sample 100 (784 seq. passes)", madeSampler),
    ] }

    static func vaeSampler() -> (Int) -> Void {
        var rng = RandomGenerator(seed: 0)
        let model = BenchVAE(generator: &rng)
        model.eval()
        let noise = NoiseSource(seed: 1)
        return { _ in blackHole(withoutDerivative { model.decoder(noise.normal([1000, 32])).sigmoid() }) }
    }

    static func realNVPSampler() -> (Int) -> Void {
        var rng = RandomGenerator(seed: 0)
        let model = BenchRealNVP(generator: &rng)
        model.eval()
        let noise = NoiseSource(seed: 1)
        return { _ in blackHole(withoutDerivative { model.sample(noise.normal([1000, BenchVAE.dataDimension])) }) }
    }

    static func madeSampler() -> (Int) -> Void {
        var rng = RandomGenerator(seed: 0)
        let model = BenchMADE(generator: &rng)
        model.eval()
        let noise = NoiseSource(seed: 1)
        return { _ in blackHole(withoutDerivative { model.sample(100, noise: noise) }) }
    }
}

/// A random stream that closures can draw from (a class, so escaping closures can share it).
final class NoiseSource {
    var generator: RandomGenerator
    init(seed: UInt64) { generator = RandomGenerator(seed: seed) }
    func normal(_ shape: [Int]) -> Tensor { generator.normal(shape) }
    func uniform(_ shape: [Int]) -> Tensor { generator.uniform(shape) }
}
