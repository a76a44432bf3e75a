import Foundation
import LatentCore
import LatentNN

/// A planar flow layer (Rezende & Mohamed 2015): f(z) = z + û·tanh(wᵀz + b), for
/// variational posteriors.
///
/// û = u + (m(wᵀu) − wᵀu)·w/‖w‖² with m(a) = −1 + softplus(a) keeps wᵀû ≥ −1, so f is
/// invertible. log |det ∂f/∂z| = log |1 + ûᵀw·tanh′(wᵀz + b)|.
///
/// The inverse has no closed form: with t = wᵀy, the projection a = wᵀz solves the
/// monotone equation a + (wᵀû)·tanh(a + b) = t, found by bisection on
/// [t − |wᵀû|, t + |wᵀû|] and refined by one differentiable Newton step (which gives the
/// implicit-function gradient); then z = y − û·tanh(a + b).
public final class PlanarFlow: Module, FlowTransform {
    @Parameter public var u: Tensor
    @Parameter public var w: Tensor
    @Parameter public var b: Tensor
    public let dimension: Int
    public var eventRank: Int { 1 }

    public init(dimension: Int, generator: inout RandomGenerator) {
        self.dimension = dimension
        let s = 1 / Float(dimension).squareRoot()
        _u = Parameter(generator.uniform([dimension], low: -s, high: s))
        _w = Parameter(generator.uniform([dimension], low: -s, high: s))
        _b = Parameter(Tensor.zeros([1]))
    }

    /// û, enforcing wᵀû ≥ −1.
    private func uHat() -> Tensor {
        let wu = (w * u).sum()
        let m = wu.softplus() - 1
        return u + (m - wu) * w / (w.square().sum() + 1e-8)
    }

    private func check(_ x: Tensor) {
        checkShapes { () throws(ShapeError) in
            guard x.rank == 2, x.shape[1] == dimension else {
                throw ShapeError(op: "PlanarFlow", "input of shape \(shapeString(x.shape)) is not [B, \(dimension)]")
            }
        }
    }

    public func forwardAndLogAbsDetJacobian(_ z: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        check(z)
        let uh = uHat()
        let a = linear(z, weight: w.reshaped(to: [1, dimension]), bias: b)      // [B, 1]
        let h = a.tanh()
        let y = z + h * uh
        let derivative = 1 - h.square()
        let logDet = (1 + derivative * (w * uh).sum()).abs().log().reshaped(to: [z.shape[0]])
        return (y, logDet)
    }

    public func inverseAndLogAbsDetJacobian(_ y: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        check(y)
        let uh = uHat()
        let c = (w * uh).sum()
        let t = linear(y, weight: w.reshaped(to: [1, dimension]))              // [B, 1]
        // Bisection for a with a + c·tanh(a + b) = t (monotone since c ≥ −1).
        let cValue = c.scalar, bValue = b.scalar
        let solved: [Float] = t.scalars.map { target in
            var low = target - abs(cValue) - 1e-3, high = target + abs(cValue) + 1e-3
            for _ in 0..<60 {
                let mid = 0.5 * (low + high)
                if mid + cValue * Float(tanh(Double(mid + bValue))) < target { low = mid } else { high = mid }
            }
            return 0.5 * (low + high)
        }
        let a0 = Tensor(shape: t.shape, scalars: solved)
        let h0 = (a0 + b).tanh()
        let a = a0 - (a0 + c * h0 - t) / (1 + c * (1 - h0.square()))
        let h = (a + b).tanh()
        let z = y - h * uh
        let logDet = -(1 + (1 - h.square()) * c).abs().log().reshaped(to: [y.shape[0]])
        return (z, logDet)
    }
}
