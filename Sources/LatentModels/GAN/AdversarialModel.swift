import Foundation
import LatentCore
import LatentData
import LatentNN

/// A GAN family: a generator `x = G(z)`, `z ~ N(0, I)`, and a discriminator `D(x)`, trained
/// by the shared ``AdversarialTraining`` step. Conforming families (``GAN``, ``DCGAN``) give
/// the two networks; the step, the parameter groups, evaluation, sampling and the figures
/// come from this protocol.
///
/// A GAN has no likelihood. Validation draws as many samples as there are validation
/// points (at most `eval-samples`) and reports the sliced Wasserstein-1 distance to them
/// (`sliced-w1`, on flattened examples; the exact W₁ for 1-D data), the distance between
/// the means (`mean-gap`) and the mean absolute difference of the per-dimension standard
/// deviations (`std-gap`). On the Gaussian mixtures `8gaussians` and `25gaussians` it adds
/// the ``ModeCoverage`` metrics (`modes-covered`, `high-quality`, `mode-kl`), and the
/// `best` checkpoint is the one covering most modes. Image GANs with a feature network
/// (``featureNetwork``, the `feature-network` option) add the ``SampleQuality`` metrics —
/// Fréchet distance `fd` first, precision, recall, density, coverage, the Inception-score
/// analogue and, for class-conditional models, `class-accuracy` — and keep the lowest `fd`
/// as `best`. Otherwise `best` is the lowest `sliced-w1`.
public protocol AdversarialModel: GenerativeModel where Batch == TensorBatch {
    /// The shared training options.
    var training: AdversarialTraining { get }
    /// The data the model was built for.
    var data: DataDescription { get }
    /// The discriminator's parameters and buffers (weights clipped by `wasserstein`).
    var discriminatorNetwork: Module { get }
    /// Number of classes the networks are conditioned on (0: unconditional, the default).
    var classCount: Int { get }
    /// `G(z, y)`: `[B, noise] → [B] + featureShape`; `classes` (`[B]`) is nil for
    /// unconditional models and ignored by them.
    func generate(_ z: Tensor, classes: IndexTensor?) -> Tensor
    /// `D(x, y)`: `[B] + featureShape → [B, 1]`; `classes` as for ``generate(_:classes:)``.
    func discriminate(_ x: Tensor, classes: IndexTensor?) -> Tensor
    /// The network samples are measured with in feature space (nil: none, the default).
    var featureNetwork: FeatureNetworkHandle? { get }
    /// The generator's parameters and buffers (the `generator` parameter group).
    var generatorNetwork: Module { get }
}

/// The seed of the noise batches that recompute an averaged generator's batch-norm statistics.
let adversarialStandingStatisticsSeed: UInt64 = 0x57A7_5EED

/// The seed of the fixed noise batch behind the `progress` figure: the same latent points
/// at every checkpoint, so grids from different steps can be compared.
public let adversarialProgressNoiseSeed: UInt64 = 0x5EED_6A4E

extension AdversarialModel {
    public static func parameterGroups(options: ModelOptions) -> [ParameterGroup] {
        AdversarialTraining.parameterGroups(options: options)
    }

    public var classCount: Int { 0 }

    public var featureNetwork: FeatureNetworkHandle? { nil }

    /// Dimension of the noise `z`.
    public var noiseDimension: Int { training.noiseDimension }

    /// At most this many validation points and samples for the sample distances.
    public var evaluationSamples: Int { training.evaluationSamples }

    public func trainingStep(_ batch: TensorBatch, context: TrainingStepContext) throws -> StepResult {
        try training.step(self, batch: batch, context: context)
    }

    /// The Gaussian mixture the data comes from, when it is one (for the mode metrics).
    var modes: GaussianModes? { DatasetCatalog.toyDensity(named: data.name)?.gaussianModes }

    public var evaluationMetrics: [String] {
        var names = ["sliced-w1", "mean-gap", "std-gap"] + (modes == nil ? [] : ModeCoverage.metricNames)
        if featureNetwork != nil { names = SampleQuality.metricNames + (classCount > 0 ? ["class-accuracy"] : []) + names }
        return names
    }

    public var checkpointCriterion: CheckpointCriterion {
        if featureNetwork != nil { return CheckpointCriterion(metric: SampleQuality.frechetDistanceName, lowerIsBetter: true) }
        return modes == nil ? CheckpointCriterion(metric: "sliced-w1", lowerIsBetter: true)
            : CheckpointCriterion(metric: ModeCoverage.modesCoveredName, lowerIsBetter: false,
                                  tieBreaker: .init(metric: ModeCoverage.highQualityName, lowerIsBetter: false))
    }

    /// Sample distances need the whole split at once (``evaluate(on:batchSize:generator:)``).
    public func evaluationSums(_ batch: TensorBatch, generator: inout RandomGenerator) -> [String: Double] { [:] }

