import LatentCore
import LatentNN
import LatentProbability

/// A coupling layer for vectors: half of the coordinates pass unchanged and condition
/// an elementwise map of the other half (NICE, RealNVP, and NSF's spline coupling).
///
/// The last axis of size D is split into the first ⌈D/2⌉ coordinates and the rest;
/// `transformsFirstPart` chooses which part is transformed (alternate it between layers,
/// or put a permutation in between). With x = (x_a, x_b), x_a conditioning:
///
///     y_a = x_a,   y_b = g(x_b; θ(x_a, c)),   log |det J| = Σ log |g′|.
///
/// Both directions take one conditioner pass. The conditioner sees the context vector c
/// when `contextSize > 0`.
public final class Coupling: Module, FlowTransform {
    public let conditioner: DenseConditioner
    /// The elementwise map applied to the transformed coordinates.
    public let transform: ElementwiseTransform
    public let dimension: Int
    /// Whether the first ⌈D/2⌉ coordinates are transformed (else the rest).
    public let transformsFirstPart: Bool
    public var eventRank: Int { 1 }
    private let firstSize: Int

    /// - Parameters:
    ///   - dimension: D ≥ 2.
    ///   - hidden: Hidden widths of the conditioner MLP.
    ///   - transform: `.affine()` (RealNVP), `.additive` (NICE) or `.spline(...)` (NSF).
    ///   - transformsFirstPart: Which half is transformed.
    ///   - contextSize: Size of the context vector (0 for an unconditional layer).
    ///   - generator: Random stream for the initial weights.
    public init(dimension: Int, hidden: [Int], transform: ElementwiseTransform = .affine(),
                transformsFirstPart: Bool = false, contextSize: Int = 0, generator: inout RandomGenerator) {
        ensure(dimension >= 2, "Coupling: dimension must be at least 2, got \(dimension)")
        self.dimension = dimension
        self.transform = transform
        self.transformsFirstPart = transformsFirstPart
        self.firstSize = (dimension + 1) / 2
        let conditioning = transformsFirstPart ? dimension - firstSize : firstSize
        let transformed = dimension - conditioning
        self.conditioner = DenseConditioner(inputSize: conditioning, contextSize: contextSize, hidden: hidden,
                                            outputSize: transformed * transform.parameterCount,
                                            outputBias: transform.identityBias(transformed), generator: &generator)
    }

    private func run(_ x: Tensor, context: Tensor?, inverse: Bool) -> (Tensor, Tensor) {
        checkShapes { () throws(ShapeError) in
            guard x.rank >= 1, x.shape.last == dimension else {
                throw ShapeError(op: "Coupling", "input of shape \(shapeString(x.shape)) does not end in \(dimension)")
            }
        }
        let parts = x.split(sizes: [firstSize, dimension - firstSize], alongAxis: -1)
        let (fixed, moving) = transformsFirstPart ? (parts[1], parts[0]) : (parts[0], parts[1])
        let parameters = conditioner(fixed, context: context).reshaped(to: moving.shape + [transform.parameterCount])
        let (moved, logDet) = transform.apply(moving, parameters: parameters, inverse: inverse)
        let y = transformsFirstPart ? concatenate([moved, fixed], alongAxis: -1) : concatenate([fixed, moved], alongAxis: -1)
        return (y, logDet.sum(alongAxis: -1))
    }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        run(x, context: context, inverse: false)
    }
    public func inverseAndLogAbsDetJacobian(_ y: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        run(y, context: context, inverse: true)
    }
}
