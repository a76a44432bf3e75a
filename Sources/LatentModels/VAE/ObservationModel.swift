import Foundation
import LatentCore
import LatentNN

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
}

/// A decoder network followed by the observation likelihood: maps `z` to the parameters of
/// `p(x | z)` and scores data under it.
///
/// The network outputs ``parametersPerDimension`` values per data dimension, laid out
/// `[..., D·P]` (dimension-major): one logit or mean (Bernoulli, Gaussian), `L` logits
/// (categorical) or `3M` values — `M` mixture logits, `M` means in [−1, 1] space and `M`
/// log-scales — (logistic mixture).
///
/// For the discrete likelihoods, data in [0, 1] stored as `v / (L − 1)` are scored on
/// the integer levels `v ∈ {0, …, L − 1}`, so `log p(x | z)` is `log P(v | z)` in nats.
public final class ObservationModel: Module {
    /// The network from (conditioned) latents to per-dimension parameters.
    public let network: any Layer
    /// The likelihood family.
    public let likelihood: ObservationLikelihood
    /// Learned log σ per dimension (``ObservationLikelihood/gaussian`` only).
    public let logScale: Parameter?
    /// σ for ``ObservationLikelihood/gaussianFixed``.
    public let fixedScale: Float
    /// Intensity levels `L` of the discrete likelihoods.
    public let levels: Int
    /// Mixture components `M` of ``ObservationLikelihood/logisticMixture``.
    public let mixtureComponents: Int
    /// Data dimensions `D`.
    public let dimension: Int

    /// - Parameters:
    ///   - network: Maps `[..., Z]` to `[..., D · P]` with `P` = ``parametersPerDimension(likelihood:levels:mixtureComponents:)``.
    ///   - likelihood: The distribution family.
    ///   - dimension: `D`.
    ///   - fixedScale: σ of ``ObservationLikelihood/gaussianFixed``.
    ///   - levels: `L` of the discrete likelihoods.
    ///   - mixtureComponents: `M` of the logistic mixture.
    public init(network: any Layer, likelihood: ObservationLikelihood, dimension: Int, fixedScale: Float = 0.1,
                levels: Int = 256, mixtureComponents: Int = 5) {
        ensure(!likelihood.isDiscrete || levels >= 2, "ObservationModel: \(likelihood.rawValue) needs at least 2 levels, got \(levels)")
        ensure(mixtureComponents >= 1, "ObservationModel: mixture components must be positive, got \(mixtureComponents)")
        self.network = network
        self.likelihood = likelihood
        self.dimension = dimension
        self.fixedScale = fixedScale
        self.levels = levels
        self.mixtureComponents = mixtureComponents
        logScale = likelihood == .gaussian ? Parameter(Tensor.zeros([dimension])) : nil
    }

    /// A decoder around an MLP whose output width is `D` (one parameter per dimension).
    public convenience init(network: MultilayerPerceptron, likelihood: ObservationLikelihood, fixedScale: Float = 0.1) {
        self.init(network: network, likelihood: likelihood, dimension: network.outputSize, fixedScale: fixedScale)
    }

    /// Network outputs per data dimension: 1 (Bernoulli, Gaussian), `L` (categorical), `3M`
    /// (logistic mixture).
    public static func parametersPerDimension(likelihood: ObservationLikelihood, levels: Int, mixtureComponents: Int) -> Int {
        switch likelihood {
        case .bernoulli, .gaussian, .gaussianFixed: return 1
        case .categorical: return levels
        case .logisticMixture: return 3 * mixtureComponents
        }
    }

    /// `P` of this decoder.
    public var parametersPerDimension: Int {
        Self.parametersPerDimension(likelihood: likelihood, levels: levels, mixtureComponents: mixtureComponents)
    }

    /// Network output, `[..., D · P]`.
    public func callAsFunction(_ z: Tensor) -> Tensor { network(z) }

    /// `[..., D·P]` output as `[..., D, P]`.
    func perDimension(_ output: Tensor) -> Tensor {
        output.reshaped(to: Array(output.shape.dropLast()) + [dimension, parametersPerDimension])
    }

    /// Integer levels `v = round(x (L − 1))` of [0, 1] data.
    func levelValues(_ x: Tensor) -> Tensor {
        (x * Float(levels - 1)).rounded().clamped(min: 0, max: Float(levels - 1))
    }

