import LatentCore
import LatentData

/// Options shared by the VAE family (`latent train vae|iwae|cvae --option name=value`).
public enum VAEOptions {
    /// Network and likelihood options, common to every model of the family.
    public static func common(samples: Int) -> [ModelOption] {
        [
            ModelOption("latent-dimension", .integer, default: "32", help: "Latent dimension Z."),
            ModelOption("architecture", .choice(NetworkArchitecture.allCases.map(\.rawValue)), default: "mlp",
                        help: "Encoder/decoder networks: mlp (widths from hidden), or conv for [C,H,W] images with H, W divisible by 4 (two stride-2 4x4 convolutions with the channels below and a linear head; the decoder mirrors them with transposed convolutions)."),
            ModelOption("hidden", .integers, default: "512,256",
                        help: "Hidden widths of the encoder MLP (the decoder uses them reversed); architecture=mlp."),
            ModelOption("channels", .integers, default: "32,64",
                        help: "Channels of the two stride-2 convolutions of architecture=conv."),
            ModelOption("activation", .choice(MultilayerPerceptron.Activation.allCases.map(\.rawValue)), default: "relu",
                        help: "Nonlinearity of the MLPs."),
            ModelOption("likelihood", .choice(["auto"] + ObservationLikelihood.allCases.map(\.rawValue)), default: "auto",
                        help: "Decoder p(x|z): bernoulli (binarised images), gaussian (learned σ per dimension), gaussian-fixed, categorical (L-way softmax per pixel over the L intensity levels of image data), logistic-mixture (discretised logistic mixture per pixel, PixelCNN++ style); auto = bernoulli for images, gaussian otherwise. categorical and logistic-mixture score the integer levels (no binarisation): NLL is −log P(v) in nats."),
            ModelOption("mixture-components", .integer, default: "5",
                        help: "Components M per pixel of the logistic-mixture decoder."),
            ModelOption("observation-std", .number, default: "0.1", help: "σ of the gaussian-fixed decoder."),
            ModelOption("binarization", .choice(["dynamic", "none"]), default: "dynamic",
                        help: "With a Bernoulli decoder: binarise [0,1] features (dynamic draws in training; a fixed draw per example index in evaluation)."),
            ModelOption("posterior", .choice(PosteriorKind.allCases.map(\.rawValue)), default: "diagonal",
                        help: "Encoder q(z|x): diagonal Gaussian, full covariance through a Cholesky factor, or a diagonal Gaussian through posterior-flows planar flows (parameters from the encoder per example) or IAF steps (MADE conditioned on an encoder context); flow posteriors use the Monte-Carlo KL."),
            ModelOption("posterior-flows", .integer, default: "4", help: "Flow steps of posterior=planar|iaf."),
            ModelOption("prior", .choice(LatentPriorKind.allCases.map(\.rawValue)), default: "standard",
                        help: "Prior p(z): standard normal (analytic KL), a learned Gaussian mixture, or the VampPrior (KL by Monte Carlo)."),
            ModelOption("prior-components", .integer, default: "10",
                        help: "Mixture components (mixture) or pseudo-inputs (vamp) of the prior."),
            ModelOption("samples", .integer, default: "\(samples)",
                        help: "Samples per example: Monte-Carlo samples of the ELBO, or K of the IWAE bound."),
            ModelOption("beta", .number, default: "1", help: "Weight β of the KL term (β-VAE; ELBO only)."),
            ModelOption("kl-warmup-steps", .integer, default: "0",
                        help: "Steps over which the KL weight rises linearly from 0 to β (0 = none)."),
            ModelOption("free-bits", .number, default: "0",
                        help: "Free bits λ (nats per latent dimension, batch-averaged KL floor); 0 = off."),
            ModelOption("eval-samples", .integer, default: "5000",
                        help: "Importance samples K of the evaluation NLL (5000 for reported numbers; use e.g. 100 for quick validation passes)."),
        ]
    }

