import Foundation
import LatentCore
import LatentData
import LatentNN

/// A generative adversarial network with MLP generator and discriminator, for vector data
/// (1-D and 2-D toy densities, tabular data): `latent train gan`.
///
/// The generator maps noise `z ~ N(0, I)` to data, `x = G(z)`; the discriminator gives a
/// logit `D(x)` for "real". Each training step makes `n-critic` discriminator updates, then
/// one generator update (Goodfellow et al. 2014, Algorithm 1), each through its own
/// optimiser: the parameter groups `generator` and `discriminator`, by default Adam with
/// learning rate 2·10⁻⁴ and β = (0.5, 0.999) (Radford et al. 2016). The real batch of a step
/// is split into `n-critic` equal parts, one per discriminator update.
///
/// A GAN has no likelihood. Validation draws as many samples as there are validation
/// points (at most `eval-samples`) and reports the sliced Wasserstein-1 distance to them
/// (`sliced-w1`, the exact W₁ for 1-D data; it picks the `best` checkpoint), the distance
/// between the means (`mean-gap`) and the mean absolute difference of the per-dimension
/// standard deviations (`std-gap`).
public final class GAN: Module, GenerativeModel {
    public static let modelName = "gan"
    public static let abstract = "Generative adversarial network with MLP generator and discriminator, for vector data (two optimisers)."

    static let noiseDimension = ModelOption<Int>("noise-dimension", default: 8, bounds: .positive, help: "Dimension of the generator's noise z.")
    static let hidden = ModelOption<[Int]>("hidden", default: [64, 64], bounds: .positiveEntries(nonEmpty: true),
                                           help: "Hidden widths of the generator MLP; the discriminator uses the same widths.")
    static let loss = ModelOption<AdversarialLoss>("loss", default: .nonSaturating, help: "The adversarial objective.")
    static let criticSteps = ModelOption<Int>("n-critic", default: 1, bounds: .within(1...100),
                                              help: "Discriminator updates per generator update (the step's batch is split among them).")
    static let evaluationSamples = ModelOption<Int>("eval-samples", default: 10_000, bounds: .positive,
                                                    help: "At most this many validation points and as many samples for the sample distances.")
    public static var options: [any DeclaredOption] { [noiseDimension, hidden, loss, criticSteps, evaluationSamples] }

    /// The generator's and the discriminator's optimiser defaults (DCGAN's Adam settings).
    public static func parameterGroups(options: ModelOptions) -> [ParameterGroup] {
        let adam = OptimizerSettings(optimizer: .adam, learningRate: 2e-4, beta1: 0.5, beta2: 0.999)
        return [ParameterGroup("generator", prefixes: ["generator."], defaults: adam),
                ParameterGroup("discriminator", prefixes: ["discriminator."], defaults: adam)]
    }

    /// `z ↦ x`, `[B, noise] → [B, D]`.
    public let generator: Sequential
    /// `x ↦` logit of "real", `[B, D] → [B, 1]`.
    public let discriminator: Sequential
    public let data: DataDescription
    public let noiseDimension: Int
    public let loss: AdversarialLoss
    public let criticSteps: Int
    public let evaluationSamples: Int

    public init(options: ModelOptions, data: DataDescription, generator rng: inout RandomGenerator) throws {
        guard data.featureShape.count == 1, case .continuous = data.kind else {
            throw ModelOptionError("gan: needs vector data (feature shape [D]); '\(data.name)' has shape \(data.featureShape)")
        }
        self.data = data
        noiseDimension = options[Self.noiseDimension]
        loss = options[Self.loss]
        criticSteps = options[Self.criticSteps]
        evaluationSamples = options[Self.evaluationSamples]
        let widths = options[Self.hidden], d = data.dimension
        func mlp(_ sizes: [Int], _ activation: () -> any Layer) -> Sequential {
            var layers: [any Layer] = []
            for (i, (a, b)) in zip(sizes, sizes.dropFirst()).enumerated() {
                layers.append(Linear(a, b, generator: &rng))
                if i < sizes.count - 2 { layers.append(activation()) }
            }
            return Sequential(layers)
        }
        generator = mlp([noiseDimension] + widths + [d]) { ReLU() }
        discriminator = mlp([d] + widths + [1]) { LeakyReLU(negativeSlope: 0.2) }
        super.init()
    }

    /// Generated data for noise `z`.
    public func generate(_ z: Tensor) -> Tensor { generator(z) }

    public func trainingStep(_ batch: TensorBatch, context: TrainingStepContext) throws -> StepResult {
        let real = batch.features.reshaped(to: [batch.count, data.dimension])
        let part = max(batch.count / criticSteps, 1)
        var discriminatorLoss = 0.0
        for k in 0..<criticSteps {
            let rows = min(part, batch.count - k * part)
            guard rows > 0 else { break }
            let realPart = real.sliced(alongAxis: 0, range: (k * part)..<(k * part + rows))
            let z = context.generator.normal([rows, noiseDimension])
            let fake = withoutDerivative { generator(z) }
            discriminatorLoss += try context.update("discriminator") {
                loss.discriminatorLoss(real: discriminator(realPart), fake: discriminator(fake))
            } / Double(criticSteps)
        }
        let z = context.generator.normal([batch.count, noiseDimension])
        let generatorLoss = try context.update("generator") { loss.generatorLoss(fake: discriminator(generator(z))) }
        return StepResult(loss: discriminatorLoss, metrics: ["discriminator-loss": discriminatorLoss, "generator-loss": generatorLoss])
    }

    public var evaluationMetrics: [String] { ["sliced-w1", "mean-gap", "std-gap"] }

    /// Sample distances need the whole split at once (``evaluate(on:batchSize:generator:)``).
    public func evaluationSums(_ batch: TensorBatch, generator: inout RandomGenerator) -> [String: Double] { [:] }

    public func evaluate(on data: AnyDataset<TensorBatch>, batchSize: Int, generator rng: inout RandomGenerator) -> [String: Double]? {
        let n = min(data.count, evaluationSamples)
        guard n > 0 else { return [:] }
        let real = data.batch(at: Array(0..<n)).features.reshaped(to: [n, self.data.dimension])
        let fake = sample(count: n, generator: &rng)
        let (m0, s0) = SampleDistance.moments(real), (m1, s1) = SampleDistance.moments(fake)
        let meanGap = zip(m0, m1).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let stdGap = zip(s0, s1).reduce(0.0) { $0 + abs($1.0 - $1.1) } / Double(s0.count)
        return ["sliced-w1": SampleDistance.slicedWasserstein(real, fake, generator: &rng), "mean-gap": meanGap, "std-gap": stdGap]
    }

    public func sample(count: Int, generator rng: inout RandomGenerator) -> Tensor {
        let z = rng.normal([count, noiseDimension])
        return withoutDerivative { generator(z) }.reshaped(to: [count] + data.featureShape)
    }
}
