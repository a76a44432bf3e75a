import Foundation
import LatentCore
import LatentData
import LatentNN

/// A deep convolutional GAN (Radford et al. 2016, "DCGAN") for images `[C, H, W]` with
/// square sides divisible by 4 — `[1, 28, 28]`, `[C, 32, 32]` and the embedded 8×8
/// `digits`: `latent train dcgan --dataset digits`.
///
/// With `w` = `width` and `s = H/4`:
///
///     G: z → linear 2w·s·s → [2w, s, s] → BN, ReLU → convT 4×4/2 → [w, 2s, 2s] → BN, ReLU
///          → convT 4×4/2 → [C, H, W] → sigmoid
///     D: 2x − 1 → conv 4×4/2 → [w, 2s, 2s] → leaky ReLU 0.2 → conv 4×4/2 → [2w, s, s]
///          → leaky ReLU 0.2 → linear → 1
///
/// Images are in [0, 1], so the generator ends in a sigmoid — the DCGAN tanh mapped to
/// [0, 1], since (tanh(t) + 1)/2 = σ(2t) — and the discriminator sees `2x − 1` in [−1, 1]
/// as in DCGAN. The discriminator has no batch normalisation, so that the per-example
/// gradient penalties (`wgan-gp`, `r1`, `r2`) stay per example (Gulrajani et al. 2017,
/// §4); `spectral-norm=true` normalises its convolutions and linear layer.
///
/// A family of its own rather than an `architecture` option on ``GAN``: the two take
/// different data (vectors or images) and different options (`hidden` widths or
/// `width`), and a name on the command line says which data a run needs. Everything else
/// (loss, penalties, optimiser presets, evaluation, the fixed-noise `progress` grid) is
/// shared through ``AdversarialModel``. Sample distances on images are sliced W₁ on the
/// flattened pixels, a coarse check rather than a perceptual metric.
public final class DCGAN: Module, AdversarialModel {
    public static let modelName = "dcgan"
    public static let abstract = "Deep convolutional GAN (transposed convolutions + batch norm; strided convolutions) for images."

    static let noiseDimension = ModelOption<Int>("noise-dimension", default: 64, bounds: .positive, help: "Dimension of the generator's noise z.")
    static let width = ModelOption<Int>("width", default: 64, bounds: .within(1...1024),
                                        help: "Channels w of the discriminator's first convolution (and the generator's last hidden layer); the other hidden layer has 2w.")
    static let evaluationSamples = ModelOption<Int>("eval-samples", default: 10_000, bounds: .positive,
                                                    help: "At most this many validation/test images and as many samples for the sample metrics (FD: 10,000).")
    static let featureNetwork = ModelOption<FeatureNetworkChoice>("feature-network", default: .automatic,
                                                                 help: "Feature space of FD, precision/recall, density/coverage: auto (the dataset's cached classifier, if any), none, or a classifier folder.")
    public static var options: [any DeclaredOption] { [noiseDimension, width, evaluationSamples, featureNetwork] + AdversarialTraining.options }

    /// `z ↦ x`, `[B, noise] → [B, C, H, W]`.
    public let generator: DCGANGenerator
    /// `x ↦` score of "real", `[B, C, H, W] → [B, 1]`.
    public let discriminator: Sequential
    public let data: DataDescription
    public let training: AdversarialTraining
    public let featureNetwork: FeatureNetworkHandle?

    public init(options: ModelOptions, data: DataDescription, generator rng: inout RandomGenerator) throws {
        let parts = try Self.build(options: options, data: data, classCount: 0, generator: &rng)
        self.data = data
        (training, generator, featureNetwork) = (parts.training, parts.generator, parts.featureNetwork)
        discriminator = Sequential(parts.trunk + [Flatten(), parts.training.discriminatorLayer(Linear(parts.trunkFeatures, 1, generator: &rng), generator: &rng)])
        super.init()
    }

    /// What ``DCGAN`` and ``ConditionalGAN`` share: the checked options, the generator,
    /// the discriminator's convolutional trunk `[B, C, H, W] → [B, 2w, s, s]` (with its
    /// number of features `2w·s·s`) and the feature network.
    static func build(options: ModelOptions, data: DataDescription, classCount: Int, generator rng: inout RandomGenerator) throws
        -> (training: AdversarialTraining, generator: DCGANGenerator, trunk: [any Layer], trunkFeatures: Int, featureNetwork: FeatureNetworkHandle?) {
        let shape = data.featureShape, name = options.model
        guard shape.count == 3, case .image = data.kind, shape[1] == shape[2], shape[1] % 4 == 0 else {
            throw ModelOptionError("\(name): needs square images [C, H, H] with H divisible by 4 (e.g. [1, 28, 28], [3, 32, 32], [1, 8, 8]); '\(data.name)' has shape \(shape)")
        }
        let featureNetwork = try options[Self.featureNetwork].resolve(for: data, model: name)
        let training = AdversarialTraining(options: options, noiseDimension: Self.noiseDimension, evaluationSamples: Self.evaluationSamples)
        let w = options[Self.width], s = shape[1] / 4, channels = shape[0]
        let generator = DCGANGenerator(noiseDimension: training.noiseDimension, width: w, side: s, channels: channels, classCount: classCount, generator: &rng)
        let trunk: [any Layer] = [
            training.discriminatorLayer(Conv2d(channels, w, kernelSize: (4, 4), stride: (2, 2), padding: (1, 1), generator: &rng), generator: &rng),
            LeakyReLU(negativeSlope: 0.2),
            training.discriminatorLayer(Conv2d(w, 2 * w, kernelSize: (4, 4), stride: (2, 2), padding: (1, 1), generator: &rng), generator: &rng),
            LeakyReLU(negativeSlope: 0.2),
        ]
        return (training, generator, trunk, 2 * w * s * s, featureNetwork)
    }