    /// `log p(x | z)` summed over the last axis: `x` is `[B, D]`, `output` is `[..., B, D·P]`.
    ///
    /// Bernoulli: `−BCE(logits, x)`; Gaussian: `−½ Σ ((x − μ)² / σ² + 2 log σ + log 2π)`;
    /// categorical: `Σ_d log softmax(logits_d)[v_d]`; logistic mixture: `Σ_d log P(v_d)` (see
    /// ``discretizedLogisticMixtureLogProb(levels:values:logits:means:logScales:)``).
    public func logLikelihood(_ x: Tensor, output: Tensor) -> Tensor {
        switch likelihood {
        case .bernoulli:
            return -binaryCrossEntropy(logits: output, targets: x, reduction: .none).sum(alongAxis: -1)
        case .gaussian:
            let logSigma = maximum(logScale!.wrappedValue, Float(-7))
            let standardized = (x - output) * (-logSigma).exp()
            return (standardized.square() + logSigma * 2 + Float(log(2 * Double.pi))).sum(alongAxis: -1) * -0.5
        case .gaussianFixed:
            let d = Float(x.shape.last ?? 1)
            let constant = d * (2 * log(fixedScale) + Float(log(2 * Double.pi)))
            return ((x - output).square().sum(alongAxis: -1) / (fixedScale * fixedScale) + constant) * -0.5
        case .categorical:
            let selected = withoutDerivative {
                oneHot(IndexTensor(shape: x.shape, scalars: levelValues(x).scalars.map { Int($0) }), classCount: levels)
            }
            return (perDimension(output).logSoftmax(alongAxis: -1) * selected).sum(alongAxes: [-2, -1])
        case .logisticMixture:
            let (logits, means, logScales) = mixtureParameters(output)
            let values = withoutDerivative { levelValues(x) * (2 / Float(levels - 1)) - 1 }
            return discretizedLogisticMixtureLogProb(levels: levels, values: values.unsqueezed(axis: -1),
                                                     logits: logits, means: means, logScales: logScales).sum(alongAxis: -1)
        }
    }

    /// Logits, means and log-scales of the logistic mixture, `[..., D, M]` each.
    func mixtureParameters(_ output: Tensor) -> (logits: Tensor, means: Tensor, logScales: Tensor) {
        let parts = perDimension(output).chunked(3, alongAxis: -1)
        return (parts[0], parts[1], parts[2])
    }

    /// The mean of `p(x | z)` given the network output, `[..., D]` in data units (probabilities
    /// or means; `E[v] / (L − 1)` for the discrete likelihoods), for pictures.
    public func mean(output: Tensor) -> Tensor {
        switch likelihood {
        case .bernoulli: return output.sigmoid()
        case .gaussian, .gaussianFixed: return output
        case .categorical:
            let grid = Tensor(shape: [levels], scalars: (0..<levels).map { Float($0) / Float(levels - 1) })
            return (perDimension(output).softmax(alongAxis: -1) * grid).sum(alongAxis: -1)
        case .logisticMixture:
            let (logits, means, _) = mixtureParameters(output)
            let mean = (logits.softmax(alongAxis: -1) * means.clamped(min: -1, max: 1)).sum(alongAxis: -1)
            return (mean + 1) * 0.5
        }
    }

    /// A draw from `p(x | z)` given the network output, `[..., D]` in data units.
    public func sample(output: Tensor, generator: inout RandomGenerator) -> Tensor {
        switch likelihood {
        case .bernoulli: return generator.bernoulli(probabilities: output.sigmoid())
        case .gaussian: return output + generator.normal(output.shape) * maximum(logScale!.wrappedValue, Float(-7)).exp()
        case .gaussianFixed: return output + generator.normal(output.shape) * fixedScale
        case .categorical:
            let chosen = generator.categorical(logits: perDimension(output).detached())
            return chosen.asTensor / Float(levels - 1)
        case .logisticMixture:
            return withoutDerivative {
                let (logits, means, logScales) = mixtureParameters(output.detached())
                let component = oneHot(generator.categorical(logits: logits), classCount: mixtureComponents)
                let mu = (means * component).sum(alongAxis: -1)
                let s = (logScales.clamped(min: -7) * component).sum(alongAxis: -1).exp()
                let u = generator.uniform(mu.shape).clamped(min: 1e-5, max: 1 - 1e-5)
                let value = (mu + s * (u.log() - (-u).log1p())).clamped(min: -1, max: 1)
                return levelValues((value + 1) * 0.5) / Float(levels - 1)
            }
        }
    }

    public override var summary: String { "ObservationModel(\(likelihood.rawValue))" }
}
