import Foundation
import LatentCore
import LatentData
import LatentModels
import LatentNN
import LatentTestSupport
import Testing

/// A module's parameters and buffers as plain arrays, for equality checks.
func stateValues(_ model: Module) -> [String: [Float]] { model.state().mapValues(\.scalars) }

@Suite struct VQVAETests {
    let small = ["codebook-size": "16", "code-dimension": "4", "hidden-channels": "8", "residual-blocks": "1",
                 "prior-channels": "8", "prior-layers": "1"]

    /// A quantizer with K = 3 codes in 2-D at known places.
    func quantizer(_ update: VectorQuantizer.CodebookUpdate) -> VectorQuantizer {
        var g = RandomGenerator(seed: 0)
        let q = VectorQuantizer(codebookSize: 3, codeDimension: 2, update: update, generator: &g)
        let codes = Tensor(shape: [3, 2], scalars: [0, 0, 4, 0, 0, 4])
        if let p = q.learnedCodebook { p.wrappedValue = codes }
        if let b = q.averagedCodebook { b.wrappedValue = codes; q.codeSums!.wrappedValue = codes }
        return q
    }

    /// `[1, 2, 1, 3]` encoder outputs with channel 0 = `xs`, channel 1 = `ys`.
    func encoded(_ xs: [Float], _ ys: [Float]) -> Tensor {
        Tensor(shape: [1, 2, 1, xs.count], scalars: xs + ys)
    }

    @Test func nearestCodesAndStraightThroughGradient() {
        let q = quantizer(.gradient)
        let z = encoded([0.5, 3.2, 0.4], [0.3, 0.9, 3.1])
        let result = q(z)
        #expect(result.indices == IndexTensor(shape: [1, 1, 3], scalars: [0, 1, 2]))
        expectClose(result.quantized, encoded([0, 4, 0], [0, 0, 4]), absolute: 1e-6)
        // Straight through: d/dz Σ w ⊙ quantized = w exactly.
        let weights = Tensor(shape: [1, 2, 1, 3], scalars: [1, -2, 3, 0.5, 4, -1])
        let grad = gradient(at: z) { (q($0).quantized * weights).sum() }
        expectClose(grad, weights, absolute: 0)
        // The commitment and codebook terms are ordinary functions while the assignment stays.
        let expectedCommitment: Float = 0.25 + 0.09 + 0.64 + 0.81 + 0.16 + 0.81
        #expect(abs(result.commitment.scalars[0] - expectedCommitment) < 1e-5)
        expectGradient(at: [z], "commitment") { q($0[0]).commitment.sum() }
        expectGradient(at: [q.codebook], "codebook loss") { xs in
            q.learnedCodebook!.wrappedValue = xs[0]
            return q(z).codebookLoss.sum()
        }
        #expect(abs(result.perplexity - 3) < 1e-9)
        #expect(abs(VectorQuantizer.perplexity(IndexTensor([0, 0, 1, 1]), codebookSize: 4) - 2) < 1e-9)
    }

    @Test func movingAverageUpdateFollowsTheFormula() {
        let q = quantizer(.movingAverage(decay: 0.5))
        #expect(q.namedParameters().isEmpty, "the EMA codebook is a buffer")
        #expect(Set(q.namedBuffers().map(\.path)) == ["codebook", "clusterSizes", "codeSums"])
        // (1, 0.5) and (0.5, 1) are nearest to code 0 at the origin, (5, 1) to code 1 at (4, 0).
        let z = encoded([1, 0.5, 5], [0.5, 1, 1])
        let result = q(z)
        #expect(result.indices.scalars == [0, 0, 1])
        #expect(result.codebookLoss.scalars == [0], "no codebook loss with moving averages")
        q.updateCodebook(result)
        // n = [2, 1, 0], s = [(1.5, 1.5), (5, 1), (0, 0)], γ = 0.5, N₀ = 1, m₀ = e.
        let sizes: [Double] = [0.5 + 1, 0.5 + 0.5, 0.5]
        let sums: [[Double]] = [[0.75, 0.75], [2 + 2.5, 0.5], [0, 2]]
        let total = sizes.reduce(0, +), eps = 1e-5
        var expected: [Float] = []
        for k in 0..<3 {
            let smoothed = (sizes[k] + eps) / (total + 3 * eps) * total
            expected += sums[k].map { Float($0 / smoothed) }
        }
        expectClose(q.clusterSizes!.wrappedValue, Tensor(sizes.map(Float.init)))
        expectClose(q.codeSums!.wrappedValue, Tensor(shape: [3, 2], scalars: sums.flatMap { $0.map(Float.init) }))
        expectClose(q.codebook, Tensor(shape: [3, 2], scalars: expected), relative: 1e-5)
        // Code 0 moved from the origin towards the mean (0.75, 0.75) of its vectors.
        #expect(abs(q.codebook.scalars[0] - 0.5) < 1e-4 && abs(q.codebook.scalars[1] - 0.5) < 1e-4)
    }

