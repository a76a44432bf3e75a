import Foundation
import LatentCore
import LatentData
import LatentNN

/// A class-conditional DCGAN for labelled images: `latent train cgan --dataset digits`,
/// then `latent sample RUN --class 3`.
///
/// The generator is ``DCGAN``'s with class-conditional batch norm (a scale and shift per
/// class, ``ClassConditionalBatchNorm2d``) and the one-hot class beside the noise at its input. The discriminator is a projection
/// discriminator (Miyato & Koyama, "cGANs with Projection Discriminator", 2018):
///
///     D(x, y) = ψ(φ(x)) + ⟨embed(y), φ(x)⟩
///
/// with φ DCGAN's convolutional trunk, flattened, `[B, 2w·s·s]` — so that ψ(φ(x)) is
/// exactly DCGAN's discriminator — ψ a linear layer and `embed` a class embedding
/// `[K, 2w·s·s]`. The paper sums φ over the spatial positions before ψ and the projection;
/// with DCGAN's shallow trunk (a 10 × 10 receptive field) that sum leaves a bag of local
/// patches, and on 28 × 28 MNIST such a discriminator beat the generator within a few
/// hundred steps (its loss near 0, the samples a fixed texture; both with the non-saturating
/// and the hinge loss), while on the 8 × 8 digits (4 positions) it trained. Flattening keeps
/// the positions, as DCGAN's own discriminator does. With `spectral-norm=true` the
/// convolutions, ψ and the embedding are spectrally normalised, as in the authors' code (the
/// embedding as a bias-free linear map of the one-hot class). Generated examples of a training step get uniformly drawn classes; the
/// gradient penalties use the classes of the examples they are taken at. Options,
/// optimiser presets and evaluation are ``DCGAN``'s; samples without `--class` cycle
/// through the classes.
public final class ConditionalGAN: Module, AdversarialModel, ConditionalSampler {
    public static let modelName = "cgan"
    public static let abstract = "Class-conditional DCGAN: conditional batch norm in G, projection discriminator (latent sample --class K)."
    public static var options: [any DeclaredOption] { DCGAN.options }

    public let generator: DCGANGenerator
    public let discriminator: ProjectionDiscriminator
    public let data: DataDescription
    public let training: AdversarialTraining
    public let classCount: Int
    public let featureNetwork: FeatureNetworkHandle?

    public init(options: ModelOptions, data: DataDescription, generator rng: inout RandomGenerator) throws {
        guard let classes = data.classCount, classes > 0 else {
            throw ModelOptionError("cgan: needs a labelled dataset (class labels); '\(data.name)' has none")
        }
        let parts = try DCGAN.build(options: options, data: data, classCount: classes, generator: &rng)
        self.data = data
        classCount = classes
        (training, generator, featureNetwork) = (parts.training, parts.generator, parts.featureNetwork)
        let features = parts.trunkFeatures
        discriminator = ProjectionDiscriminator(trunk: Sequential(parts.trunk),
                                                output: parts.training.discriminatorLayer(Linear(features, 1, generator: &rng), generator: &rng),
                                                classCount: classes, features: features,
                                                spectralNorm: parts.training.spectralNorm, generator: &rng)
        super.init()
    }

    public var discriminatorNetwork: Module { discriminator }
    public var generatorNetwork: Module { generator }

    public func generate(_ z: Tensor, classes: IndexTensor?) -> Tensor { generator(z, classes: classes) }

    public func discriminate(_ x: Tensor, classes: IndexTensor?) -> Tensor { discriminator(2 * x - 1, classes: classes) }

    public func sample(count: Int, class label: Int, generator rng: inout RandomGenerator) -> Tensor {
        sample(count: count, classes: IndexTensor(Array(repeating: label, count: count)), generator: &rng)
    }
}

/// `D(x, y) = ψ(φ(x)) + ⟨embed(y), φ(x)⟩` with `φ(x)` the trunk's output flattened
/// (Miyato & Koyama 2018, with the positions kept: see ``ConditionalGAN``); without classes
/// only `ψ(φ(x))`.
public final class ProjectionDiscriminator: Module {
    /// φ before flattening, `[B, C, H, W] → [B, c, h, w]` (F = c·h·w).
    public let trunk: Sequential
    /// ψ, `[B, F] → [B, 1]`.
    public let output: any Layer
    /// `embed`: an ``Embedding`` `[K, F]`, or with spectral normalisation a bias-free
    /// ``Linear`` `K → F` of the one-hot class wrapped in ``SpectralNorm``.
    public let embedding: Module
    public let classCount: Int
    /// `embed` for the embedding built (a table lookup, or the normalised map of one-hots).
    private let embedClasses: (IndexTensor) -> Tensor

    public init(trunk: Sequential, output: any Layer, classCount: Int, features: Int, spectralNorm: Bool = false,
                generator: inout RandomGenerator) {
        self.trunk = trunk
        self.output = output
        self.classCount = classCount
        if spectralNorm {
            let normalized = SpectralNorm(wrapping: Linear(classCount, features, bias: false, generator: &generator), generator: &generator)
            embedding = normalized
            embedClasses = { normalized(oneHot($0, classCount: classCount)) }
        } else {
            let table = Embedding(count: classCount, dimension: features, generator: &generator)
            table.weight = table.weight / Float(features).squareRoot()
            embedding = table
            embedClasses = { table($0) }
        }
    }

    /// `embed(y)`, `[B, F]`.
    public func embed(_ classes: IndexTensor) -> Tensor { embedClasses(classes) }

    public func callAsFunction(_ x: Tensor, classes: IndexTensor?) -> Tensor {
        let t = trunk(x)
        let h = t.reshaped(to: [t.shape[0], t.shape.dropFirst().reduce(1, *)])
        let unconditional = output(h)
        guard let classes else { return unconditional }
        return unconditional + (embed(classes) * h).sum(alongAxis: 1, keepDims: true)
    }
}
