import Foundation
import LatentCore
import LatentData
import LatentNN

/// A generative adversarial network with MLP generator and discriminator, for vector data
/// (1-D and 2-D toy densities, tabular data): `latent train gan`.
///
/// The generator maps noise `z ~ N(0, I)` to data, `x = G(z)` (ReLU hidden layers, linear
/// output); the discriminator gives a score `D(x)` (leaky ReLU 0.2, every linear layer
/// spectrally normalised with `spectral-norm=true`). Training, the loss and penalty
/// options, the optimiser defaults and the validation metrics (with the mode metrics on
/// `8gaussians` and `25gaussians`) are those of every GAN family: see
/// ``AdversarialTraining`` and ``AdversarialModel``.
public final class GAN: Module, AdversarialModel {
    public static let modelName = "gan"
    public static let abstract = "Generative adversarial network with MLP generator and discriminator, for vector data (two optimisers)."

    static let noiseDimension = ModelOption<Int>("noise-dimension", default: 8, bounds: .positive, help: "Dimension of the generator's noise z.")
    static let hidden = ModelOption<[Int]>("hidden", default: [64, 64], bounds: .positiveEntries(nonEmpty: true),
                                           help: "Hidden widths of the generator MLP; the discriminator uses the same widths.")
    static let evaluationSamples = ModelOption<Int>("eval-samples", default: 10_000, bounds: .positive,
                                                    help: "At most this many validation points and as many samples for the sample distances.")
    public static var options: [any DeclaredOption] { [noiseDimension, hidden, evaluationSamples] + AdversarialTraining.options }

    /// `z ↦ x`, `[B, noise] → [B, D]`.
    public let generator: Sequential
    /// `x ↦` score of "real", `[B, D] → [B, 1]`.
    public let discriminator: Sequential
    public let data: DataDescription
    public let training: AdversarialTraining

    public init(options: ModelOptions, data: DataDescription, generator rng: inout RandomGenerator) throws {
        guard data.featureShape.count == 1, case .continuous = data.kind else {
            throw ModelOptionError("gan: needs vector data (feature shape [D]); '\(data.name)' has shape \(data.featureShape)")
        }
        self.data = data
        let training = AdversarialTraining(options: options, noiseDimension: Self.noiseDimension, evaluationSamples: Self.evaluationSamples)
        self.training = training
        let widths = options[Self.hidden], d = data.dimension, noiseDimension = training.noiseDimension
        func mlp(_ sizes: [Int], normalized: Bool, _ activation: () -> any Layer) -> Sequential {
            var layers: [any Layer] = []
            for (i, (a, b)) in zip(sizes, sizes.dropFirst()).enumerated() {
                let linear = Linear(a, b, generator: &rng)
                layers.append(normalized ? training.discriminatorLayer(linear, generator: &rng) : linear)
                if i < sizes.count - 2 { layers.append(activation()) }
            }
            return Sequential(layers)
        }
        generator = mlp([noiseDimension] + widths + [d], normalized: false) { ReLU() }
        discriminator = mlp([d] + widths + [1], normalized: true) { LeakyReLU(negativeSlope: 0.2) }
        super.init()
    }

    public var discriminatorNetwork: Module { discriminator }
    public var generatorNetwork: Module { generator }

    /// Generated data for noise `z`.
    public func generate(_ z: Tensor, classes: IndexTensor? = nil) -> Tensor { generator(z) }

    public func discriminate(_ x: Tensor, classes: IndexTensor? = nil) -> Tensor { discriminator(x.reshaped(to: [x.shape[0], data.dimension])) }
}
