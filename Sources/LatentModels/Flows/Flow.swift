import LatentCore
import LatentNN
import LatentProbability

/// A normalising flow: a base distribution over the latent space and a stack of
/// invertible transforms from the latent space to the data, optionally conditioned on a
/// context vector (class-conditional density estimation, VAE posteriors).
///
/// Transforms are applied first to last in the latent → data (sampling) direction, and
/// last to first in the data → latent (density) direction:
///
///     x = f_K ∘ … ∘ f_1(z),   z ~ p_base,
///     log p(x | c) = log p_base(z) + Σₖ log |det ∂fₖ⁻¹/∂yₖ|.
///
/// This is the convention of ``TransformedDistribution`` (base → data); zuko and nflows
/// name the opposite direction "forward". Which direction is one network pass depends
/// on the transform (see ``MaskedAutoregressiveTransform``).
///
/// **A flow is a distribution** (as zuko's `Flow(transform, base)`): an unconditional flow
/// is itself a ``Distribution`` (batch shape `[]`, event shape ``eventShape``), and
/// ``distribution(context:base:)`` gives the distribution of a conditional flow for a
/// context, optionally over another base (a VAE posterior pushes the encoder's Gaussian
/// through a flow). The base is any distribution with events of ``eventShape`` — a
/// standard normal by default, or another flow, whose parameters then belong to this one.
///
/// ```swift
/// let inner = Flow.maskedAutoregressive(dimension: 2, layers: 2, hidden: [16], generator: &g)
/// let outer = Flow(eventShape: [2], transforms: [...], base: inner)    // a flow on a flow
/// let x = outer.sample([100], generator: &g)                           // [100, 2]
/// let kl = klDivergence(posterior, outer, generator: &g)               // Monte Carlo
/// ```
public final class Flow: Module {
    public let transforms: [any FlowTransform]
    /// Shape of one event (one data point), e.g. `[2]` or `[3, 32, 32]`.
    public let eventShape: [Int]
    /// Size of the context vector (0: unconditional).
    public let contextSize: Int
    /// The latent distribution (events of ``eventShape``, batch shape `[]`): a standard
    /// normal unless another was given. A base that is a ``Module`` (another flow) is part
    /// of this flow's parameter tree, under `base.`.
    public let base: any Distribution
    /// Whether ``base`` is the default standard normal (scored and drawn with the plain
    /// formulas, as before bases were choosable).
    private let hasStandardBase: Bool

    /// - Parameters:
    ///   - eventShape: Shape of one data point.
    ///   - transforms: Latent → data, first to last.
    ///   - contextSize: Size of the context vector every conditioner receives (0 for none).
    ///   - base: The latent distribution, with batch shape `[]` and event shape
    ///     `eventShape` (default: the standard normal).
    public init(eventShape: [Int], transforms: [any FlowTransform], contextSize: Int = 0,
                base: (any Distribution)? = nil) {
        if let base {
            ensure(base.batchShape.isEmpty && base.eventShape == eventShape,
                   "Flow: the base must have batch shape [] and event shape \(shapeString(eventShape)), got batch \(shapeString(base.batchShape)), event \(shapeString(base.eventShape))")
        }
        self.eventShape = eventShape
        self.transforms = transforms
        self.contextSize = contextSize
        self.base = base ?? Independent(Normal.standard(eventShape), reinterpretedBatchDimensions: eventShape.count)
        hasStandardBase = base == nil
    }

    private func checkInput(_ x: Tensor, _ op: String, context: Tensor?) {
        checkShapes { () throws(ShapeError) in
            guard x.rank == eventShape.count + 1, Array(x.shape.dropFirst()) == eventShape else {
                throw ShapeError(op: "Flow.\(op)", "input of shape \(shapeString(x.shape)) is not [B] + \(shapeString(eventShape))")
            }
            if contextSize > 0 {
                guard let context, context.shape == [x.shape[0], contextSize] else {
                    throw ShapeError(op: "Flow.\(op)", "this flow needs a context [\(x.shape[0]), \(contextSize)], got \(context.map { shapeString($0.shape) } ?? "none")")
                }
            }
        }
    }

