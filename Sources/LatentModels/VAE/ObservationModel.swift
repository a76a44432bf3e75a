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
}

/// A decoder network followed by the observation likelihood: maps `z` to the parameters of
/// `p(x | z)` and scores data under it.
public final class ObservationModel: Module {
    /// The network from (conditioned) latents to per-dimension parameters.
    public let network: MultilayerPerceptron
    /// The likelihood family.
    public let likelihood: ObservationLikelihood
    /// Learned log σ per dimension (``ObservationLikelihood/gaussian`` only).
    public let logScale: Parameter?
    /// σ for ``ObservationLikelihood/gaussianFixed``.
    public let fixedScale: Float

    public init(network: MultilayerPerceptron, likelihood: ObservationLikelihood, fixedScale: Float = 0.1) {
        self.network = network
        self.likelihood = likelihood
        self.fixedScale = fixedScale
        logScale = likelihood == .gaussian ? Parameter(Tensor.zeros([network.outputSize])) : nil
    }

    /// Network output: logits (Bernoulli) or means (Gaussian), `[..., D]`.
    public func callAsFunction(_ z: Tensor) -> Tensor { network(z) }

    /// `log p(x | z)` summed over the last axis: `x` is `[B, D]`, `output` is `[..., B, D]`.
    ///
    /// Bernoulli: `−BCE(logits, x)`; Gaussian: `−½ Σ ((x − μ)² / σ² + 2 log σ + log 2π)`.
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
        }
    }

    /// The mean of `p(x | z)` given the network output (probabilities or means), for pictures.
    public func mean(output: Tensor) -> Tensor {
        likelihood == .bernoulli ? output.sigmoid() : output
    }

    /// A draw from `p(x | z)` given the network output.
    public func sample(output: Tensor, generator: inout RandomGenerator) -> Tensor {
        switch likelihood {
        case .bernoulli: return generator.bernoulli(probabilities: output.sigmoid())
        case .gaussian: return output + generator.normal(output.shape) * maximum(logScale!.wrappedValue, Float(-7)).exp()
        case .gaussianFixed: return output + generator.normal(output.shape) * fixedScale
        }
    }

    public override var summary: String { "ObservationModel(\(likelihood.rawValue))" }
}
