import Foundation
import LatentCore
import LatentNN

/// Invertible 1×1 convolution with an LU-decomposed weight (Glow, Kingma & Dhariwal
/// 2018): a learned channel mixing of images `[B, C, H, W]`.
///
///     W = P · L · (U + diag(sign ⊙ exp(log|s|))),
///
/// P a fixed permutation, L unit lower triangular, U strictly upper triangular (both
/// learned), `sign` fixed. Initialised from the LU decomposition of a random rotation.
/// log |det ∂y/∂x| = H·W·Σ log|s| — no determinant to compute.
public final class InvertibleConvolution1x1: Module, FlowTransform {
    @Buffer public var permutation: Tensor
    @Parameter public var lower: Tensor
    @Parameter public var upper: Tensor
    @Parameter public var logScale: Tensor
    @Buffer public var sign: Tensor
    public let channels: Int
    public var eventRank: Int { 3 }

    public init(channels: Int, generator: inout RandomGenerator) {
        self.channels = channels
        let c = channels
        // A random orthogonal matrix (Gram–Schmidt), then its LU decomposition with partial pivoting.
        var q = [[Double]](repeating: [Double](repeating: 0, count: c), count: c)
        let g = generator.normal([c, c]).scalars.map(Double.init)
        for i in 0..<c {
            var v = (0..<c).map { g[i * c + $0] }
            for j in 0..<i {
                let d = zip(v, q[j]).reduce(0) { $0 + $1.0 * $1.1 }
                for k in 0..<c { v[k] -= d * q[j][k] }
            }
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            q[i] = v.map { $0 / n }
        }
        var a = q
        var perm = Array(0..<c)
        var l = [[Double]](repeating: [Double](repeating: 0, count: c), count: c)
        for k in 0..<c {
            let p = (k..<c).max { abs(a[$0][k]) < abs(a[$1][k]) }!
            a.swapAt(k, p); perm.swapAt(k, p); l.swapAt(k, p)
            for i in (k + 1)..<max(c, k + 1) where i < c {
                let f = a[i][k] / a[k][k]
                l[i][k] = f
                for j in k..<c { a[i][j] -= f * a[k][j] }
            }
        }
        // A = Pᵀ·Q = L·U  ⇒  Q = P·L·U with P[perm[k], k] = 1.
        var pMatrix = [Float](repeating: 0, count: c * c)
        for k in 0..<c { pMatrix[perm[k] * c + k] = 1 }
        _permutation = Buffer(Tensor(shape: [c, c], scalars: pMatrix))
        _lower = Parameter(Tensor(shape: [c, c], scalars: (0..<(c * c)).map { i in i / c > i % c ? Float(l[i / c][i % c]) : 0 }))
        _upper = Parameter(Tensor(shape: [c, c], scalars: (0..<(c * c)).map { i in i / c < i % c ? Float(a[i / c][i % c]) : 0 }))
        _logScale = Parameter(Tensor(shape: [c], scalars: (0..<c).map { Float(log(abs(a[$0][$0]))) }))
        _sign = Buffer(Tensor(shape: [c], scalars: (0..<c).map { a[$0][$0] < 0 ? -1 : 1 }))
    }

    /// The weight W `[C, C]`.
    public func weight() -> Tensor {
        let l = lower.lowerTriangular(diagonalOffset: -1) + Tensor.eye(channels)
        let u = upper.upperTriangular(diagonalOffset: 1) + (sign * logScale.exp()).diagonalMatrix()
        return matmul(permutation, matmul(l, u))
    }

    private func mix(_ x: Tensor, _ w: Tensor) -> Tensor {
        checkShapes { () throws(ShapeError) in
            guard x.rank == 4, x.shape[1] == channels else {
                throw ShapeError(op: "InvertibleConvolution1x1", "input of shape \(shapeString(x.shape)) is not [B, \(channels), H, W]")
            }
        }
        let (b, h, wd) = (x.shape[0], x.shape[2], x.shape[3])
        return matmul(w, x.reshaped(to: [b, channels, h * wd])).reshaped(to: x.shape)
    }

    private func logDet(_ x: Tensor) -> Tensor {
        (logScale.sum() * Float(x.shape[2] * x.shape[3])).broadcast(to: [x.shape[0]])
    }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        (mix(x, weight()), logDet(x))
    }
    public func inverseAndLogAbsDetJacobian(_ y: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        (mix(y, weight().inverse()), -logDet(y))
    }
}
