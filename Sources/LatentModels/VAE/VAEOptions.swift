import LatentCore
import LatentData

extension NetworkArchitecture: OptionChoice {}
extension ObservationLikelihood: OptionChoice {}
extension PosteriorKind: OptionChoice {}
extension LatentPriorKind: OptionChoice {}
extension MultilayerPerceptron.Activation: OptionChoice {}

/// The likelihood option: a decoder distribution, or `auto` (Bernoulli for images, Gaussian otherwise).
public enum LikelihoodChoice: OptionValue {
    case auto
    case likelihood(ObservationLikelihood)
    public init?(optionText: String) {
        if optionText == "auto" { self = .auto } else if let l = ObservationLikelihood(rawValue: optionText) { self = .likelihood(l) } else { return nil }
    }
    public var optionText: String {
        switch self {
        case .auto: "auto"
        case .likelihood(let l): l.rawValue
        }
    }
    public static var valueDescription: String { "one of auto, " + ObservationLikelihood.allCases.map(\.rawValue).joined(separator: ", ") }
    public static var placeholder: String { (["auto"] + ObservationLikelihood.allCases.map(\.rawValue)).joined(separator: "|") }
}

/// Options shared by the VAE family (`latent train vae|iwae|cvae|hvae --option name=value`),
/// each declared once; a family lists the ones it takes (``common(samples:)``) and adds its own.
public enum VAEOptions {
    /// Whether [0, 1] features are binarised for a Bernoulli decoder.
    public enum Binarization: String, OptionChoice { case dynamic, none }

    public static let latentDimension = ModelOption<Int>("latent-dimension", default: 32, bounds: .positive, help: "Latent dimension Z.")
    public static let architecture = ModelOption<NetworkArchitecture>(
        "architecture", default: .mlp,
        help: "Encoder/decoder networks: mlp (widths from hidden), or conv for [C,H,W] images with H, W divisible by 4 (two stride-2 4x4 convolutions with the channels below and a linear head; the decoder mirrors them with transposed convolutions).")
    public static let hidden = ModelOption<[Int]>("hidden", default: [512, 256], bounds: .positiveEntries(),
                                                  help: "Hidden widths of the encoder MLP (the decoder uses them reversed); architecture=mlp.")
    public static let channels = ModelOption<[Int]>("channels", default: [32, 64], bounds: .positiveEntries(count: 2),
                                                    help: "Channels of the two stride-2 convolutions of architecture=conv.")
    public static let activation = ModelOption<MultilayerPerceptron.Activation>("activation", default: .relu, help: "Nonlinearity of the MLPs.")
    public static let likelihood = ModelOption<LikelihoodChoice>(
        "likelihood", default: .auto,
        help: "Decoder p(x|z): bernoulli (binarised images), gaussian (learned σ per dimension), gaussian-fixed, categorical (L-way softmax per pixel over the L intensity levels of image data), logistic-mixture (discretised logistic mixture per pixel, PixelCNN++ style); auto = bernoulli for images, gaussian otherwise. categorical and logistic-mixture score the integer levels (no binarisation): NLL is −log P(v) in nats.")
    public static let mixtureComponents = ModelOption<Int>("mixture-components", default: 5, bounds: .positive,
                                                           help: "Components M per pixel of the logistic-mixture decoder.")
    public static let observationStd = ModelOption<Float>("observation-std", default: 0.1, bounds: .positive, help: "σ of the gaussian-fixed decoder.")
    public static let binarization = ModelOption<Binarization>(
        "binarization", default: .dynamic,
        help: "With a Bernoulli decoder: binarise [0,1] features (dynamic draws in training; a fixed draw per example index in evaluation).")
    public static let posterior = ModelOption<PosteriorKind>(
        "posterior", default: .diagonal,
        help: "Encoder q(z|x): diagonal Gaussian, full covariance through a Cholesky factor, or a diagonal Gaussian through posterior-flows planar flows (parameters from the encoder per example) or IAF steps (MADE conditioned on an encoder context); flow posteriors use the Monte-Carlo KL.")
    public static let posteriorFlows = ModelOption<Int>("posterior-flows", default: 4, bounds: .positive, help: "Flow steps of posterior=planar|iaf.")
    public static let prior = ModelOption<LatentPriorKind>(
        "prior", default: .standard,
        help: "Prior p(z): standard normal (analytic KL), a learned Gaussian mixture, or the VampPrior (KL by Monte Carlo).")
    public static let priorComponents = ModelOption<Int>("prior-components", default: 10, bounds: .positive,
                                                         help: "Mixture components (mixture) or pseudo-inputs (vamp) of the prior.")
    /// Samples per example; families differ in the default (1 for the ELBO, 10 for IWAE).
    public static func samples(default value: Int) -> ModelOption<Int> {
        ModelOption<Int>("samples", default: value, bounds: .positive,
                         help: "Samples per example: Monte-Carlo samples of the ELBO, or K of the IWAE bound.")
    }
    public static let beta = ModelOption<Float>("beta", default: 1, bounds: .nonNegative, help: "Weight β of the KL term (β-VAE; ELBO only).")
    public static let klWarmupSteps = ModelOption<Int>("kl-warmup-steps", default: 0, bounds: .nonNegative,
                                                       help: "Steps over which the KL weight rises linearly from 0 to β (0 = none).")
    public static let freeBits = ModelOption<Float>("free-bits", default: 0, bounds: .nonNegative,
                                                    help: "Free bits λ (nats per latent dimension, batch-averaged KL floor); 0 = off.")
    public static let evaluationSamples = ModelOption<Int>(
        "eval-samples", default: 5000, bounds: .positive,
        help: "Importance samples K of the evaluation NLL (5000 for reported numbers; use e.g. 100 for quick validation passes).")

