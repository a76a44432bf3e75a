import Foundation
import LatentCore
import LatentData
import LatentNN

/// The options and the training step every GAN family shares (``GAN``, ``DCGAN``): the
/// adversarial loss, discriminator updates per generator update, weight clipping, gradient
/// penalties, lazy regularisation and spectral normalisation of the discriminator.
///
/// One step makes `n-critic` discriminator updates (the step's real batch split into
/// equal parts), then one generator update (Goodfellow et al. 2014, Algorithm 1):
///
/// - `wasserstein`: after each discriminator update every discriminator parameter is
///   clipped to `[−clip, clip]` (Arjovsky et al. 2017, Algorithm 1; the discriminator's
///   parameter average, if any, follows the update before the clipping).
/// - `wgan-gp`: the discriminator loss adds `gp-weight · E(‖∇D(x̂)‖ − 1)²` on random
///   interpolates of real and generated examples (Gulrajani et al. 2017), every update.
/// - `r1`, `r2` (any loss): `γ/2 · E‖∇D(x)‖²` on real (R1) or generated (R2) examples
///   (Mescheder et al. 2018). With `penalty-interval` k > 1 they are applied on every k-th
///   discriminator update only, scaled by k (lazy regularisation, Karras et al. 2020, §B).
///
/// Optimiser defaults depend on the loss (``parameterGroups(options:)``): `wgan-gp` uses
/// Adam with learning rate 10⁻⁴ and β = (0, 0.9) (Gulrajani et al. 2017, Algorithm 1);
/// every other loss Adam with 2·10⁻⁴ and β = (0.5, 0.999) (Radford et al. 2016). Either is
/// overridden per group by `--learning-rate`, `--beta1`, … as usual.
public struct AdversarialTraining: Sendable {
    static let loss = ModelOption<AdversarialLoss>("loss", default: .nonSaturating, help: "The adversarial objective.")
    static let criticSteps = ModelOption<Int>("n-critic", default: 1, bounds: .within(1...100),
                                              help: "Discriminator updates per generator update (the step's batch is split among them).")
    static let clip = ModelOption<Float>("clip", default: 0.01, bounds: .positive,
                                         help: "wasserstein: discriminator weights are clipped to [-clip, clip] after each of its updates.")
    static let gradientPenaltyWeight = ModelOption<Float>("gp-weight", default: 10, bounds: .nonNegative,
                                                          help: "wgan-gp: weight λ of the gradient penalty λ(‖∇D(x̂)‖ − 1)².")
    static let r1 = ModelOption<Float>("r1", default: 0, bounds: .nonNegative, help: "Weight γ of the R1 penalty γ/2·E‖∇D(x)‖² on real data (0: off).")
    static let r2 = ModelOption<Float>("r2", default: 0, bounds: .nonNegative, help: "Weight γ of the R2 penalty γ/2·E‖∇D(G(z))‖² on generated data (0: off).")
    static let penaltyInterval = ModelOption<Int>("penalty-interval", default: 1, bounds: .within(1...1000),
                                                  help: "Apply R1/R2 on every k-th discriminator update only, scaled by k (lazy regularisation).")
    static let spectralNorm = ModelOption<Bool>("spectral-norm", default: false,
                                                help: "Spectrally normalise every discriminator layer (Miyato et al. 2018).")

    /// The options every GAN family declares.
    public static var options: [any DeclaredOption] {
        [loss, criticSteps, clip, gradientPenaltyWeight, r1, r2, penaltyInterval, spectralNorm]
    }

    public var loss: AdversarialLoss
    public var criticSteps: Int
    public var clip: Float
    public var gradientPenaltyWeight: Float
    public var r1: Float
    public var r2: Float
    public var penaltyInterval: Int
    public var spectralNorm: Bool
    /// Dimension of the generator's noise `z` (the family's `noise-dimension` option).
    public var noiseDimension: Int
    /// At most this many validation examples and samples for the sample distances (the
    /// family's `eval-samples` option).
    public var evaluationSamples: Int

    /// Reads the shared options and the family's own `noise-dimension` and `eval-samples`
    /// (declared by each family, with its own defaults).
    public init(options: ModelOptions, noiseDimension: ModelOption<Int>, evaluationSamples: ModelOption<Int>) {
        self.noiseDimension = options[noiseDimension]
        self.evaluationSamples = options[evaluationSamples]
        loss = options[Self.loss]
        criticSteps = options[Self.criticSteps]
        clip = options[Self.clip]
        gradientPenaltyWeight = options[Self.gradientPenaltyWeight]
        r1 = options[Self.r1]
        r2 = options[Self.r2]
        penaltyInterval = options[Self.penaltyInterval]
        spectralNorm = options[Self.spectralNorm]
    }

    /// The generator's and the discriminator's optimiser defaults for the chosen loss.
    public static func optimizerDefaults(for loss: AdversarialLoss) -> OptimizerSettings {
        loss == .wassersteinGradientPenalty
            ? OptimizerSettings(optimizer: .adam, learningRate: 1e-4, beta1: 0, beta2: 0.9)
            : OptimizerSettings(optimizer: .adam, learningRate: 2e-4, beta1: 0.5, beta2: 0.999)
    }

