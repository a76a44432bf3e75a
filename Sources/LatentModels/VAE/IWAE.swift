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
        var configuration = try VAEOptions.parse(options, data: data, model: Self.modelName)
        configuration.objective.bound = .iwae
        configuration.objective.estimator = options[Self.estimator]
        if configuration.objective.estimator == .dreg && !configuration.posterior.scoresExternalPoints {
            throw ModelOptionError("iwae: estimator=dreg needs log q at stopped parameters of external points; use a Gaussian posterior (diagonal or full) or estimator=standard with posterior=\(configuration.posterior.name)")
        }
        super.init(configuration: configuration, data: data, generator: &generator)
    }

    /// An IWAE trained on the bound of `configuration` (its objective's bound is set to
    /// ``VariationalBound/iwae``; K is `objective.samples`).
    public override init(configuration: VAEConfiguration, data: DataDescription, generator: inout RandomGenerator) {
        var configuration = configuration
        configuration.objective.bound = .iwae
        super.init(configuration: configuration, data: data, generator: &generator)
    }
}
