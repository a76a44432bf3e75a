import Foundation
import LatentCore
import LatentNN
import LatentProbability

/// The prior `p(z)` of a VAE: a module (it may learn parameters) that gives a
/// LatentProbability distribution over `[Z]`. The model scores `log p(z)` with it, draws
/// from it, and takes `KL(q ‖ p)` analytically when a rule is registered for the pair (the
/// standard normal against a Gaussian posterior) or by Monte Carlo otherwise.
///
/// The model inlines the prior's parameters into its own namespace (`pseudoInputs`,
/// `mixturePrior.logits`, `flow.…`).
public protocol LatentPrior: Module {
    /// `p(z)`: batch shape `[]`, event shape `[Z]`.
    ///
    /// - Parameter posterior: The model's `q(z | u)` for inputs `u` `[C, D]` (batch `[C]`),
    ///   which the VampPrior mixes; other priors ignore it.
    func distribution(posterior: (Tensor) -> any Distribution) -> any Distribution
}

/// `p(z) = N(0, I)`: analytic KL against Gaussian posteriors.
public final class StandardNormalPrior: Module, LatentPrior {
    /// `Independent(Normal.standard([Z]))`.
    public let standard: Independent

    public init(latentDimension: Int) {
        standard = Independent(Normal.standard([latentDimension]), reinterpretedBatchDimensions: 1)
    }

    public func distribution(posterior: (Tensor) -> any Distribution) -> any Distribution { standard }
}

/// A learned mixture of `C` diagonal Gaussians, `Σ_c π_c N(μ_c, diag σ_c²)`, as a
/// ``MixtureSameFamily``; KL by Monte Carlo.
public final class MixturePrior: Module, LatentPrior {
    /// The mixture's parameters (checkpoint keys `mixturePrior.…`).
    public let mixturePrior: GaussianMixturePrior

    public init(components: Int, latentDimension: Int, generator: inout RandomGenerator) {
        mixturePrior = GaussianMixturePrior(components: components, latentDimension: latentDimension, generator: &generator)
    }

    public func distribution(posterior: (Tensor) -> any Distribution) -> any Distribution { mixturePrior.distribution }
}

/// The parameters of a learned mixture of `C` diagonal Gaussians over `Z` dimensions.
public final class GaussianMixturePrior: Module {
    /// Unnormalised log weights, `[C]`.
    @Parameter public var logits: Tensor
    /// Component means, `[C, Z]`.
    @Parameter public var means: Tensor
    /// Component log variances, `[C, Z]`.
    @Parameter public var logVariances: Tensor

    /// Components start at standard-normal draws for the means (spread), unit variances and
    /// equal weights.
    public init(components: Int, latentDimension: Int, generator: inout RandomGenerator) {
        _logits = Parameter(Tensor.zeros([components]))
        _means = Parameter(generator.normal([components, latentDimension]))
        _logVariances = Parameter(Tensor.zeros([components, latentDimension]))
    }

    /// `Σ_c softmax(logits)_c N(μ_c, diag exp(log σ_c²))`.
    public var distribution: MixtureSameFamily {
        MixtureSameFamily(mixing: Categorical(logits: logits),
                          components: Independent(Normal(loc: means, logVariance: logVariances), reinterpretedBatchDimensions: 1))
    }

    /// `log p(z) = logsumexp_c (log π_c + log N(z; μ_c, σ_c²))` for `z` of shape `[..., Z]`.
    public func logProb(_ z: Tensor) -> Tensor { distribution.logProb(z) }

    /// `count` draws, `[count, Z]`.
    public func sample(count: Int, generator: inout RandomGenerator) -> Tensor {
        distribution.sample([count], generator: &generator)
    }
}

/// VampPrior (Tomczak & Welling, 2018): `p(z) = (1/C) Σ_c q(z | u_c)`, the posterior at `C`
/// learned pseudo-inputs `u_c`, as a ``MixtureSameFamily`` of the posterior's distributions;
/// KL by Monte Carlo. Needs a posterior that scores external points.
public final class VampPrior: Module, LatentPrior {
    /// Pseudo-inputs `[C, D]`, initialised uniform in [0, 1).
    @Parameter public var pseudoInputs: Tensor

    public init(pseudoInputs count: Int, dataDimension: Int, generator: inout RandomGenerator) {
        _pseudoInputs = Parameter(generator.uniform([count, dataDimension]))
    }

    public func distribution(posterior: (Tensor) -> any Distribution) -> any Distribution {
        let components = posterior(pseudoInputs)
        let c = pseudoInputs.shape[0]
        return MixtureSameFamily(mixing: Categorical(logits: Tensor.zeros([c])), components: components)
    }
}

/// A ``Flow`` as the prior: `p(z)` is the (unconditional) flow over `[Z]`, learned with
/// the model (keys `prior-flow.…`); KL by Monte Carlo (Chen et al., 2017, "Variational Lossy
/// Autoencoder", use an autoregressive-flow prior).
public final class FlowPrior: Module, LatentPrior {
    /// An unconditional flow over `[Z]`.
    public let flow: Flow

    public override class var stateKeys: [String: String] { ["flow": "prior-flow"] }

    public init(flow: Flow) {
        ensure(flow.eventShape.count == 1 && flow.contextSize == 0,
               "FlowPrior: the flow must be unconditional over vectors [Z], got event \(flow.eventShape), context \(flow.contextSize)")
        self.flow = flow
    }

    public func distribution(posterior: (Tensor) -> any Distribution) -> any Distribution { flow }
}

/// The prior `p(z)` of a VAE, by option name (`--option prior=…`).
public enum LatentPriorKind: String, Sendable, CaseIterable {
    /// `N(0, I)`: the KL term is analytic.
    case standard
    /// A learned mixture of diagonal Gaussians, `Σ_c π_c N(μ_c, diag σ_c²)`; KL by Monte Carlo.
    case mixture
    /// VampPrior (Tomczak & Welling, 2018): `(1/C) Σ_c q(z | u_c)` with learned pseudo-inputs
    /// `u_c` passed through the encoder; KL by Monte Carlo.
    case vamp
}
