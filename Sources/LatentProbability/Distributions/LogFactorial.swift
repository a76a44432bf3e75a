import Foundation
import LatentCore

/// Log-factorials and log-binomial coefficients of counts, evaluated in Double.
///
/// Counts and values of discrete distributions are integers and get no gradient, so these
/// are plain (unrecorded) kernels; Double keeps ln k! exact to Float rounding even for
/// large k, where a Float lgamma loses ~ulp(ln k!) (5·10⁻⁴ at k = 1000) to cancellation.
enum LogFactorial {
    /// ln k! = lgamma(k + 1), elementwise (+∞ at negative integers).
    static func of(_ k: Tensor) -> Tensor {
        let v = k.scalars
        return Tensor(shape: k.shape, scalars: v.map { Float(lgamma(Double($0) + 1)) })
    }

    /// ln C(n, k) = lgamma(n + 1) − lgamma(k + 1) − lgamma(n − k + 1), broadcast; −∞ for
    /// integers k outside 0...n.
    static func binomialCoefficient(_ n: Tensor, _ k: Tensor) -> Tensor {
        let shape = DistributionShapes.broadcast([n.shape, k.shape], op: "logBinomialCoefficient")
        let nv = n.detached().broadcast(to: shape).scalars, kv = k.detached().broadcast(to: shape).scalars
        return Tensor(shape: shape, scalars: zip(nv, kv).map { n, k in
            let (n, k) = (Double(n), Double(k))
            guard k >= 0 && k <= n else { return -Float.infinity }
            return Float(lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1))
        })
    }
}