    /// Network and likelihood options, common to every model of the family.
    public static func common(samples: Int) -> [any DeclaredOption] {
        [latentDimension, architecture, hidden, channels, activation, likelihood, mixtureComponents, observationStd,
         binarization, posterior, posteriorFlows, prior, priorComponents, self.samples(default: samples), beta,
         klWarmupSteps, freeBits, evaluationSamples]
    }

    /// The ELBO-only options (IWAE and HVAE do not take them).
    static let elboOnly: Set<String> = [beta.name, klWarmupSteps.name, freeBits.name]

    /// Reads the shared options into a ``VAEConfiguration``. An option the family does not
    /// declare takes its default here (``ModelOptions/value(_:)``); ranges were checked
    /// when the options were parsed, so only combinations are checked here.
    public static func parse(_ options: ModelOptions, data: DataDescription, model: String,
                             conditionDimension: Int = 0) throws(ModelOptionError) -> VAEConfiguration {
        let isImage: Bool
        if case .image = data.kind { isImage = true } else { isImage = false }
        let likelihood: ObservationLikelihood
        switch options.value(Self.likelihood) {
        case .auto: likelihood = isImage ? .bernoulli : .gaussian
        case .likelihood(let chosen): likelihood = chosen
        }
        if likelihood.isDiscrete && !isImage {
            throw ModelOptionError("\(model): likelihood=\(likelihood.rawValue) needs image data with integer levels; '\(data.name)' is continuous")
        }
        let architecture = options.value(Self.architecture)
        if architecture == .conv && !(isImage && ConvolutionalEncoder.accepts(data.featureShape)) {
            throw ModelOptionError("\(model): architecture=conv needs [C, H, W] images with H and W divisible by 4; '\(data.name)' has shape \(data.featureShape)\(isImage ? "" : " and is not an image dataset"); use architecture=mlp")
        }
        let posterior = options.value(Self.posterior)
        let prior = options.value(Self.prior)
        if prior == .vamp && posterior != .diagonal {
            throw ModelOptionError("\(model): the VampPrior needs posterior=diagonal (its components are q(z|u) at the pseudo-inputs)")
        }
        let objective = VAEObjective(bound: .elbo, samples: options.value(samples(default: 1)), beta: options.value(beta),
                                     klWarmupSteps: options.value(klWarmupSteps), freeBits: options.value(freeBits))
        return VAEConfiguration(
            latentDimension: options.value(latentDimension), architecture: architecture, hidden: options.value(hidden),
            channels: options.value(channels), activation: options.value(activation), likelihood: likelihood,
            observationStandardDeviation: options.value(observationStd), mixtureComponents: options.value(mixtureComponents),
            binarizes: likelihood == .bernoulli && options.value(binarization) == .dynamic, conditionDimension: conditionDimension,
            objective: objective, evaluationSamples: options.value(evaluationSamples),
            prior: prior.choice(components: options.value(priorComponents)),
            posterior: posterior.choice(steps: options.value(posteriorFlows)))
    }
}

extension VariationalBound: OptionChoice {}
extension IWAEGradientEstimator: OptionChoice {}
