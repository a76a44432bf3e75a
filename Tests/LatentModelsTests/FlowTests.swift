import Foundation
import LatentCore
import LatentData
import LatentNN
import LatentProbability
import LatentTestSupport
import LatentModels
import Testing

@Suite struct FlowTests {
    /// An ActNorm flow over a standard normal base is the Gaussian N(μ, diag σ²).
    @Test func affineFlowEqualsClosedFormGaussian() {
        let a = ActNorm(featureCount: 3)
        a.shift = Tensor([0.5, -1, 2])
        a.logScale = Tensor([0.3, -0.2, 0.7])
        a.eval()
        let flow = Flow(eventShape: [3], transforms: [a])
        var rng = RandomGenerator(seed: 1)
        let x = rng.normal([5, 3]) * 2
        let gaussian = Independent(Normal(loc: Tensor([0.5, -1, 2]), scale: Tensor([0.3, -0.2, 0.7]).exp()), reinterpretedBatchDimensions: 1)
        expectClose(flow.logProb(x), gaussian.logProb(x), relative: 1e-5, absolute: 1e-5)
        let (s, lp) = flow.sampleAndLogProb(7, generator: &rng)
        expectClose(lp, gaussian.logProb(s), relative: 1e-5, absolute: 1e-5)
    }

    /// Sampling and density agree for every builder: logProb(sample) = sampleAndLogProb's
    /// log-density, and latent/data map back and forth.
    @Test func buildersSampleAndLogProbConsistently() {
        var rng = RandomGenerator(seed: 2)
        let flows = [
            Flow.realNVP(dimension: 3, layers: 3, hidden: [8], generator: &rng),
            Flow.realNVP(dimension: 3, layers: 2, hidden: [8], additive: true, batchNorm: true, generator: &rng),
            Flow.maf(dimension: 3, layers: 2, hidden: [8], generator: &rng),
            Flow.maf(dimension: 3, layers: 2, hidden: [8], inverse: true, generator: &rng),
            Flow.nsf(dimension: 3, layers: 2, hidden: [8], binCount: 4, generator: &rng),
            Flow.nsf(dimension: 3, layers: 2, hidden: [8], binCount: 4, autoregressive: true, generator: &rng),
        ]
        for flow in flows {
            randomize(flow, scale: 0.2)
            flow.eval()
            let (x, lp) = flow.sampleAndLogProb(6, generator: &rng)
            expectClose(flow.logProb(x), lp, relative: 1e-3, absolute: 1e-3)
            expectClose(flow.data(fromLatent: flow.latent(x)), x, relative: 1e-4, absolute: 1e-4)
        }
    }

    /// A conditional flow's density is normalised for each context and depends on it.
    @Test func conditionalFlowIntegratesToOnePerContext() {
        var rng = RandomGenerator(seed: 3)
        let flow = Flow.realNVP(dimension: 2, layers: 3, hidden: [8], contextSize: 2, generator: &rng)
        randomize(flow, scale: 0.3)
        flow.eval()
        for label in 0..<2 {
            let grid = DensityGrid(xRange: -7...7, yRange: -7...7, resolution: 70) { points in
                let c = oneHot(IndexTensor([Int](repeating: label, count: points.shape[0])), classCount: 2)
                return flow.logProb(points, context: c)
            }
            #expect(abs(grid.integral - 1) < 0.01, "context \(label): ∫p = \(grid.integral)")
        }
    }

