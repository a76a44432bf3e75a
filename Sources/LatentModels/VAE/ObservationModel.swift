import Foundation
import LatentCore
import LatentNN
import LatentProbability

/// The decoder's distribution `p(x | z)` over one flattened example.
public enum ObservationLikelihood: String, Sendable, CaseIterable {
    /// Independent Bernoulli pixels with logits from the network (binary data).
    case bernoulli
    /// Independent Gaussians with the network's mean and a learned per-dimension log σ.
    case gaussian
    /// Independent Gaussians with the network's mean and a fixed σ.
    case gaussianFixed = "gaussian-fixed"
    /// An `L`-way softmax per pixel over the intensity levels of `L`-level image data.
    case categorical
    /// A mixture of `M` discretised logistics per pixel (PixelCNN++ style, Salimans et al., 2017).
    case logisticMixture = "logistic-mixture"

    /// Whether the likelihood is over the integer levels of image data (no binarisation).
    public var isDiscrete: Bool { self == .categorical || self == .logisticMixture }

    /// The family this option names, for `D`-dimensional data of `levels` levels.
    public func family(dimension: Int, standardDeviation: Float = 0.1, levels: Int = 256,
                       mixtureComponents: Int = 5) -> any ObservationFamily {
        switch self {
        case .bernoulli: return BernoulliObservation()
        case .gaussian: return GaussianObservation(dimension: dimension)
        case .gaussianFixed: return FixedGaussianObservation(standardDeviation: standardDeviation)
        case .categorical: return CategoricalObservation(levels: levels, dimension: dimension)
        case .logisticMixture:
            return LogisticMixtureObservation(levels: levels, components: mixtureComponents, dimension: dimension)
        }
    }
}

/// A decoder network followed by the observation family: maps `z` to the parameters of
/// `p(x | z)` (``ObservationFamily/parametersPerDimension`` per data dimension, laid out
/// `[..., D·P]`) and scores data under the family's LatentProbability distribution.
public final class ObservationModel: Module {
    /// The network from (conditioned) latents to per-dimension parameters.
    public let network: any Layer
    /// The distribution family of `p(x | z)` (its parameters are inlined: `logScale`).
    public let family: any ObservationFamily
    /// Data dimensions `D`.
    public let dimension: Int

    public override class var stateKeys: [String: String] { ["family": ""] }

    /// - Parameters:
    ///   - network: Maps `[..., Z]` to `[..., D · P]` with `P` = the family's parameters per dimension.
    ///   - family: The distribution family.
    ///   - dimension: `D`.
    public init(network: any Layer, family: any ObservationFamily, dimension: Int) {
        self.network = network
        self.family = family
        self.dimension = dimension
    }

    /// A decoder with the family named by `likelihood`.
    ///
    /// - Parameters:
    ///   - fixedScale: σ of ``ObservationLikelihood/gaussianFixed``.
    ///   - levels: `L` of the discrete likelihoods.
    ///   - mixtureComponents: `M` of the logistic mixture.
    public convenience init(network: any Layer, likelihood: ObservationLikelihood, dimension: Int, fixedScale: Float = 0.1,
                            levels: Int = 256, mixtureComponents: Int = 5) {
        self.init(network: network, family: likelihood.family(dimension: dimension, standardDeviation: fixedScale, levels: levels,
                                                              mixtureComponents: mixtureComponents),
                  dimension: dimension)
    }

    /// A decoder around an MLP whose output width is `D` (one parameter per dimension).
    public convenience init(network: MultilayerPerceptron, likelihood: ObservationLikelihood, fixedScale: Float = 0.1) {
        self.init(network: network, likelihood: likelihood, dimension: network.outputSize, fixedScale: fixedScale)
    }

    /// Network outputs per data dimension: 1 (Bernoulli, Gaussian), `L` (categorical), `3M`
    /// (logistic mixture).
    public static func parametersPerDimension(likelihood: ObservationLikelihood, levels: Int, mixtureComponents: Int) -> Int {
        likelihood.family(dimension: 1, levels: levels, mixtureComponents: mixtureComponents).parametersPerDimension
    }

    /// `P` of this decoder.
    public var parametersPerDimension: Int { family.parametersPerDimension }

    /// Network output, `[..., D · P]`.
    public func callAsFunction(_ z: Tensor) -> Tensor { network(z) }

    /// `p(x | z)` for network output `[..., D·P]`.
    public func distribution(output: Tensor) -> any Distribution { family.distribution(output: output) }

    /// `log p(x | z)`, summed over the data dimensions: `x` is `[B, D]`, `output` is `[..., B, D·P]`.
    public func logLikelihood(_ x: Tensor, output: Tensor) -> Tensor {
        family.distribution(output: output).logProb(family.observations(x))
    }

    /// The mean of `p(x | z)` given the network output, `[..., D]` in data units.
    public func mean(output: Tensor) -> Tensor { family.mean(output: output) }

    /// A draw from `p(x | z)` given the network output, `[..., D]` in data units.
    public func sample(output: Tensor, generator: inout RandomGenerator) -> Tensor {
        family.dataUnits(family.distribution(output: output.detached()).sample([], generator: &generator))
    }

    public override var summary: String { "ObservationModel(\(family.name))" }
}
