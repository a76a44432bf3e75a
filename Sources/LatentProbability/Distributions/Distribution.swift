import LatentCore

/// A probability distribution over tensors, with torch.distributions / TensorFlow
/// Probability semantics.
///
/// A distribution has a *batch shape* (independent, not necessarily identical
/// distributions) and an *event shape* (the shape of one draw). A sample of
/// `sampleShape` has shape `sampleShape + batchShape + eventShape`; `logProb` of such a
/// value has shape `sampleShape + batchShape` (event dimensions are summed).
///
/// - `sample` draws without recording gradients; `rsample` draws *reparameterised*
///   samples that are differentiable with respect to the distribution's parameters
///   (Kingma & Welling 2014; implicit reparameterisation for Gamma, Beta and Dirichlet,
///   Figurnov et al. 2018).
/// - Methods that a distribution cannot provide in closed form trap with a message
///   naming the distribution and the method (check ``hasRSample`` before `rsample`).
public protocol Distribution {
    /// Shape of the independent batch of distributions.
    var batchShape: [Int] { get }
    /// Shape of a single draw.
    var eventShape: [Int] { get }
    /// Whether ``rsample(_:generator:)`` is available.
    var hasRSample: Bool { get }
    /// The set of values with positive density or mass.
    var support: Constraint { get }

    /// Draws samples of shape `sampleShape + batchShape + eventShape` (not differentiable).
    func sample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor
    /// Draws reparameterised samples, differentiable with respect to the parameters.
    func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor
    /// log p(value), summed over the event dimensions: shape `sampleShape + batchShape`.
    func logProb(_ value: Tensor) -> Tensor
    /// Differential (or Shannon) entropy, shape `batchShape`.
    func entropy() -> Tensor
    /// Mean, shape `batchShape + eventShape`.
    var mean: Tensor { get }
    /// Variance, shape `batchShape + eventShape`.
    var variance: Tensor { get }
    /// Cumulative distribution function (univariate distributions).
    func cdf(_ value: Tensor) -> Tensor
    /// Inverse CDF (quantile function).
    func icdf(_ probability: Tensor) -> Tensor
    /// Draws of shape `sampleShape + batchShape + eventShape` — reparameterised when
    /// ``hasRSample`` — with their log-densities (`sampleShape + batchShape`). The default
    /// draws, then scores; flows give both from one forward pass, which is how a flow
    /// whose inverse is costly or unknown is scored (Monte-Carlo KL, VAE posteriors).
    func sampleAndLogProb(_ sampleShape: [Int], generator: inout RandomGenerator) -> (sample: Tensor, logProb: Tensor)
}

extension Distribution {
    public var hasRSample: Bool { false }

    public func sample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        ensure(hasRSample, "\(Self.self).sample: not implemented")
        var g = generator
        let s = withoutDerivative { rsample(sampleShape, generator: &g) }.detached()
        generator = g
        return s
    }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        fatalError("\(Self.self).rsample: this distribution has no reparameterised sampler; use sample(_:generator:)")
    }

    public func entropy() -> Tensor { fatalError("\(Self.self).entropy: no closed form") }
    public var mean: Tensor { fatalError("\(Self.self).mean: no closed form") }
    public var variance: Tensor { fatalError("\(Self.self).variance: no closed form") }
    public func cdf(_ value: Tensor) -> Tensor { fatalError("\(Self.self).cdf: no closed form") }
    public func icdf(_ probability: Tensor) -> Tensor { fatalError("\(Self.self).icdf: no closed form") }

    public func sampleAndLogProb(_ sampleShape: [Int], generator: inout RandomGenerator) -> (sample: Tensor, logProb: Tensor) {
        let x = hasRSample ? rsample(sampleShape, generator: &generator) : sample(sampleShape, generator: &generator)
        return (x, logProb(x))
    }

    /// One draw of shape `batchShape + eventShape`.
    public func sample(generator: inout RandomGenerator) -> Tensor { sample([], generator: &generator) }
    /// One reparameterised draw of shape `batchShape + eventShape`.
    public func rsample(generator: inout RandomGenerator) -> Tensor { rsample([], generator: &generator) }
}

/// Errors in distribution parameters, reported with the distribution and parameter names.
public struct DistributionParameterError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ distribution: String, _ message: String) { self.message = "\(distribution): \(message)" }
    public var description: String { message }
}