    public var discriminatorNetwork: Module { discriminator }
    public var generatorNetwork: Module { generator }

    public func generate(_ z: Tensor, classes: IndexTensor? = nil) -> Tensor { generator(z) }

    public func discriminate(_ x: Tensor, classes: IndexTensor? = nil) -> Tensor { discriminator(2 * x - 1) }
}

/// DCGAN's generator: a linear projection of the noise to `[2w, s, s]`, then two
/// transposed convolutions (4×4, stride 2) with batch norm and ReLU, doubling the side each
/// time, and a sigmoid into [0, 1]. With `classCount` K > 0 the batch norms are
/// class-conditional (``ClassConditionalBatchNorm2d``) and the projection also takes the
/// one-hot class beside the noise (Mirza & Osindero 2014): with the batch norms alone
/// the class reached the image only through per-channel scales and shifts, and on MNIST a
/// generator had not learned to use it after 2,000 steps (the classifier put 12 % of its
/// samples in the class they were drawn for), where the one-hot input is learned at once.
public final class DCGANGenerator: Module {
    public let projection: Linear
    public let normalization0: ClassConditionalBatchNorm2d
    public let upsample1: ConvTranspose2d
    public let normalization1: ClassConditionalBatchNorm2d
    public let upsample2: ConvTranspose2d
    let width: Int
    let side: Int
    let classCount: Int

    public init(noiseDimension: Int, width: Int, side: Int, channels: Int, classCount: Int = 0, generator: inout RandomGenerator) {
        self.width = width
        self.side = side
        self.classCount = classCount
        projection = Linear(noiseDimension + classCount, 2 * width * side * side, generator: &generator)
        normalization0 = ClassConditionalBatchNorm2d(2 * width, classCount: classCount)
        upsample1 = ConvTranspose2d(2 * width, width, kernelSize: (4, 4), stride: (2, 2), padding: (1, 1), generator: &generator)
        normalization1 = ClassConditionalBatchNorm2d(width, classCount: classCount)
        upsample2 = ConvTranspose2d(width, channels, kernelSize: (4, 4), stride: (2, 2), padding: (1, 1), generator: &generator)
    }

    /// `G(z, y)`, `[B, noise] → [B, C, 4s, 4s]` (`classes` only for a conditional generator).
    public func callAsFunction(_ z: Tensor, classes: IndexTensor? = nil) -> Tensor {
        var input = z
        if classCount > 0, let classes { input = concatenate([z, oneHot(classes, classCount: classCount)], alongAxis: 1) }
        let h0 = normalization0(projection(input).reshaped(to: [z.shape[0], 2 * width, side, side]), classes: classes).relu()
        let h1 = normalization1(upsample1(h0), classes: classes).relu()
        return upsample2(h1).sigmoid()
    }
}

/// Batch normalisation with a scale and shift per class (de Vries et al. 2017; Miyato &
/// Koyama 2018): `y = γ[c]·BN(x) + β[c]`, `γ` initialised to 1 and `β` to 0 for every
/// class. With `classCount` 0 it is an ordinary affine `BatchNorm2d` (`γ`, `β` per channel).
public final class ClassConditionalBatchNorm2d: Module {
    public let normalization: BatchNorm2d
    /// `γ`, `[K, C]` (nil when unconditional).
    private let _scale: Parameter?
    /// `β`, `[K, C]` (nil when unconditional).
    private let _shift: Parameter?
    public let classCount: Int

    /// The batch norm's state is inlined: `weight`, `bias`, `running_mean`, … as in a plain `BatchNorm2d`.
    public override class var stateKeys: [String: String] { ["normalization": ""] }

    public init(_ featureCount: Int, classCount: Int) {
        self.classCount = classCount
        normalization = BatchNorm2d(featureCount, affine: classCount == 0)
        _scale = classCount > 0 ? Parameter(.ones([classCount, featureCount])) : nil
        _shift = classCount > 0 ? Parameter(.zeros([classCount, featureCount])) : nil
    }

    /// `x` `[B, C, H, W]`, `classes` `[B]` (required when conditional).
    public func callAsFunction(_ x: Tensor, classes: IndexTensor?) -> Tensor {
        let y = normalization(x)
        guard classCount > 0 else { return y }
        guard let classes, let scale = _scale?.wrappedValue, let shift = _shift?.wrappedValue else { fatalError("ClassConditionalBatchNorm2d: a conditional layer needs classes") }
        let shape = [x.shape[0], x.shape[1], 1, 1]
        return embedding(scale, classes).reshaped(to: shape) * y + embedding(shift, classes).reshaped(to: shape)
    }
}
