import Foundation
import LatentCore

extension Tensor {
    /// ln Φ(x), the log of the standard normal CDF, elementwise; finite for every finite
    /// Float x (ln Φ(−10⁴) ≈ −5·10⁷), where `ln(½ erfc(−x/√2))` underflows to −∞ below
    /// x ≈ −14.
    ///
    /// Computed in Double: ln(½ erfc(−x/√2)) for x ≥ −30, and below, the asymptotic series
    /// ln Φ(x) = −x²/2 − ln(−x) − ½ ln 2π + ln(1 − 1/x² + 3/x⁴ − 15/x⁶ + 105/x⁸).
    ///
    /// Gradient: φ(x)/Φ(x), the inverse Mills ratio (``standardNormalHazard()`` of −x).
    public func standardNormalLogCDF() -> Tensor {
        let out = Tensor(shape: shape) { o, n in
            let x = storage.pointer
            for i in 0..<n { o[i] = Float(NormalTail.logCDF(Double(x[i]))) }
        }
        return Tensor.record("standardNormalLogCDF", inputs: [self], output: out) { ctx in
            [ctx.gradient * (-ctx.inputs[0]).standardNormalHazard()]
        }
    }

    /// The hazard rate of the standard normal, h(x) = φ(x)/(1 − Φ(x)) (the Mills ratio's
    /// reciprocal), elementwise; computed in Double, accurate in both tails
    /// (h(x) ≈ x for large x, h(x) ≈ φ(x) for very negative x).
    ///
    /// Gradient: h′(x) = h(x)(h(x) − x).
    public func standardNormalHazard() -> Tensor {
        let out = Tensor(shape: shape) { o, n in
            let x = storage.pointer
            for i in 0..<n { o[i] = Float(NormalTail.hazard(Double(x[i]))) }
        }
        return Tensor.record("standardNormalHazard", inputs: [self], output: out) { ctx in
            let h = ctx.output
            return [ctx.gradient * h * (h - ctx.inputs[0])]
        }
    }
}

/// Double kernels for the normal tail functions.
enum NormalTail {
    static let logSqrt2Pi = 0.5 * Foundation.log(2 * Double.pi)

    /// ln Φ(x).
    static func logCDF(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x >= -30 { return Foundation.log(0.5 * Foundation.erfc(-x / 2.0.squareRoot())) }
        if x == -.infinity { return -.infinity }
        let r = 1 / (x * x)
        let series = 1 - r * (1 - r * (3 - r * (15 - 105 * r)))
        return -0.5 * x * x - Foundation.log(-x) - logSqrt2Pi + Foundation.log(series)
    }

    /// φ(x)/(1 − Φ(x)) = φ(x)/Φ(−x).
    static func hazard(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x == .infinity { return .infinity }
        if x <= 30 {
            let survival = 0.5 * Foundation.erfc(x / 2.0.squareRoot())
            return Foundation.exp(-0.5 * x * x - logSqrt2Pi) / survival
        }
        // φ(x)/Φ(−x) = x / (1 − 1/x² + 3/x⁴ − 15/x⁶ + 105/x⁸ − ⋯).
        let r = 1 / (x * x)
        return x / (1 - r * (1 - r * (3 - r * (15 - 105 * r))))
    }
}
