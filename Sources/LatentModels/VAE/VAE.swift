import LatentCore
import LatentData
import LatentNN

/// The variational autoencoder trained on the ELBO (Kingma & Welling, 2014), with β,
/// KL warm-up and free bits: `latent train vae`.
///
/// ```swift
/// var g = RandomGenerator(seed: 0)
/// let data = DataDescription(featureShape: [1, 28, 28], kind: .image(levels: 256), name: "mnist")
/// let model = VAE(configuration: VAEConfiguration(latentDimension: 32, hidden: [512, 256],
///                                                 likelihood: .bernoulli, binarizes: true),
///                 data: data, generator: &g)
/// ```
public final class VAE: VariationalAutoencoder, SingleLossModel {
    public static let modelName = "vae"
    public static let abstract = "Variational autoencoder (MLP, diagonal Gaussian q, standard-normal prior; ELBO with β, KL warm-up, free bits)."
    public static var options: [any DeclaredOption] { VAEOptions.common(samples: 1) }

    public required init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        super.init(configuration: try VAEOptions.parse(options, data: data, model: Self.modelName),
                   data: data, generator: &generator)
    }

    public override init(configuration: VAEConfiguration, data: DataDescription, generator: inout RandomGenerator) {
        super.init(configuration: configuration, data: data, generator: &generator)
    }
}
