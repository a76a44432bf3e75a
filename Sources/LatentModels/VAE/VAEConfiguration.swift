import LatentCore
import LatentData
import LatentNN
import LatentProbability

/// The configuration of a model of the VAE family (``VAE``, ``IWAE``, ``ConditionalVAE``,
/// ``HierarchicalVAE``): one typed value instead of a long initialiser.
///
/// ```swift
/// var configuration = VAEConfiguration(latentDimension: 16, hidden: [256], likelihood: .bernoulli)
/// configuration.prior = .mixture(components: 10)
/// configuration.posterior = .inverseAutoregressive(steps: 4)
/// let model = VAE(configuration: configuration, data: data, generator: &g)
/// ```
public struct VAEConfiguration {
    /// `Z` (for ``HierarchicalVAE``, the first stochastic layer's).
    public var latentDimension: Int
    /// MLP networks (``hidden`` widths) or convolutional ones (``channels``).
    public var architecture: NetworkArchitecture
    /// Hidden widths of the encoder MLP; the decoder uses them reversed.
    public var hidden: [Int]
    /// Channels of the two convolutions of ``NetworkArchitecture/conv``.
    public var channels: [Int]
    /// Nonlinearity of the networks.
    public var activation: MultilayerPerceptron.Activation
    /// The decoder's distribution family, by name.
    public var likelihood: ObservationLikelihood
    /// σ of ``ObservationLikelihood/gaussianFixed``.
    public var observationStandardDeviation: Float
    /// Components `M` of the logistic-mixture decoder.
    public var mixtureComponents: Int
    /// Binarise [0, 1] features (Bernoulli decoders): dynamically in training, by a fixed
    /// index-determined draw in evaluation.
    public var binarizes: Bool
    /// Width of the one-hot labels to condition on (0 = unconditional).
    public var conditionDimension: Int
    /// The training objective (bound, samples, β, warm-up, free bits, estimator).
    public var objective: VAEObjective
    /// Importance samples K of the evaluation NLL.
    public var evaluationSamples: Int
    /// The prior `p(z)`.
    public var prior: PriorChoice
    /// The family of `q(z | x)`.
    public var posterior: PosteriorChoice

    public init(latentDimension: Int = 32, architecture: NetworkArchitecture = .mlp, hidden: [Int] = [512, 256],
                channels: [Int] = [32, 64], activation: MultilayerPerceptron.Activation = .relu,
                likelihood: ObservationLikelihood = .bernoulli, observationStandardDeviation: Float = 0.1,
                mixtureComponents: Int = 5, binarizes: Bool = false, conditionDimension: Int = 0,
                objective: VAEObjective = VAEObjective(), evaluationSamples: Int = 5000,
                prior: PriorChoice = .standard, posterior: PosteriorChoice = .diagonal) {
        self.latentDimension = latentDimension
        self.architecture = architecture
        self.hidden = hidden
        self.channels = channels
        self.activation = activation
        self.likelihood = likelihood
        self.observationStandardDeviation = observationStandardDeviation
        self.mixtureComponents = mixtureComponents
        self.binarizes = binarizes
        self.conditionDimension = conditionDimension
        self.objective = objective
        self.evaluationSamples = evaluationSamples
        self.prior = prior
        self.posterior = posterior
    }
}

/// How a VAE builds its prior: a named recipe for a ``LatentPrior``.
public struct PriorChoice: Sendable {
    /// A short name (`standard`, `mixture`, `vamp`, `flow`, …).
    public let name: String
    /// Builds the prior for latent dimension `Z` and data dimension `D`.
    public let make: @Sendable (_ latentDimension: Int, _ dataDimension: Int, _ generator: inout RandomGenerator) -> any LatentPrior

    public init(name: String,
                make: @escaping @Sendable (_ latentDimension: Int, _ dataDimension: Int, _ generator: inout RandomGenerator) -> any LatentPrior) {
        self.name = name
        self.make = make
    }

    /// `N(0, I)` (analytic KL).
    public static let standard = PriorChoice(name: "standard") { z, _, _ in StandardNormalPrior(latentDimension: z) }

    /// A learned mixture of `components` diagonal Gaussians.
    public static func mixture(components: Int) -> PriorChoice {
        PriorChoice(name: "mixture") { z, _, g in MixturePrior(components: components, latentDimension: z, generator: &g) }
    }

    /// The VampPrior with `pseudoInputs` learned pseudo-inputs.
    public static func vamp(pseudoInputs: Int) -> PriorChoice {
        PriorChoice(name: "vamp") { _, d, g in VampPrior(pseudoInputs: pseudoInputs, dataDimension: d, generator: &g) }
    }

