import LatentCore
import LatentProbability

/// The distribution of a (conditional) ``Flow`` for one context and one base: zuko's
/// `flow(c)`, a ``Distribution`` that scores, samples and reparameterises through the
/// flow's transforms,
///
///     x = f(z; c),  z ~ base,     log p(x | c) = log p_base(f⁻¹(x; c)) + log |det ∂f⁻¹/∂x|.
///
/// The batch shape is the broadcast of the context's leading shape (`context` is
/// `batch + [contextSize]`) and the base's batch shape; a base with a batch (the
/// per-example Gaussian of a VAE encoder, batch `[B]`) makes a per-example flow, which
/// is how a flow serves as a VAE posterior `q(z | x)`. Values of shape
/// `sample + batch + eventShape` are flattened to one leading axis for the transforms.
///
/// `sampleAndLogProb` uses the forward (sampling) direction only, so flows whose inverse
/// is sequential (IAF) are scored cheaply on their own draws.
public struct FlowDistribution: Distribution {
    /// The flow (its transforms and parameters).
    public let flow: Flow
    /// `batch + [contextSize]` for a conditional flow, else nil.
    public let context: Tensor?
    /// The distribution of `z` (events of the flow's event shape).
    public let base: any Distribution
    public let batchShape: [Int]
    public var eventShape: [Int] { flow.eventShape }
    public var hasRSample: Bool { base.hasRSample }
    public var support: Constraint { .realVector }

    /// - Parameters:
    ///   - flow: The flow.
    ///   - context: `batch + [contextSize]` (required for a conditional flow).
    ///   - base: The base distribution; the flow's own when nil.
    public init(flow: Flow, context: Tensor? = nil, base: (any Distribution)? = nil) {
        let base = base ?? flow.base
        ensure(base.eventShape == flow.eventShape,
               "FlowDistribution: the base's event shape \(shapeString(base.eventShape)) is not the flow's \(shapeString(flow.eventShape))")
        ensure((context == nil) == (flow.contextSize == 0) && (context?.shape.last ?? 0) == flow.contextSize,
               "FlowDistribution: the flow needs a context [..., \(flow.contextSize)], got \(context.map { shapeString($0.shape) } ?? "none")")
        self.flow = flow
        self.context = context
        self.base = base
        let contextBatch = context.map { Array($0.shape.dropLast()) } ?? []
        batchShape = checkShapes { () throws(ShapeError) in try Shape.broadcast(contextBatch, base.batchShape, op: "FlowDistribution") }
    }

    /// Leading shape (`sample + batch`) of a value with this event shape.
    private func leadingShape(_ shape: [Int]) -> [Int] { Array(shape.dropLast(eventShape.count)) }

    /// The context for points of leading shape `leading`, flattened to `[N, contextSize]`.
    private func flatContext(_ leading: [Int]) -> Tensor? {
        guard let context else { return nil }
        let n = leading.reduce(1, *)
        return context.broadcast(to: leading + [flow.contextSize]).reshaped(to: [n, flow.contextSize])
    }

    /// `f(z; c)` and `log |det ∂f/∂z|` for base points of shape `leading + eventShape`.
    public func push(_ z: Tensor) -> (x: Tensor, logAbsDetJacobian: Tensor) {
        let leading = leadingShape(z.shape)
        let n = leading.reduce(1, *)
        let (x, logDet) = flow.dataAndLogAbsDetJacobian(fromLatent: z.reshaped(to: [n] + eventShape),
                                                        context: flatContext(leading))
        return (x.reshaped(to: z.shape), logDet.reshaped(to: leading))
    }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        push(base.rsample(sampleShape, generator: &generator)).x
    }

    public func sample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        let z = base.sample(sampleShape, generator: &generator)
        return withoutDerivative { push(z).x }.detached()
    }

    public func logProb(_ value: Tensor) -> Tensor {
        let shape = checkParameters { () throws(DistributionParameterError) in
            try DistributionValidation.valueShape("FlowDistribution.logProb", value.shape, batchShape: batchShape, eventShape: eventShape)
        }
        let leading = leadingShape(value.shape)
        let n = leading.reduce(1, *)
        let (z, logDet) = flow.latentAndLogAbsDetJacobian(value.reshaped(to: [n] + eventShape), context: flatContext(leading))
        let result = base.logProb(z.reshaped(to: value.shape)) + logDet.reshaped(to: leading)
        return result.shape == shape ? result : result.broadcast(to: shape)
    }

    /// Reparameterised draws with their log-densities from one forward pass.
    public func sampleAndLogProb(_ sampleShape: [Int], generator: inout RandomGenerator) -> (sample: Tensor, logProb: Tensor) {
        let z = base.rsample(sampleShape, generator: &generator)
        let baseLogProb = base.logProb(z)
        let (x, logDet) = push(z)
        return (x, baseLogProb - logDet)
    }
}

extension Flow {
    /// The flow's distribution for a context (required when ``contextSize`` > 0) over its
    /// own base or another one (e.g. a per-example Gaussian from a VAE encoder).
    public func distribution(context: Tensor? = nil, base: (any Distribution)? = nil) -> FlowDistribution {
        FlowDistribution(flow: self, context: context, base: base)
    }
}

/// An unconditional flow is a distribution over its events (batch shape `[]`).
extension Flow: Distribution {
    public var batchShape: [Int] { [] }
    public var hasRSample: Bool { base.hasRSample }
    public var support: Constraint { .realVector }

    /// log p(x) for `x` of shape `sample + eventShape` (an unconditional flow).
    public func logProb(_ value: Tensor) -> Tensor {
        if value.rank == eventShape.count + 1 { return logProb(value, context: nil) }
        return distribution().logProb(value)
    }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        distribution().rsample(sampleShape, generator: &generator)
    }

    public func sample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        distribution().sample(sampleShape, generator: &generator)
    }

    public func sampleAndLogProb(_ sampleShape: [Int], generator: inout RandomGenerator) -> (sample: Tensor, logProb: Tensor) {
        distribution().sampleAndLogProb(sampleShape, generator: &generator)
    }
}
