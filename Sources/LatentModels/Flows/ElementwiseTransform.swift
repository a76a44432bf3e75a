import Foundation
import LatentCore
import LatentProbability

/// The elementwise invertible map a coupling or autoregressive layer applies to the
/// coordinates it transforms, with parameters produced by a conditioner network.
///
/// - `affine`: y = x·exp(s) + t with s = c·tanh(ŝ/c) (a soft clamp, c = `scaleClamp`,
///   so that one layer scales by at most e^c), log |dy/dx| = s (RealNVP, Dinh et al. 2017;
///   MAF, Papamakarios et al. 2017).
/// - `additive`: y = x + t, volume preserving (NICE, Dinh et al. 2015).
/// - `spline`: a monotonic rational-quadratic spline on [−B, B] with K bins and linear
///   tails (Neural Spline Flows, Durkan et al. 2019), 3K − 1 parameters per coordinate.
public enum ElementwiseTransform: Sendable, Equatable {
    case affine(scaleClamp: Float = 5)
    case additive
    case spline(binCount: Int, bound: Float)

    /// Parameters the conditioner outputs per transformed coordinate.
    public var parameterCount: Int {
        switch self {
        case .affine: 2
        case .additive: 1
        case .spline(let k, _): RationalQuadraticSpline.parameterCount(binCount: k)
        }
    }

    /// Applies the map (`inverse: false`) or its inverse to `x` `[..., n]` with parameters
    /// `[..., n, parameterCount]`; returns the result and the elementwise log |det| `[..., n]`.
    public func apply(_ x: Tensor, parameters: Tensor, inverse: Bool) -> (Tensor, Tensor) {
        switch self {
        case .affine(let clamp):
            let parts = parameters.split(sizes: [1, 1], alongAxis: -1)
            let shape = x.shape
            let raw = parts[0].reshaped(to: shape)
            let shift = parts[1].reshaped(to: shape)
            let logScale = clamp * (raw / clamp).tanh()
            if inverse { return ((x - shift) * (-logScale).exp(), -logScale) }
            return (x * logScale.exp() + shift, logScale)
        case .additive:
            let shift = parameters.reshaped(to: x.shape)
            return (inverse ? x - shift : x + shift, Tensor.zeros(x.shape))
        case .spline(let k, let bound):
            let spline = RationalQuadraticSpline(parameters: parameters, binCount: k, bound: bound)
            return inverse ? spline.inverseAndLogAbsDetJacobian(x) : spline.forwardAndLogAbsDetJacobian(x)
        }
    }

    /// Initial value of the conditioner's output bias so that the map starts at (close
    /// to) the identity: zero for affine and additive; for splines, the inner derivatives
    /// with softplus(d) + m_d = 1.
    func identityBias(_ count: Int) -> [Float] {
        switch self {
        case .affine, .additive: return [Float](repeating: 0, count: count * parameterCount)
        case .spline(let k, _):
            let d = Float(log(exp(Double(1 - 1e-3)) - 1))
            let one = [Float](repeating: 0, count: 2 * k) + [Float](repeating: d, count: k - 1)
            return Array((0..<count).map { _ in one }.joined())
        }
    }
}