    @Test func deadCodesRestartOntoBatchEncoderOutputs() {
        // Eight vectors near code 0: codes 1 and 2 never win, so after one step with γ = 0.5
        // their counts are N = 0.5 < 1 and they move onto encoder outputs of the batch.
        let xs: [Float] = [0.1, 0.3, -0.2, 0.5, 0.7, -0.4, 0.2, 0.6]
        let ys: [Float] = [0.2, -0.1, 0.4, 0.3, -0.5, 0.1, 0.8, 0.05]
        let z = Tensor(shape: [1, 2, 1, 8], scalars: xs + ys)
        let vectors = Set(zip(xs, ys).map { [$0, $1] })
        func restarted(seed: UInt64) -> (codes: [Int], state: [String: [Float]]) {
            let q = quantizer(.movingAverage(decay: 0.5))
            let result = q(z)
            #expect(Set(result.indices.scalars) == [0])
            q.updateCodebook(result)
            var g = RandomGenerator(seed: seed)
            return (q.restartDeadCodes(result, generator: &g), stateValues(q))
        }
        let (codes, state) = restarted(seed: 7)
        #expect(codes == [1, 2])
        let codebook = state["codebook"]!, sums = state["codeSums"]!, sizes = state["clusterSizes"]!
        for k in [1, 2] {
            let row = Array(codebook[(2 * k)..<(2 * k + 2)])
            #expect(vectors.contains(row), "code \(k) at \(row) is not an encoder output")
            #expect(Array(sums[(2 * k)..<(2 * k + 2)]) == row && sizes[k] == 1, "statistics of code \(k) not reset")
        }
        #expect(sizes[0] == 0.5 + 0.5 * 8, "a live code keeps its statistics")
        #expect(restarted(seed: 7).state == state, "same seed, same restarts")
        // Zero threshold (and gradient mode) restart nothing.
        let q = quantizer(.movingAverage(decay: 0.5))
        q.restartThreshold = 0
        var g = RandomGenerator(seed: 0)
        #expect(q.restartDeadCodes(q(z), generator: &g).isEmpty)
        #expect(quantizer(.gradient).restartDeadCodes(q(z), generator: &g).isEmpty)
    }