    public func evaluate(on data: AnyDataset<TensorBatch>, batchSize: Int, generator rng: inout RandomGenerator) -> [String: Double]? {
        let n = min(data.count, evaluationSamples)
        guard n > 0 else { return [:] }
        let d = self.data.dimension
        let realImages = data.batch(at: Array(0..<n)).features
        let real = realImages.reshaped(to: [n, d])
        let classes = classCount > 0 ? (0..<n).map { $0 % classCount } : nil
        let fakeImages = sample(count: n, classes: classes.map { IndexTensor($0) }, generator: &rng)
        let fake = fakeImages.reshaped(to: [n, d])
        let (m0, s0) = SampleDistance.moments(real), (m1, s1) = SampleDistance.moments(fake)
        let meanGap = zip(m0, m1).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let stdGap = zip(s0, s1).reduce(0.0) { $0 + abs($1.0 - $1.1) } / Double(s0.count)
        var metrics = ["sliced-w1": SampleDistance.slicedWasserstein(real, fake, generator: &rng), "mean-gap": meanGap, "std-gap": stdGap]
        if let modes {
            let count = ModeCoverage.standardSampleCount
            metrics.merge(ModeCoverage(samples: sample(count: count, generator: &rng), modes: modes).metrics) { a, _ in a }
        }
        if let featureNetwork {
            metrics.merge(featureNetwork.quality(real: realImages).score(fakeImages, classes: classes)) { a, _ in a }
            // The training-against-test floor, when measured at the same sample count.
            if let record = featureNetwork.record, record.floorSamples == n, let floor = record.floor[SampleQuality.frechetDistanceName] {
                metrics["fd-floor"] = floor
            }
        }
        return metrics
    }

    /// `count` samples; a conditional model cycles through the classes (0, 1, …, K − 1, 0, …).
    public func sample(count: Int, generator rng: inout RandomGenerator) -> Tensor {
        sample(count: count, classes: classCount > 0 ? IndexTensor((0..<count).map { $0 % classCount }) : nil, generator: &rng)
    }

    func sample(count: Int, classes: IndexTensor?, generator rng: inout RandomGenerator) -> Tensor {
        let z = rng.normal([count, noiseDimension])
        return withoutDerivative { generate(z, classes: classes) }.reshaped(to: [count] + data.featureShape)
    }

    /// `progress`: 64 samples from a fixed noise batch (seed ``adversarialProgressNoiseSeed``),
    /// as an image grid or, for 2-D data, a histogram over [−4.5, 4.5]².
    public func figures(data batch: TensorBatch, generator: inout RandomGenerator) -> [ModelFigure] {
        progressFigure().map { [$0] } ?? []
    }

    /// With a generator average in place, the generator's batch-norm running statistics
    /// (accumulated by the trained generator) no longer match its parameters; they are
    /// recomputed as standing statistics (Brock et al. 2019, BigGAN §3.1 / StudioGAN): the
    /// plain average over 16 batches of 256 generated examples from a fixed noise stream
    /// (classes cycled for a conditional generator). A generator without batch norm is untouched.
    public func averagesDidLoad() {
        let layers = generatorNetwork.namedModules().compactMap { $0.module as? BatchNormLayer }
        guard !layers.isEmpty else { return }
        var noise = RandomGenerator(seed: adversarialStandingStatisticsSeed)
        BatchNormLayer.recomputeRunningStatistics(of: layers) {
            for _ in 0..<16 {
                let z = noise.normal([256, noiseDimension])
                let classes = classCount > 0 ? IndexTensor((0..<256).map { $0 % classCount }) : nil
                _ = generate(z, classes: classes)
            }
        }
    }

    /// The `progress` grid, also saved at every validation: 64 samples from a fixed noise
    /// batch (for a class-conditional model, rows of 8 cycle through the classes).
    public func progressFigure() -> ModelFigure? {
        guard TrainedRun.canPicture(data) else { return nil }
        var fixed = RandomGenerator(seed: adversarialProgressNoiseSeed)
        if classCount > 0 && data.featureShape.count == 3 {
            // One row of 8 per class, the same 8 noise vectors in every row.
            let columns = 8
            let z = fixed.normal([columns, noiseDimension])
            let noise = concatenate(Array(repeating: z, count: classCount), alongAxis: 0)
            let classes = IndexTensor((0..<(classCount * columns)).map { $0 / columns })
            let samples = withoutDerivative { generate(noise, classes: classes) }.reshaped(to: [classCount * columns] + data.featureShape)
            return ModelFigure(name: "progress", caption: "One row per class (0 at the top), the same 8 noise vectors in every row and at every checkpoint",
                               pixels: imageGrid(samples, rows: classCount, padding: 1, padValue: 0.5))
        }
        let samples = sample(count: 64, generator: &fixed)
        guard let picture = try? TrainedRun.picture(of: samples, description: data) else { return nil }
        return ModelFigure(name: "progress", caption: "64 samples from a fixed noise batch (the same latent points at every checkpoint)",
                           pixels: picture)
    }
}