    /// Parses the shared options into a model's constructor arguments.
    static func parse(_ options: ModelOptions, data: DataDescription, model: String) throws(ModelOptionError)
        -> (latent: Int, hidden: [Int], activation: MultilayerPerceptron.Activation, likelihood: ObservationLikelihood,
            observationStd: Float, binarizes: Bool, objective: VAEObjective, evaluationSamples: Int,
            prior: LatentPriorKind, priorComponents: Int, posterior: PosteriorKind, posteriorFlows: Int,
            architecture: NetworkArchitecture, channels: [Int], mixtureComponents: Int) {
        let latent = options.integer("latent-dimension")
        guard latent > 0 else { throw ModelOptionError("\(model): latent-dimension must be positive, got \(latent)") }
        let hidden = options.integers("hidden")
        guard hidden.allSatisfy({ $0 > 0 }) else { throw ModelOptionError("\(model): hidden widths must be positive, got \(hidden)") }
        let activation = MultilayerPerceptron.Activation(rawValue: options.string("activation"))!
        let likelihood: ObservationLikelihood
        switch options.string("likelihood") {
        case "auto":
            if case .image = data.kind { likelihood = .bernoulli } else { likelihood = .gaussian }
        case let name: likelihood = ObservationLikelihood(rawValue: name)!
        }
        let isImage: Bool
        if case .image = data.kind { isImage = true } else { isImage = false }
        if likelihood.isDiscrete && !isImage {
            throw ModelOptionError("\(model): likelihood=\(likelihood.rawValue) needs image data with integer levels; '\(data.name)' is continuous")
        }
        let mixtureComponents = options.integer("mixture-components")
        guard mixtureComponents > 0 else { throw ModelOptionError("\(model): mixture-components must be positive, got \(mixtureComponents)") }
        let architecture = NetworkArchitecture(rawValue: options.string("architecture"))!
        let channels = options.integers("channels")
        guard channels.count == 2, channels.allSatisfy({ $0 > 0 }) else {
            throw ModelOptionError("\(model): channels needs two positive integers (e.g. 32,64), got '\(options.string("channels"))'")
        }
        if architecture == .conv && !(isImage && ConvolutionalEncoder.accepts(data.featureShape)) {
            throw ModelOptionError("\(model): architecture=conv needs [C, H, W] images with H and W divisible by 4; '\(data.name)' has shape \(data.featureShape)\(isImage ? "" : " and is not an image dataset"); use architecture=mlp")
        }
        let posterior = PosteriorKind(rawValue: options.string("posterior"))!
        let posteriorFlows = options.integer("posterior-flows")
        guard posteriorFlows > 0 else { throw ModelOptionError("\(model): posterior-flows must be positive, got \(posteriorFlows)") }
        let std = options.number("observation-std")
        guard std > 0 else { throw ModelOptionError("\(model): observation-std must be positive, got \(std)") }
        let samples = options.integer("samples")
        guard samples > 0 else { throw ModelOptionError("\(model): samples must be positive, got \(samples)") }
        let evaluationSamples = options.integer("eval-samples")
        guard evaluationSamples > 0 else { throw ModelOptionError("\(model): eval-samples must be positive, got \(evaluationSamples)") }
        let beta = options.number("beta")
        guard beta >= 0 else { throw ModelOptionError("\(model): beta must be non-negative, got \(beta)") }
        let freeBits = options.number("free-bits")
        guard freeBits >= 0 else { throw ModelOptionError("\(model): free-bits must be non-negative, got \(freeBits)") }
        let warmup = options.integer("kl-warmup-steps")
        guard warmup >= 0 else { throw ModelOptionError("\(model): kl-warmup-steps must be non-negative, got \(warmup)") }
        let objective = VAEObjective(bound: .elbo, samples: samples, beta: beta, klWarmupSteps: warmup, freeBits: freeBits)
        let components = options.integer("prior-components")
        guard components > 0 else { throw ModelOptionError("\(model): prior-components must be positive, got \(components)") }
        let prior = LatentPriorKind(rawValue: options.string("prior"))!
        if prior == .vamp && posterior != .diagonal {
            throw ModelOptionError("\(model): the VampPrior needs posterior=diagonal (its components are q(z|u) at the pseudo-inputs)")
        }
        return (latent, hidden, activation, likelihood, std,
                likelihood == .bernoulli && options.string("binarization") == "dynamic", objective, evaluationSamples,
                prior, components, posterior, posteriorFlows, architecture, channels, mixtureComponents)
    }
}