    /// Base log-density of latent points `[B] + eventShape`, shape `[B]`.
    public func baseLogProb(_ z: Tensor) -> Tensor {
        guard hasStandardBase else { return base.logProb(z) }
        let d = Float(z.scalarCount / max(z.shape[0], 1))
        let axes = Array(1..<z.rank)
        return -0.5 * z.square().sum(alongAxes: axes) - 0.5 * d * Float(1.8378770664093453)
    }

    /// The latent point of each data point and log |det ∂z/∂x|, both in one inverse pass.
    ///
    /// - Parameters:
    ///   - x: Data `[B] + eventShape`.
    ///   - context: `[B, contextSize]` for conditional flows.
    /// - Returns: z `[B] + eventShape` and the log-determinant `[B]`.
    public func latentAndLogAbsDetJacobian(_ x: Tensor, context: Tensor? = nil) -> (latent: Tensor, logAbsDetJacobian: Tensor) {
        checkInput(x, "latent", context: context)
        var z = x
        var total = Tensor.zeros([x.shape[0]])
        for transform in transforms.reversed() {
            let (next, logDet) = transform.inverseAndLogAbsDetJacobian(z, context: context)
            z = next
            total = total + logDet
        }
        return (z, total)
    }

    /// Maps data to the latent space: z = f⁻¹(x; c).
    public func latent(_ x: Tensor, context: Tensor? = nil) -> Tensor { latentAndLogAbsDetJacobian(x, context: context).latent }

    /// Maps latent points to data, x = f(z; c), and log |det ∂x/∂z| `[B]`.
    public func dataAndLogAbsDetJacobian(fromLatent z: Tensor, context: Tensor? = nil) -> (data: Tensor, logAbsDetJacobian: Tensor) {
        checkInput(z, "data", context: context)
        var x = z
        var total = Tensor.zeros([z.shape[0]])
        for transform in transforms {
            let (next, logDet) = transform.forwardAndLogAbsDetJacobian(x, context: context)
            x = next
            total = total + logDet
        }
        return (x, total)
    }

    /// Maps latent points to data: x = f(z; c).
    public func data(fromLatent z: Tensor, context: Tensor? = nil) -> Tensor { dataAndLogAbsDetJacobian(fromLatent: z, context: context).data }

    /// log p(x | c) in nats, shape `[B]` (differentiable in the parameters). Without a
    /// context, ``logProb(_:)`` (the ``Distribution`` method) also takes any leading shape.
    public func logProb(_ x: Tensor, context: Tensor?) -> Tensor {
        let (z, logDet) = latentAndLogAbsDetJacobian(x, context: context)
        return baseLogProb(z) + logDet
    }

    /// Draws `count` points `[count] + eventShape` (no gradient recorded). For a
    /// conditional flow, `context` is `[count, contextSize]`.
    public func sample(_ count: Int, context: Tensor? = nil, generator: inout RandomGenerator) -> Tensor {
        let z = drawBase(count, generator: &generator)
        return withoutDerivative { data(fromLatent: z, context: context) }.detached()
    }

    /// Reparameterised draws and their log-densities in one latent → data pass
    /// (differentiable; one network pass per layer for IAF and couplings).
    public func sampleAndLogProb(_ count: Int, context: Tensor? = nil,
                                 generator: inout RandomGenerator) -> (sample: Tensor, logProb: Tensor) {
        let z = drawBase(count, generator: &generator)
        let (x, logDet) = dataAndLogAbsDetJacobian(fromLatent: z, context: context)
        return (x, baseLogProb(z) - logDet)
    }

    /// `count` reparameterised base draws, `[count] + eventShape`.
    func drawBase(_ count: Int, generator: inout RandomGenerator) -> Tensor {
        hasStandardBase ? generator.normal([count] + eventShape) : base.rsample([count], generator: &generator)
    }

    /// Data-dependent initialisation (``ActNorm``): runs one data → latent pass on `x`
    /// in training mode without recording gradients.
    public func initialize(from x: Tensor, context: Tensor? = nil) {
        _ = withoutDerivative { latent(x, context: context) }
    }
}