    @Test func codeCountPriorMatchesSmoothedFrequencies() {
        let prior = CodeCountPrior(positions: 2, codebookSize: 3, decay: 0.5, pseudoCount: 1)
        prior.accumulate(IndexTensor(shape: [2, 2], scalars: [0, 2, 0, 1]))
        prior.accumulate(IndexTensor(shape: [1, 2], scalars: [1, 2]))
        // Position 0: 0.5·[2, 0, 0] + [0, 1, 0]; position 1: 0.5·[0, 1, 1] + [0, 0, 1].
        expectClose(prior.counts, Tensor(shape: [2, 3], scalars: [1, 1, 0, 0, 0.5, 1.5]))
        let got = prior.logProb(IndexTensor(shape: [2, 1, 2], scalars: [0, 2, 2, 1])).scalars
        let expected = [log(2.0 / 5) + log(2.5 / 5), log(1.0 / 5) + log(1.5 / 5)]
        for i in 0..<2 { #expect(abs(Double(got[i]) - expected[i]) < 1e-5) }
        var g = RandomGenerator(seed: 3)
        let draws = prior.sample(count: 400, generator: &g)
        #expect(draws.shape == [400, 2])
        let zeros = (0..<400).filter { draws.scalars[2 * $0] == 0 }.count
        #expect(abs(Double(zeros) / 400 - 0.4) < 0.08)
    }

    @Test func trainsAndEvaluatesOnDigits() throws {
        try exerciseOnDigits("vqvae", options: small, steps: 12)
    }

    @Test func independentPriorTrainsOnDigits() throws {
        try exerciseOnDigits("vqvae", options: small.merging(["prior": "independent"]) { $1 }, steps: 12)
    }

    @Test func gradientCodebookTrainsOnDigits() throws {
        try exerciseOnDigits("vqvae", options: small.merging(["codebook-update": "gradient"]) { $1 }, steps: 12)
    }

    @Test func movingAveragesChangeOnlyInTrainingMode() throws {
        var g = RandomGenerator(seed: 1)
        let model = try VQVAE(options: ModelOptions(small.merging(["prior": "independent"]) { $1 },
                                                    declared: VQVAE.options, model: "vqvae"),
                              data: digitsDescription, generator: &g)
        let batch = try Digits.load(.train).batch(at: Array(0..<8), generator: &g)
        let before = stateValues(model)
        model.eval()
        _ = model.trainingLoss(batch, progress: TrainingProgress(step: 0, epoch: 0), generator: &g)
        #expect(stateValues(model) == before)
        model.train()
        _ = model.trainingLoss(batch, progress: TrainingProgress(step: 0, epoch: 0), generator: &g)
        let after = stateValues(model)
        for key in ["quantizer.codebook", "quantizer.clusterSizes", "quantizer.codeSums", "prior.counts"] {
            #expect(after[key] != nil && after[key] != before[key], "\(key) did not change")
        }
    }

    @Test func checkpointRestoresMovingAverages() throws {
        let folder = temporaryFolder("vqvae-checkpoint")
        defer { try? FileManager.default.removeItem(at: folder) }
        let options = try ModelOptions(small, declared: VQVAE.options, model: "vqvae")
        var g = RandomGenerator(seed: 2)
        let model = try VQVAE(options: options, data: digitsDescription, generator: &g)
        let train = try Digits.load(.train)
        let optimizer = Adam(learningRate: 1e-3)
        for step in 0..<3 {
            let batch = train.batch(at: Array((8 * step)..<(8 * step + 8)), generator: &g)
            let (_, gradients) = valueAndGradient(of: model) { m in
                m.trainingLoss(batch, progress: TrainingProgress(step: step, epoch: 0), generator: &g).loss
            }
            optimizer.update(model, with: gradients)
        }
        let url = folder.appendingPathComponent("model.safetensors")
        try Checkpoint.save(model: model, optimizer: optimizer, to: url)
        var other = RandomGenerator(seed: 99)
        let restored = try VQVAE(options: options, data: digitsDescription, generator: &other)
        #expect(stateValues(restored)["quantizer.clusterSizes"] != stateValues(model)["quantizer.clusterSizes"])
        try Checkpoint.load(from: url, into: restored, optimizer: Adam(learningRate: 1e-3))
        #expect(stateValues(restored) == stateValues(model))
        let batch = try Digits.load(.test).batch(at: Array(0..<16), generator: &g)
        model.eval(); restored.eval()
        var g1 = RandomGenerator(seed: 5), g2 = RandomGenerator(seed: 5)
        #expect(model.evaluationSums(batch, generator: &g1) == restored.evaluationSums(batch, generator: &g2))
    }

    @Test func trainEvaluateSampleThroughTheTrainer() throws {
        let folder = temporaryFolder("vqvae-run")
        defer { try? FileManager.default.removeItem(at: folder) }
        var config = configuration("digits", steps: 10)
        config.modelName = "vqvae"
        config.modelOptions = small
        config.learningRate = 3e-3
        let run = RunDirectory(folder.appendingPathComponent("run"))
        #expect(try Trainer(configuration: config, run: run).train() == .completed(step: 10))
        let trained = try TrainedRun(run, checkpoint: "latest")
        let metrics = try trained.evaluate(split: .test)
        for name in ["nll", "reconstruction", "prior-nll", "perplexity", "commitment"] {
            #expect(metrics[name].map { $0.isFinite && $0 > 0 } == true, "\(name): \(metrics[name] ?? .nan)")
        }
        #expect(abs(metrics["nll"]! - metrics["reconstruction"]! - metrics["prior-nll"]!) < 1e-6 * metrics["nll"]!)
        let samples = trained.sample(count: 5, seed: 0)
        #expect(samples.shape == [5, 1, 8, 8])
        let html = try TrainingReport.html(for: trained, sampleCount: 16)
        #expect(html.contains("data:image/png;base64,"))
    }

    @Test func shapesAndOptionErrors() throws {
        #expect(try ModelRegistry.model(named: "vqvae").modelName == VQVAE.modelName)
        var g = RandomGenerator(seed: 0)
        let defaults = try ModelOptions([:], declared: VQVAE.options, model: "vqvae")
        let mnist = DataDescription(featureShape: [1, 28, 28], kind: .image(levels: 256), name: "mnist")
        let model = try VQVAE(data: mnist, codebookSize: 8, codeDimension: 4, hiddenChannels: 4, residualBlocks: 1,
                              generator: &g)
        #expect(model.latentShape == [7, 7])
        #expect(model.encoder(Tensor.zeros([2, 1, 28, 28])).shape == [2, 4, 7, 7])
        #expect(model.sample(count: 2, generator: &g).shape == [2, 1, 28, 28])
        #expect(try VQVAE(data: digitsDescription, codebookSize: 8, codeDimension: 4, hiddenChannels: 4,
                          generator: &g).latentShape == [4, 4])
        for bad in [DataDescription(featureShape: [2], kind: .continuous, name: "moons"),
                    DataDescription(featureShape: [1, 7, 7], kind: .image(levels: 256), name: "odd")] {
            #expect(throws: ModelOptionError.self) { _ = try VQVAE(options: defaults, data: bad, generator: &g) }
        }
        for (name, value) in [("ema-decay", "1"), ("codebook-size", "0"), ("beta", "-1"), ("prior-decay", "0"),
                              ("codebook-update", "kmeans"), ("restart-threshold", "-1"), ("prior", "gaussian"),
                              ("prior-channels", "0"), ("prior-layers", "-1")] {
            #expect(throws: ModelOptionError.self, "\(name)=\(value)") {
                _ = try VQVAE(options: ModelOptions([name: value], declared: VQVAE.options, model: "vqvae"),
                              data: digitsDescription, generator: &g)
            }
        }
    }
}
