import LatentCore
import LatentData
import LatentNN

/// The importance-weighted autoencoder (Burda et al., 2016): the VAE's networks trained on
/// the K-sample bound `log (1/K) Σₖ p(x, zₖ)/q(zₖ|x)`, optionally with the doubly
/// reparameterised gradient (Tucker et al., 2019): `latent train iwae`.
public final class IWAE: VariationalAutoencoder, SingleLossModel {
    public static let modelName = "iwae"
    public static let abstract = "Importance-weighted autoencoder (K-sample bound; standard or DReG gradient)."
    static let estimator = ModelOption<IWAEGradientEstimator>(
        "estimator", default: .standard,
        help: "Gradient of the bound: standard reparameterisation, or doubly reparameterised (DReG).")
    public static var options: [any DeclaredOption] {
        VAEOptions.common(samples: 10).filter { !VAEOptions.elboOnly.contains($0.name) } + [estimator]
    }

    public required init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        let p = try VAEOptions.parse(options, data: data, model: Self.modelName)
        var objective = p.objective
        objective.bound = .iwae
        objective.estimator = options[Self.estimator]
        if objective.estimator == .dreg && p.posterior.isFlow {
            throw ModelOptionError("iwae: estimator=dreg needs log q at stopped parameters of external points; use a Gaussian posterior (diagonal or full) or estimator=standard with posterior=\(p.posterior.rawValue)")
        }
        super.init(data: data, latentDimension: p.latent, hidden: p.hidden, activation: p.activation,
                   likelihood: p.likelihood, observationStandardDeviation: p.observationStd, binarizes: p.binarizes,
                   objective: objective, evaluationSamples: p.evaluationSamples, prior: p.prior,
                   priorComponents: p.priorComponents, posterior: p.posterior, posteriorFlows: p.posteriorFlows,
                   architecture: p.architecture, channels: p.channels, mixtureComponents: p.mixtureComponents,
                   generator: &generator)
    }

    /// An IWAE with `samples` importance samples.
    public init(data: DataDescription, latentDimension: Int, hidden: [Int],
                activation: MultilayerPerceptron.Activation = .relu,
                likelihood: ObservationLikelihood, observationStandardDeviation: Float = 0.1,
                binarizes: Bool, samples: Int = 10, estimator: IWAEGradientEstimator = .standard,
                evaluationSamples: Int = 5000, generator: inout RandomGenerator) {
        super.init(data: data, latentDimension: latentDimension, hidden: hidden, activation: activation,
                   likelihood: likelihood, observationStandardDeviation: observationStandardDeviation,
                   binarizes: binarizes, objective: VAEObjective(bound: .iwae, samples: samples, estimator: estimator),
                   evaluationSamples: evaluationSamples, generator: &generator)
    }
}
