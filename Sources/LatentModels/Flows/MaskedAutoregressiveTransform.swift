import LatentCore
import LatentNN

/// An autoregressive elementwise transform whose parameters come from a ``MADE``
/// network: the masked autoregressive flow (MAF, Papamakarios et al. 2017), its inverse
/// (IAF, Kingma et al. 2016), and autoregressive neural spline flows (Durkan et al. 2019).
///
/// **MAF** (`inverted: false`): coordinate i of the data depends on the data before it,
///
///     x_i = g(z_i; θ_i(x_<i, c)).
///
/// The inverse (density evaluation, data → latent) is one network pass; the forward
/// (sampling) takes D passes.
///
/// **IAF** (`inverted: true`): the roles swap, x_i = g(z_i; θ_i(z_<i, c)): sampling and
/// `sampleAndLogProb` are one pass (what a VAE posterior needs), density evaluation of
/// external points takes D passes.
public final class MaskedAutoregressiveTransform: Module, FlowTransform {
    public let network: MADE
    public let transform: ElementwiseTransform
    public let inverted: Bool
    public var eventRank: Int { 1 }
    public var dimension: Int { network.dimension }

    /// - Parameters:
    ///   - dimension: D.
    ///   - hidden: Hidden widths of the MADE network.
    ///   - transform: `.affine()` (MAF/IAF) or `.spline(...)` (autoregressive NSF).
    ///   - inverted: IAF (fast forward) instead of MAF (fast inverse).
    ///   - contextSize: Size of the context vector (0 for none).
    ///   - generator: Random stream for the initial weights.
    public init(dimension: Int, hidden: [Int], transform: ElementwiseTransform = .affine(), inverted: Bool = false,
                contextSize: Int = 0, generator: inout RandomGenerator) {
        self.transform = transform
        self.inverted = inverted
        self.network = MADE(dimension: dimension, hidden: hidden, parametersPerDimension: transform.parameterCount,
                            contextSize: contextSize, outputBias: transform.identityBias(dimension), generator: &generator)
    }

    private func check(_ x: Tensor) {
        checkShapes { () throws(ShapeError) in
            guard x.rank >= 1, x.shape.last == dimension else {
                throw ShapeError(op: "MaskedAutoregressiveTransform", "input of shape \(shapeString(x.shape)) does not end in \(dimension)")
            }
        }
    }

    /// One pass: parameters from `conditioning`, applied to `x`.
    private func onePass(_ x: Tensor, conditioning: Tensor, context: Tensor?, inverse: Bool) -> (Tensor, Tensor) {
        let (y, logDet) = transform.apply(x, parameters: network(conditioning, context: context), inverse: inverse)
        return (y, logDet.sum(alongAxis: -1))
    }

    /// D passes: solves for the output whose coordinates condition themselves.
    private func sequential(_ x: Tensor, context: Tensor?, inverse: Bool) -> (Tensor, Tensor) {
        var y = Tensor.zeros(x.shape)
        var logDet = Tensor.zeros(Array(x.shape.dropLast()))
        for _ in 0..<dimension {
            (y, logDet) = onePass(x, conditioning: y, context: context, inverse: inverse)
        }
        return (y, logDet)
    }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        check(x)
        return inverted ? onePass(x, conditioning: x, context: context, inverse: false)
                        : sequential(x, context: context, inverse: false)
    }

    public func inverseAndLogAbsDetJacobian(_ y: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        check(y)
        return inverted ? sequential(y, context: context, inverse: true)
                        : onePass(y, conditioning: y, context: context, inverse: true)
    }
}
