import Foundation
import LatentCore

extension Tensor {
    /// The standard Cauchy CDF, ½ + arctan(x)/π, elementwise; computed in Double as
    /// arctan(−1/x)/π for x < −1 so that the lower tail keeps its relative precision.
    ///
    /// Gradient: 1/(π(1 + x²)).
    func standardCauchyCDF() -> Tensor {
        let out = Tensor(shape: shape) { o, n in
            let x = storage.pointer
            for i in 0..<n {
                let v = Double(x[i])
                o[i] = Float(v < -1 ? Foundation.atan(-1 / v) / Double.pi : 0.5 + Foundation.atan(v) / Double.pi)
            }
        }
        return Tensor.record("standardCauchyCDF", inputs: [self], output: out) { ctx in
            let x = ctx.inputs[0]
            return [ctx.gradient / ((x * x + 1) * Float.pi)]
        }
    }

    /// The standard Cauchy quantile function, tan(π(p − ½)), elementwise; computed in
    /// Double as −1/tan(πp) for p < ½ so that tiny p keeps its precision.
    ///
    /// Gradient: π(1 + z²) with z the output.
    func standardCauchyQuantile() -> Tensor {
        let out = Tensor(shape: shape) { o, n in
            let p = storage.pointer
            for i in 0..<n {
                let v = Double(p[i])
                if v.isNaN || v < 0 || v > 1 { o[i] = .nan; continue }
                if v == 0 { o[i] = -.infinity; continue }
                if v == 1 { o[i] = .infinity; continue }
                o[i] = Float(v < 0.5 ? -1 / Foundation.tan(Double.pi * v) : Foundation.tan(Double.pi * (v - 0.5)))
            }
        }
        return Tensor.record("standardCauchyQuantile", inputs: [self], output: out) { ctx in
            let z = ctx.output
            return [ctx.gradient * (z * z + 1) * Float.pi]
        }
    }
}