    /// The groups `generator` and `discriminator` (prefixes `generator.`, `discriminator.`).
    public static func parameterGroups(options: ModelOptions) -> [ParameterGroup] {
        let adam = optimizerDefaults(for: options.value(loss))
        return [ParameterGroup("generator", prefixes: ["generator."], defaults: adam),
                ParameterGroup("discriminator", prefixes: ["discriminator."], defaults: adam)]
    }

    /// `layer`, spectrally normalised when the option says so.
    func discriminatorLayer<L: WeightedLayer>(_ layer: L, generator: inout RandomGenerator) -> any Layer {
        spectralNorm ? SpectralNorm(wrapping: layer, generator: &generator) : layer
    }

    /// The discriminator's loss on one part of the batch with the penalties that apply at
    /// discriminator update number `update` (counted over the whole run), and their values.
    /// `onReal` and `onFake` are `D` with the classes of the real and of the generated
    /// examples (the same function for unconditional models); the gradient penalty's
    /// interpolates take the real examples' classes.
    func discriminatorObjective(onReal: (Tensor) -> Tensor, onFake: (Tensor) -> Tensor, real: Tensor, fake: Tensor,
                                epsilon: Tensor?, update: Int) -> (loss: Tensor, penalties: [String: Double]) {
        var total = loss.discriminatorLoss(real: onReal(real), fake: onFake(fake))
        var penalties: [String: Double] = [:]
        if let epsilon {
            let gp = AdversarialPenalty.gradientPenalty(onReal, real: real, fake: fake, epsilon: epsilon)
            penalties["gradient-penalty"] = Double(gp.scalar)
            total = total + gradientPenaltyWeight * gp
        }
        if update % penaltyInterval == 0 {
            func penalize(_ name: String, _ weight: Float, _ critic: (Tensor) -> Tensor, at x: Tensor) {
                guard weight > 0 else { return }
                let r = AdversarialPenalty.squaredGradientNorm(critic, at: x).mean()
                penalties[name] = Double(r.scalar)
                total = total + (weight / 2 * Float(penaltyInterval)) * r
            }
            penalize("r1", r1, onReal, at: real)
            penalize("r2", r2, onFake, at: fake)
        }
        return (total, penalties)
    }

    /// Whether discriminator update number `update` differentiates a gradient.
    func needsGraph(update: Int) -> Bool {
        loss == .wassersteinGradientPenalty || ((r1 > 0 || r2 > 0) && update % penaltyInterval == 0)
    }

    /// Clips every parameter of `module` to `[−clip, clip]` (the `wasserstein` loss).
    func clipWeights(of module: Module) {
        for (_, parameter) in module.namedParameters() where !parameter.isFrozen {
            parameter.wrappedValue = parameter.wrappedValue.clamped(min: -clip, max: clip)
        }
    }

    /// One training step of `model` (see the type's documentation).
    func step<M: AdversarialModel>(_ model: M, batch: TensorBatch, context: TrainingStepContext) throws -> StepResult {
        let real = batch.features
        let classCount = model.classCount
        var labels: [Int32] = []
        if classCount > 0 {
            guard let l = batch.labels else { throw TrainingError("\(M.modelName): needs class labels, and the batch has none") }
            labels = l.scalars
        }
        /// Random classes for generated examples (nil for unconditional models).
        func fakeClasses(_ rows: Int) -> IndexTensor? {
            classCount > 0 ? context.generator.integers([rows], in: 0..<classCount) : nil
        }
        let part = max(batch.count / criticSteps, 1)
        var discriminatorLoss = 0.0
        var penalties: [String: Double] = [:]
        for k in 0..<criticSteps {
            let rows = min(part, batch.count - k * part)
            guard rows > 0 else { break }
            let range = (k * part)..<(k * part + rows)
            let realPart = real.sliced(alongAxis: 0, range: range)
            let realClasses = classCount > 0 ? IndexTensor(shape: [rows], scalars: Array(labels[range])) : nil
            let z = context.generator.normal([rows, model.noiseDimension])
            let generatedClasses = fakeClasses(rows)
            let fake = withoutDerivative { model.generate(z, classes: generatedClasses) }
            let epsilon = loss == .wassersteinGradientPenalty ? context.generator.uniform([rows]) : nil
            let update = context.progress.step * criticSteps + k
            discriminatorLoss += try context.update("discriminator", createGraph: needsGraph(update: update)) {
                let (l, p) = discriminatorObjective(onReal: { model.discriminate($0, classes: realClasses) },
                                                    onFake: { model.discriminate($0, classes: generatedClasses) },
                                                    real: realPart, fake: fake, epsilon: epsilon, update: update)
                for (name, value) in p { penalties[name, default: 0] += value / Double(criticSteps) }
                return l
            } / Double(criticSteps)
            if loss == .wasserstein { clipWeights(of: model.discriminatorNetwork) }
        }
        let z = context.generator.normal([batch.count, model.noiseDimension])
        let classes = fakeClasses(batch.count)
        let generatorLoss = try context.update("generator") {
            loss.generatorLoss(fake: model.discriminate(model.generate(z, classes: classes), classes: classes))
        }
        return StepResult(loss: discriminatorLoss,
                          metrics: penalties.merging(["discriminator-loss": discriminatorLoss, "generator-loss": generatorLoss]) { a, _ in a })
    }
}
