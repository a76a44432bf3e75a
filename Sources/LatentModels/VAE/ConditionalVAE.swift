import LatentCore
import LatentData
import LatentNN

/// The conditional VAE (Sohn et al., 2015): encoder `q(z | x, c)` and decoder `p(x | z, c)`
/// see the one-hot label `c` concatenated to their inputs; the prior is `N(0, I)`.
/// Samples cycle through the classes: `latent train cvae`.
public final class ConditionalVAE: VariationalAutoencoder, SingleLossModel {
    public static let modelName = "cvae"
    public static let abstract = "Conditional VAE (one-hot labels concatenated to encoder and decoder inputs)."
    public static var options: [any DeclaredOption] { VAEOptions.common(samples: 1) }

    public required init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        guard let classes = data.classCount, classes > 0 else {
            throw ModelOptionError("cvae: the dataset '\(data.name)' has no labels; a conditional VAE needs a labelled dataset")
        }
        let p = try VAEOptions.parse(options, data: data, model: Self.modelName)
        guard p.prior != .vamp else { throw ModelOptionError("cvae: the VampPrior is for unconditional models; use prior=standard or mixture") }
        super.init(data: data, latentDimension: p.latent, hidden: p.hidden, activation: p.activation,
                   likelihood: p.likelihood, observationStandardDeviation: p.observationStd, binarizes: p.binarizes,
                   conditionDimension: classes, objective: p.objective, evaluationSamples: p.evaluationSamples,
                   prior: p.prior, priorComponents: p.priorComponents, posterior: p.posterior,
                   posteriorFlows: p.posteriorFlows, architecture: p.architecture, channels: p.channels,
                   mixtureComponents: p.mixtureComponents, generator: &generator)
    }
}
