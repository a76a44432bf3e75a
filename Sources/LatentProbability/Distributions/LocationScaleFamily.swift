import LatentCore

/// A univariate location–scale family, `p(x) = f((x − μ)/σ) / σ`: the location μ (`loc`)
/// and scale σ > 0 (`scale`) broadcast together to the batch shape, the event shape is
/// `[]`, and draws are reparameterised. ``Cauchy``, ``Laplace``, ``Logistic`` and
/// ``LogNormal`` (μ, σ of the logarithm) are built this way: each stores its
/// ``LocationScale`` parameters and gives its density, sampler and moments.
public protocol LocationScaleFamily: Distribution {
    /// The validated parameters.
    var parameters: LocationScale { get }
    /// The distribution with location `loc` and scale `scale` (traps on invalid values).
    init(loc: Tensor, scale: Tensor)
}

/// The location and scale of a ``LocationScaleFamily``, checked (`loc` not NaN, `scale`
/// positive and finite, shapes broadcastable) and broadcast to the batch shape.
public struct LocationScale: Sendable {
    /// μ, broadcast to ``batchShape``.
    public let loc: Tensor
    /// σ > 0, broadcast to ``batchShape``.
    public let scale: Tensor
    /// The broadcast shape of the two.
    public let batchShape: [Int]

    /// Checks `loc` and `scale` for the distribution `name` (trapping with a message that
    /// names it) and broadcasts them.
    public init(_ name: String, loc: Tensor, scale: Tensor) {
        batchShape = checkParameters { () throws(DistributionParameterError) in
            try DistributionValidation.locationScale(name, loc: loc, scale: scale)
        }
        self.loc = loc.broadcast(to: batchShape)
        self.scale = scale.broadcast(to: batchShape)
    }
}

extension LocationScaleFamily {
    /// The location μ, broadcast to the batch shape.
    public var loc: Tensor { parameters.loc }
    /// The scale σ > 0, broadcast to the batch shape.
    public var scale: Tensor { parameters.scale }
    public var batchShape: [Int] { parameters.batchShape }
    public var eventShape: [Int] { [] }
    public var hasRSample: Bool { true }
    public var support: Constraint { .real }

    /// Checks the parameters and returns the batch shape.
    public static func validate(loc: Tensor, scale: Tensor) throws(DistributionParameterError) -> [Int] {
        try DistributionValidation.locationScale("\(Self.self)", loc: loc, scale: scale)
    }

    /// The same distribution with its parameters broadcast to `batchShape` (samples are
    /// independent along the new dimensions).
    public func expand(_ batchShape: [Int]) -> Self {
        checkExpansion(to: batchShape)
        return Self(loc: loc.broadcast(to: batchShape), scale: scale.broadcast(to: batchShape))
    }
}
