import LatentCore
import LatentNN
import LatentProbability

/// `q(z | x)`: the encoder's diagonal Gaussian through `steps` amortised planar flows whose
/// parameters `[u, w, b]` the encoder also outputs, per example (Rezende & Mohamed, 2015).
/// The KL is estimated by Monte Carlo; see ``AmortizedFlow/planarStep(parameters:)``.
public final class PlanarFlowPosterior: Module, VariationalPosterior {
    /// `Z`.
    public let latentDimension: Int
    /// Planar steps.
    public let steps: Int

    public init(latentDimension: Int, steps: Int) {
        ensure(steps >= 1, "PlanarFlowPosterior: needs at least one step, got \(steps)")
        self.latentDimension = latentDimension
        self.steps = steps
    }

    /// `2Z` for the base and `2Z + 1` per step.
    public var encoderOutputCount: Int {
        2 * latentDimension + steps * AmortizedFlow.planarParameterCount(latentDimension: latentDimension)
    }

    public func distribution(_ parameters: Tensor) -> any Distribution { flow(parameters) }

    func flow(_ parameters: Tensor) -> AmortizedFlow {
        let z = latentDimension
        let parts = parameters.split(sizes: [2 * z, parameters.shape[1] - 2 * z], alongAxis: 1)
        let planar = parts[1].chunked(steps, alongAxis: 1).map { AmortizedFlow.planarStep(parameters: $0) }
        return AmortizedFlow(base: DiagonalGaussianPosterior.gaussian(parts[0]), steps: planar)
    }

    public func location(_ parameters: Tensor) -> Tensor { flow(parameters).location }
}

/// `q(z | x)`: the encoder's diagonal Gaussian through inverse autoregressive steps, each a
/// MADE conditioned on a context the encoder outputs (Kingma et al., 2016); see
/// ``AmortizedFlow/inverseAutoregressiveStep(network:context:)``. IAF gates start open
/// (sigmoid(1.5) ≈ 0.82) with zero shifts: close to the identity.
public final class InverseAutoregressivePosterior: Module, VariationalPosterior {
    /// `Z`.
    public let latentDimension: Int
    /// The MADE of each step.
    public let inverseAutoregressiveNetworks: [MADE]

    /// Width of the context from the encoder and of the MADE hidden layers: `max(4Z, 64)`.
    public static func contextWidth(latentDimension z: Int) -> Int { max(4 * z, 64) }

    public init(latentDimension z: Int, steps: Int, generator: inout RandomGenerator) {
        ensure(steps >= 1, "InverseAutoregressivePosterior: needs at least one step, got \(steps)")
        latentDimension = z
        let width = Self.contextWidth(latentDimension: z)
        inverseAutoregressiveNetworks = (0..<steps).map { _ in
            MADE(dimension: z, hidden: [width, width], parametersPerDimension: 2, contextSize: width,
                 outputBias: Array(repeating: [0, 1.5], count: z).flatMap { $0 }, generator: &generator)
        }
    }

    /// `2Z` for the base and the context width.
    public var encoderOutputCount: Int { 2 * latentDimension + Self.contextWidth(latentDimension: latentDimension) }

    public func distribution(_ parameters: Tensor) -> any Distribution { flow(parameters) }

    func flow(_ parameters: Tensor) -> AmortizedFlow {
        let z = latentDimension
        let parts = parameters.split(sizes: [2 * z, parameters.shape[1] - 2 * z], alongAxis: 1)
        let steps = inverseAutoregressiveNetworks.map { AmortizedFlow.inverseAutoregressiveStep(network: $0, context: parts[1]) }
        return AmortizedFlow(base: DiagonalGaussianPosterior.gaussian(parts[0]), steps: steps)
    }

    public func location(_ parameters: Tensor) -> Tensor { flow(parameters).location }
}

/// `q(z | x)`: the encoder's diagonal Gaussian pushed through a conditional ``Flow`` whose
/// context the encoder outputs — any flow of the package (MAF, couplings, splines) as a
/// VAE posterior: `q(· | x) = flow.distribution(context: h(x), base: N(μ(x), σ²(x)))`.
///
/// Draws are scored along the forward pass; with transforms that invert, `log q` of any
/// point is available too. The flow's parameters train with the encoder (keys
/// `posterior-flow.…`, distinct from a ``FlowPrior``'s when a VAE has both).
public final class ConditionalFlowPosterior: Module, VariationalPosterior {
    /// The flow over `[Z]`, with the context size the encoder feeds (0 for none).
    public let flow: Flow

    public override class var stateKeys: [String: String] { ["flow": "posterior-flow"] }

    public init(flow: Flow) {
        ensure(flow.eventShape.count == 1, "ConditionalFlowPosterior: the flow must be over vectors [Z], got \(flow.eventShape)")
        self.flow = flow
    }

    /// `2Z` for the base and the flow's context size.
    public var encoderOutputCount: Int { 2 * flow.eventShape[0] + flow.contextSize }

    public func distribution(_ parameters: Tensor) -> any Distribution { flowDistribution(parameters) }

    func flowDistribution(_ parameters: Tensor) -> FlowDistribution {
        let z = flow.eventShape[0]
        guard flow.contextSize > 0 else {
            return flow.distribution(base: DiagonalGaussianPosterior.gaussian(parameters))
        }
        let parts = parameters.split(sizes: [2 * z, flow.contextSize], alongAxis: -1)
        return flow.distribution(context: parts[1], base: DiagonalGaussianPosterior.gaussian(parts[0]))
    }

    /// The flow's image of the base mean.
    public func location(_ parameters: Tensor) -> Tensor {
        let q = flowDistribution(parameters)
        return q.push(q.base.mean).x
    }
}
