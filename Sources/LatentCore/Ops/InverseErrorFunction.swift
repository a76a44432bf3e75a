import Foundation

/// The inverse error function and the standard normal quantile function (elementwise).
extension Tensor {
    /// erf⁻¹(x), elementwise: the y with erf(y) = x, for x in (−1, 1).
    ///
    /// erf⁻¹(±1) = ±∞ and values outside [−1, 1] give NaN. Computed in Double from the
    /// normal quantile, erf⁻¹(x) = −Φ⁻¹((1 − x)/2)/√2 for x ≥ 0 (odd symmetry for x < 0),
    /// so values near ±1 keep full precision.
    ///
    /// Backward: d erf⁻¹(x)/dx = (√π/2)·exp(erf⁻¹(x)²).
    public func erfinv() -> Tensor {
        let out = Tensor(shape: shape) { o, n in
            let x = storage.pointer
            Parallel.forEachChunk(count: n, minimumChunk: 1 << 12) { r in
                for i in r { o[i] = Float(InverseErrorFunction.erfinv(Double(x[i]))) }
            }
        }
        return Tensor.record("erfinv", inputs: [self], output: out) { ctx in
            let y = ctx.output
            return [ctx.gradient * (y * y).exp() * (Float.pi.squareRoot() / 2)]
        }
    }

    /// Φ⁻¹(p), the quantile function of the standard normal distribution (`ndtri`),
    /// elementwise, for p in (0, 1).
    ///
    /// Φ⁻¹(0) = −∞, Φ⁻¹(1) = +∞, other values outside [0, 1] give NaN. Computed in Double
    /// directly from p (not from 2p − 1), so tiny probabilities keep their precision:
    /// Φ⁻¹(10⁻³⁰) ≈ −11.46.
    ///
    /// Backward: dΦ⁻¹(p)/dp = √(2π)·exp(Φ⁻¹(p)²/2).
    public func normalQuantile() -> Tensor {
        let out = Tensor(shape: shape) { o, n in
            let x = storage.pointer
            Parallel.forEachChunk(count: n, minimumChunk: 1 << 12) { r in
                for i in r { o[i] = Float(InverseErrorFunction.normalQuantile(Double(x[i]))) }
            }
        }
        return Tensor.record("normalQuantile", inputs: [self], output: out) { ctx in
            let z = ctx.output
            return [ctx.gradient * (z * z * 0.5).exp() * (2 * Float.pi).squareRoot()]
        }
    }
}

/// Double-precision kernels of ``Tensor/erfinv()`` and ``Tensor/normalQuantile()``.
public enum InverseErrorFunction {
    /// Φ⁻¹(p) in Double.
    ///
    /// A rational starting point (P. J. Acklam's approximation, relative error about
    /// 10⁻⁹) is polished by two Halley steps on Φ(x) − p, with Φ(x) = ½·erfc(−x/√2)
    /// evaluated in the lower tail only (p > ½ uses Φ⁻¹(p) = −Φ⁻¹(1 − p), exact in Double
    /// for Float inputs), which gives close to full Double precision.
    public static func normalQuantile(_ p: Double) -> Double {
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p > 0.5 { return -lowerQuantile(1 - p) }
        return lowerQuantile(p)
    }

    /// erf⁻¹(x) in Double.
    public static func erfinv(_ x: Double) -> Double {
        if x.isNaN || x < -1 || x > 1 { return .nan }
        if x == 0 { return 0 }
        // erf(y) = x  ⇔  Φ(−√2·y) = (1 − x)/2.
        if x > 0 { return -lowerQuantile((1 - x) / 2) / 2.0.squareRoot() }
        return lowerQuantile((1 + x) / 2) / 2.0.squareRoot()
    }

    /// Φ⁻¹(p) for 0 ≤ p ≤ ½.
    static func lowerQuantile(_ p: Double) -> Double {
        if p == 0 { return -.infinity }
        if p == 0.5 { return 0 }
        var x: Double
        if p < 0.02425 {
            let q = (-2 * Foundation.log(p)).squareRoot()
            let num = ((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q
                - 2.549732539343734e+00) * q + 4.374664141464968e+00) * q + 2.938163982698783e+00
            let den = (((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q
                + 3.754408661907416e+00) * q + 1
            x = num / den
        } else {
            let q = p - 0.5, r = q * q
            let num = (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r
                + 1.383577518672690e+02) * r - 3.066479806614716e+01) * r + 2.506628277459239e+00) * q
            let den = ((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r - 1.556989798598866e+02) * r
                + 6.680131188771972e+01) * r - 1.328068155288572e+01) * r + 1
            x = num / den
        }
        // Halley steps on f(x) = Φ(x) − p, f' = φ(x), f'' = −x φ(x); relative residual in
        // the tail: u = (Φ(x) − p)/φ(x).
        let sqrt2Pi = (2 * Double.pi).squareRoot()
        for _ in 0..<2 {
            let e = 0.5 * Foundation.erfc(-x / 2.0.squareRoot()) - p
            let u = e * sqrt2Pi * Foundation.exp(x * x / 2)
            x -= u / (1 + x * u / 2)
        }
        return x
    }
}
