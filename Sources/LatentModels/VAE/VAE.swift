import LatentCore
import LatentData
import LatentNN

/// The variational autoencoder trained on the ELBO (Kingma & Welling, 2014), with β,
/// KL warm-up and free bits: `latent train vae`.
///
/// ```swift
/// var g = RandomGenerator(seed: 0)
/// let data = DataDescription(featureShape: [1, 28, 28], kind: .image(levels: 256), name: "mnist")
/// let model = VAE(data: data, latentDimension: 32, hidden: [512, 256], likelihood: .bernoulli,
///                 binarizes: true, generator: &g)
/// ```
public final class VAE: VariationalAutoencoder, SingleLossModel {
    public static let modelName = "vae"
    public static let abstract = "Variational autoencoder (MLP, diagonal Gaussian q, standard-normal prior; ELBO with β, KL warm-up, free bits)."
    public static var options: [any DeclaredOption] { VAEOptions.common(samples: 1) }

    public required init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        let p = try VAEOptions.parse(options, data: data, model: Self.modelName)
        super.init(data: data, latentDimension: p.latent, hidden: p.hidden, activation: p.activation,
                   likelihood: p.likelihood, observationStandardDeviation: p.observationStd, binarizes: p.binarizes,
                   objective: p.objective, evaluationSamples: p.evaluationSamples, prior: p.prior,
                   priorComponents: p.priorComponents, posterior: p.posterior, posteriorFlows: p.posteriorFlows,
                   architecture: p.architecture, channels: p.channels, mixtureComponents: p.mixtureComponents,
                   generator: &generator)
    }

    public override init(data: DataDescription, latentDimension: Int, hidden: [Int],
                         activation: MultilayerPerceptron.Activation = .relu,
                         likelihood: ObservationLikelihood, observationStandardDeviation: Float = 0.1,
                         binarizes: Bool, conditionDimension: Int = 0, objective: VAEObjective = VAEObjective(),
                         evaluationSamples: Int = 5000, prior: LatentPriorKind = .standard, priorComponents: Int = 10,
                         fullCovariance: Bool = false, posterior: PosteriorKind? = nil, posteriorFlows: Int = 4,
                         architecture: NetworkArchitecture = .mlp, channels: [Int] = [32, 64], mixtureComponents: Int = 5,
                         generator: inout RandomGenerator) {
        super.init(data: data, latentDimension: latentDimension, hidden: hidden, activation: activation,
                   likelihood: likelihood, observationStandardDeviation: observationStandardDeviation,
                   binarizes: binarizes, conditionDimension: conditionDimension, objective: objective,
                   evaluationSamples: evaluationSamples, prior: prior, priorComponents: priorComponents,
                   fullCovariance: fullCovariance, posterior: posterior, posteriorFlows: posteriorFlows,
                   architecture: architecture, channels: channels, mixtureComponents: mixtureComponents,
                   generator: &generator)
    }
}