    /// A flow trained briefly on two moons integrates to 1 on a grid, and its heat map is
    /// an RGB image in [0, 1].
    @Test func trainedFlowIntegratesToOne() {
        var rng = RandomGenerator(seed: 4)
        let flow = Flow.nsf(dimension: 2, layers: 2, hidden: [16], binCount: 6, generator: &rng)
        let optimizer = Adam(learningRate: 3e-3)
        for _ in 0..<15 {
            let x = ToyDensity.twoMoons.sample(128, generator: &rng)
            let (_, g) = valueAndGradient(of: flow) { -$0.logProb(x).mean() }
            optimizer.update(flow, with: g)
        }
        flow.eval()
        let grid = DensityGrid(xRange: -6...6, yRange: -6...6, resolution: 80) { flow.logProb($0) }
        #expect(abs(grid.integral - 1) < 0.01, "∫p = \(grid.integral)")
        let image = grid.heatMap
        #expect(image.shape == [3, 80, 80])
        #expect(image.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    /// Dequantisation bookkeeping: a flow that is the identity on w has
    /// NLL = −log N(w) − log|dw/dy| + D log L, and the logit log-determinant matches
    /// autodiff.
    @Test func dequantizationLogDeterminant() {
        let d = Dequantization(levels: 256, alpha: 0.05)
        let y = Tensor(shape: [2, 3], scalars: [0.1, 0.5, 0.9, 0.01, 0.3, 0.99])
        let (_, logDet) = d.logit(y)
        for b in 0..<2 {
            let row = y.sliced(alongAxis: 0, range: b..<(b + 1))
            var expected: Float = 0
            for j in 0..<3 {
                let g = gradient(at: row) { d.logit($0).0.sliced(alongAxis: 1, range: j..<(j + 1)).sum() }
                expected += log(abs(g.scalars[j]))
            }
            #expect(abs(logDet.scalars[b] - expected) < 1e-4)
        }
        var rng = RandomGenerator(seed: 5)
        let pixels = Tensor(shape: [1, 3], scalars: [0, 128.0 / 255, 1])
        let (w, _) = d.forward(pixels, generator: &rng)
        #expect(w.scalars.allSatisfy { $0.isFinite })
        let back = d.inverse(w).scalars
        for (b, p) in zip(back, pixels.scalars) { #expect(abs(b - p) <= 1.0 / 255 + 1e-4) }
    }

    @Test func modelsAreRegisteredAndTrainOnABatch() throws {
        for name in ["realnvp", "maf", "nsf"] {
            let type = try ModelRegistry.model(named: name)
            var rng = RandomGenerator(seed: 6)
            let options = try ModelOptions(["layers": "2", "hidden": "8"], declared: type.options, model: name)
            let model = try type.init(options: options, data: DataDescription(featureShape: [2], kind: .continuous, name: "moons"),
                                      generator: &rng) as! any SingleLossModel<TensorBatch>
            let batch = TensorBatch(features: ToyDensity.twoMoons.sample(16, generator: &rng), indices: Array(0..<16))
            let loss = model.trainingLoss(batch, progress: TrainingProgress(step: 0, epoch: 0), generator: &rng)
            #expect(loss.loss.scalar.isFinite)
            let sums = model.evaluationSums(batch, generator: &rng)
            #expect(sums["nll"]!.isFinite)
            #expect(model.sample(count: 5, generator: &rng).shape == [5, 2])
            // 2-D flows report the integral of their density on a grid; a freshly initialised
            // flow is close to a standard normal, whose mass lies inside [−6, 6]².
            let finalized = model.finalizeEvaluation(["nll": sums["nll"]! / 16])
            #expect(abs(finalized["grid-integral"]! - 1) < 0.01, "\(name): \(finalized)")
            (model as! FlowModel).heatMapResolution = 24
            let figures = model.figures(data: batch, generator: &rng)
            #expect(figures.first?.pixels.shape == [3, 24, 24])
        }
        // Images: dequantised, logit-transformed, class-conditional.
        var rng = RandomGenerator(seed: 7)
        let options = try ModelOptions(["layers": "2", "hidden": "8", "conditional": "true"], declared: RealNVPModel.options, model: "realnvp")
        let model = try RealNVPModel(options: options, data: DataDescription(featureShape: [1, 4, 4], classCount: 3, kind: .image(levels: 17), name: "tiny"),
                                     generator: &rng)
        let features = Tensor(shape: [4, 1, 4, 4]) { p, n in for i in 0..<n { p[i] = Float(i % 17) / 16 } }
        let batch = TensorBatch(features: features, labels: IndexTensor([0, 1, 2, 0]), indices: Array(0..<4))
        let loss = model.trainingLoss(batch, progress: TrainingProgress(step: 0, epoch: 0), generator: &rng)
        #expect(loss.loss.scalar.isFinite && loss.metrics["bits-per-dim"]! > 0)
        #expect(model.sample(count: 6, generator: &rng).shape == [6, 1, 4, 4])
        let glowOptions = try ModelOptions(["levels": "1", "steps": "1", "hidden-channels": "4"], declared: GlowModel.options, model: "glow")
        let glow = try GlowModel(options: glowOptions, data: DataDescription(featureShape: [1, 4, 4], kind: .image(levels: 17), name: "tiny"),
                                 generator: &rng)
        #expect(glow.trainingLoss(batch, progress: TrainingProgress(step: 0, epoch: 0), generator: &rng).loss.scalar.isFinite)
        #expect(glow.sample(count: 2, generator: &rng).shape == [2, 1, 4, 4])
        #expect(throws: ModelOptionError.self) {
            try RealNVPModel(options: options, data: DataDescription(featureShape: [2], kind: .continuous, name: "moons"), generator: &rng)
        }
    }
}
