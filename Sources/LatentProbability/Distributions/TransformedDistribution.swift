import LatentCore

/// The distribution of y = f(x) for x drawn from a base distribution and f a composition
/// of bijectors (a normalising flow, as in zuko and `torch.distributions`).
///
/// By the change of variables,
///
///     log p(y) = log p_base(x) − Σₖ log |det J_{fₖ}(xₖ)|,   x = f⁻¹(y),
///
/// computed in one inverse pass with ``Bijector/inverseAndLogAbsDetJacobian(_:)``.
/// Event dimensions are handled as in `torch.distributions`: if the transforms treat more
/// trailing dimensions as one event than the base has (e.g. a ``Permute`` after an
/// elementwise base), the extra base batch dimensions become event dimensions and the base
/// log-density is summed over them; elementwise log-determinants are summed over the
/// event dimensions of the result. If the transforms' parameters broadcast the base to a
/// larger batch (a scalar base under `Affine(shift: [μ₁, μ₂, μ₃])`), the base is expanded.
public struct TransformedDistribution: Distribution {
    /// The distribution of x (expanded to the full batch shape if the transforms broadcast it).
    public let base: any Distribution
    /// The bijectors, applied first to last.
    public let transforms: [any Bijector]
    /// The composition of `transforms`.
    public let transform: Compose
    public let batchShape: [Int]
    public let eventShape: [Int]
    /// How many trailing base batch dimensions count as event dimensions.
    private let reinterpretedBaseRank: Int
    /// Trailing dimensions of the composed log-determinant that are event dimensions.
    private let extraLogDetRank: Int

    /// - Parameters:
    ///   - base: The distribution of x.
    ///   - transforms: Bijectors applied to draws first to last (empty: the base itself).
    public init(base: any Distribution, transforms: [any Bijector]) {
        let transform = Compose(transforms)
        let baseEventRank = base.eventShape.count
        let baseShape = base.batchShape + base.eventShape
        let domainRank = transform.eventRank
        checkShapes { () throws(ShapeError) in
            guard baseShape.count >= domainRank else {
                throw ShapeError(op: "TransformedDistribution",
                                 "the transforms need events of rank \(domainRank), but the base has shape \(shapeString(baseShape))")
            }
        }
        let shape = transform.forwardShape(baseShape)
        let eventRank = transform.outputEventRank + Swift.max(baseEventRank - domainRank, 0)
        // Parameters of the transforms may broadcast the batch: draw from a base of the full shape.
        let expandedBaseShape = transform.inverseShape(shape)
        if expandedBaseShape != baseShape {
            self.base = base.expand(Array(expandedBaseShape.dropLast(baseEventRank)))
        } else {
            self.base = base
        }
        self.transforms = transforms
        self.transform = transform
        self.batchShape = Array(shape.prefix(shape.count - eventRank))
        self.eventShape = Array(shape.suffix(eventRank))
        self.reinterpretedBaseRank = Swift.max(domainRank - baseEventRank, 0)
        self.extraLogDetRank = Swift.max(baseEventRank - domainRank, 0)
    }

    public init(base: any Distribution, transform: any Bijector) { self.init(base: base, transforms: [transform]) }

    public var hasRSample: Bool { base.hasRSample }
    public var support: Constraint { transforms.last?.codomain ?? base.support }

    public func sample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        let x = base.sample(sampleShape, generator: &generator)
        return withoutDerivative { transform.forward(x) }.detached()
    }

    public func rsample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        transform.forward(base.rsample(sampleShape, generator: &generator))
    }

    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        let (x, inverseLogDet) = transform.inverseAndLogAbsDetJacobian(value)
        return base.logProb(x).summedOverTrailingAxes(reinterpretedBaseRank)
            + inverseLogDet.summedOverTrailingAxes(extraLogDetRank)
    }

    public func sampleAndLogProb(_ sampleShape: [Int], generator: inout RandomGenerator) -> (sample: Tensor, logProb: Tensor) {
        sampleAndLogProb(sampleShape, generator: &generator, reparameterized: nil)
    }

    /// Draws and their log-densities in one forward pass (no inverse needed, which is
    /// what makes flows with an expensive inverse cheap to sample and score).
    ///
    /// - Parameter reparameterized: Use the base's `rsample` (default: when it has one),
    ///   so that draws and log-densities are differentiable in the parameters.
    /// - Returns: Draws `sampleShape + batchShape + eventShape` and log p of shape
    ///   `sampleShape + batchShape`.
    public func sampleAndLogProb(_ sampleShape: [Int], generator: inout RandomGenerator,
                                 reparameterized: Bool? = nil) -> (sample: Tensor, logProb: Tensor) {
        let useRSample = reparameterized ?? base.hasRSample
        let x = useRSample ? base.rsample(sampleShape, generator: &generator) : base.sample(sampleShape, generator: &generator)
        let baseLogProb = base.logProb(x).summedOverTrailingAxes(reinterpretedBaseRank)
        let (y, logDet) = transform.forwardAndLogAbsDetJacobian(x)
        return (y, baseLogProb - logDet.summedOverTrailingAxes(extraLogDetRank))
    }
}
