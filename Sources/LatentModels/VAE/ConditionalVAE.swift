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
        let configuration = try VAEOptions.parse(options, data: data, model: Self.modelName, conditionDimension: classes)
        guard configuration.prior.name != "vamp" else {
            throw ModelOptionError("cvae: the VampPrior is for unconditional models; use prior=standard or mixture")
        }
        super.init(configuration: configuration, data: data, generator: &generator)
    }

    /// A conditional VAE on `configuration.conditionDimension` classes.
    public override init(configuration: VAEConfiguration, data: DataDescription, generator: inout RandomGenerator) {
        ensure(configuration.conditionDimension > 0, "ConditionalVAE: needs a positive conditionDimension")
        super.init(configuration: configuration, data: data, generator: &generator)
    }
}

extension ConditionalVAE: ConditionalSampler {
    /// The number of label classes.
    public var classCount: Int { conditionDimension }

    /// Decoder means of `count` prior draws, all conditioned on class `label`.
    public func sample(count: Int, class label: Int, generator: inout RandomGenerator) -> Tensor {
        sampleMeans(count: count, labels: Array(repeating: label, count: count), generator: &generator)
    }
}