    /// A flow over `[Z]` built by `makeFlow(Z, generator)`.
    public static func flow(_ makeFlow: @escaping @Sendable (_ latentDimension: Int, _ generator: inout RandomGenerator) -> Flow) -> PriorChoice {
        PriorChoice(name: "flow") { z, _, g in FlowPrior(flow: makeFlow(z, &g)) }
    }
}

/// How a VAE builds the family of its posterior: the encoder outputs it needs and a recipe
/// for the ``VariationalPosterior`` (built after the networks, so that the generator's
/// draws keep their order).
public struct PosteriorChoice: Sendable {
    /// A short name (`diagonal`, `full`, `planar`, `iaf`, `flow`, …).
    public let name: String
    /// Encoder outputs per example for latent dimension `Z`.
    public let encoderOutputCount: @Sendable (_ latentDimension: Int) -> Int
    /// Builds the family for latent dimension `Z`.
    public let make: @Sendable (_ latentDimension: Int, _ generator: inout RandomGenerator) -> any VariationalPosterior
    /// ``VariationalPosterior/scoresExternalPoints`` of the families it builds (DReG and the
    /// VampPrior need it), known before building.
    public let scoresExternalPoints: Bool

    public init(name: String, scoresExternalPoints: Bool = false,
                encoderOutputCount: @escaping @Sendable (_ latentDimension: Int) -> Int,
                make: @escaping @Sendable (_ latentDimension: Int, _ generator: inout RandomGenerator) -> any VariationalPosterior) {
        self.name = name
        self.scoresExternalPoints = scoresExternalPoints
        self.encoderOutputCount = encoderOutputCount
        self.make = make
    }

    /// `N(μ, diag σ²)`.
    public static let diagonal = PosteriorChoice(name: "diagonal", scoresExternalPoints: true, encoderOutputCount: { 2 * $0 }) { z, _ in
        DiagonalGaussianPosterior(latentDimension: z)
    }

    /// `N(μ, L Lᵀ)`.
    public static let full = PosteriorChoice(name: "full", scoresExternalPoints: true, encoderOutputCount: { FullCovariancePosterior.encoderOutputCount(latentDimension: $0) }) { z, _ in
        FullCovariancePosterior(latentDimension: z)
    }

    /// A diagonal Gaussian through `steps` amortised planar flows.
    public static func planar(steps: Int) -> PosteriorChoice {
        PosteriorChoice(name: "planar", encoderOutputCount: { 2 * $0 + steps * AmortizedFlow.planarParameterCount(latentDimension: $0) }) { z, _ in
            PlanarFlowPosterior(latentDimension: z, steps: steps)
        }
    }

    /// A diagonal Gaussian through `steps` inverse autoregressive steps.
    public static func inverseAutoregressive(steps: Int) -> PosteriorChoice {
        PosteriorChoice(name: "iaf", encoderOutputCount: { 2 * $0 + InverseAutoregressivePosterior.contextWidth(latentDimension: $0) }) { z, g in
            InverseAutoregressivePosterior(latentDimension: z, steps: steps, generator: &g)
        }
    }

    /// A diagonal Gaussian through a conditional ``Flow`` over `[Z]` with `contextSize`
    /// context inputs from the encoder, built by `makeFlow(Z, generator)`.
    public static func flow(contextSize: Int,
                            _ makeFlow: @escaping @Sendable (_ latentDimension: Int, _ generator: inout RandomGenerator) -> Flow) -> PosteriorChoice {
        PosteriorChoice(name: "flow", encoderOutputCount: { 2 * $0 + contextSize }) { z, g in
            let flow = makeFlow(z, &g)
            ensure(flow.contextSize == contextSize, "PosteriorChoice.flow: the flow takes a context of \(flow.contextSize), not \(contextSize)")
            return ConditionalFlowPosterior(flow: flow)
        }
    }
}

extension PosteriorKind {
    /// The family this option names, with `steps` flow steps.
    public func choice(steps: Int) -> PosteriorChoice {
        switch self {
        case .diagonal: return .diagonal
        case .full: return .full
        case .planar: return .planar(steps: steps)
        case .iaf: return .inverseAutoregressive(steps: steps)
        }
    }
}

extension LatentPriorKind {
    /// The prior this option names, with `components` mixture components or pseudo-inputs.
    public func choice(components: Int) -> PriorChoice {
        switch self {
        case .standard: return .standard
        case .mixture: return .mixture(components: components)
        case .vamp: return .vamp(pseudoInputs: components)
        }
    }
}
