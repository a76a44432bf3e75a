import Foundation

/// Scalar kernels for the log-gamma function and its derivatives (digamma, polygamma),
/// computed in Double and accurate to a few Double ulp away from their zeros, far more
/// than the Float results need.
///
/// Each uses the recurrence Γ(x + 1) = x Γ(x) (or its derivatives) to move x up to where
/// an asymptotic series converges fast, and the reflection formula for x < 0. Special
/// values follow PyTorch: `lgamma` is +∞ at 0, at the negative integers and at ±∞;
/// `digamma(±0) = ∓∞` and NaN at the negative integers and −∞; `polygamma(n, x)` is
/// (−1)ⁿ⁺¹·∞ at the non-positive integers and −∞, and 0 at +∞.
public enum GammaFunctions {
    /// Bernoulli numbers B₂, B₄, …, B₂₀.
    @usableFromInline static let bernoulli: [Double] = [
        1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6,
        -3617.0 / 510, 43867.0 / 798, -174611.0 / 330,
    ]

    /// sin(πx) and cos(πx) from the reduced argument r = x − round(x) (exact in Double),
    /// so that large arguments and exact integers cost no accuracy.
    static func sinCosPi(_ x: Double) -> (sin: Double, cos: Double) {
        let n = x.rounded()
        let r = x - n
        let sign: Double = n.truncatingRemainder(dividingBy: 2) == 0 ? 1 : -1
        return (sign * Foundation.sin(Double.pi * r), sign * Foundation.cos(Double.pi * r))
    }

    /// ln |Γ(x)|.
    ///
    /// For x ≥ 10: Stirling's series (x − ½) ln x − x + ½ ln 2π + Σ B₂ₖ / (2k(2k−1) x²ᵏ⁻¹);
    /// below, ln Γ(x) = ln Γ(x + m) − ln(x (x+1) ⋯ (x+m−1)); for x < 0 the reflection
    /// ln |Γ(x)| = ln(π / |sin πx|) − ln Γ(1 − x).
    public static func logGamma(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x.isInfinite { return .infinity }
        if x <= 0 && x == x.rounded(.down) { return .infinity }
        if x < 0 {
            return Foundation.log(Double.pi / Swift.abs(sinCosPi(x).sin)) - logGamma(1 - x)
        }
        var z = x
        var product = 1.0
        while z < 10 { product *= z; z += 1 }
        let inverse = 1 / z, inverseSquare = inverse * inverse
        var series = 0.0
        var power = inverse
        for k in 1...8 {
            series += bernoulli[k - 1] / Double(2 * k * (2 * k - 1)) * power
            power *= inverseSquare
        }
        let stirling = (z - 0.5) * Foundation.log(z) - z + 0.5 * Foundation.log(2 * Double.pi) + series
        return stirling - Foundation.log(product)
    }

    /// The digamma function ψ(x) = d/dx ln Γ(x).
    ///
    /// For x ≥ 10: ψ(x) = ln x − 1/(2x) − Σ B₂ₖ / (2k x²ᵏ); below, ψ(x) = ψ(x + 1) − 1/x;
    /// for x < 0, ψ(x) = ψ(1 − x) − π cot πx.
    public static func digamma(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x == 0 { return x.sign == .minus ? .infinity : -.infinity }
        if x == -.infinity { return .nan }
        if x == .infinity { return .infinity }
        if x < 0 {
            if x == x.rounded(.down) { return .nan }
            let (s, c) = sinCosPi(x)
            return digamma(1 - x) - Double.pi * c / s
        }
        var z = x
        var result = 0.0
        while z < 10 { result -= 1 / z; z += 1 }
        let inverseSquare = 1 / (z * z)
        var series = 0.0
        var power = inverseSquare
        for k in 1...8 {
            series += bernoulli[k - 1] / Double(2 * k) * power
            power *= inverseSquare
        }
        return result + Foundation.log(z) - 0.5 / z - series
    }

    /// The polygamma function ψ⁽ⁿ⁾(x) = dⁿ/dxⁿ ψ(x) for n ≥ 0 (n = 0 is ``digamma(_:)``).
    ///
    /// For x > 0, ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹ n! ζ(n + 1, x), with the Hurwitz zeta function summed
    /// directly up to w = x + N ≥ n + 12 and the rest by Euler–Maclaurin:
    /// ζ(s, w) = w¹⁻ˢ/(s − 1) + w⁻ˢ/2 + Σⱼ B₂ⱼ/(2j)! · s(s+1)⋯(s+2j−2) · w⁻ˢ⁻²ʲ⁺¹.
    /// For x < 0, the reflection formula differentiated n times:
    /// ψ⁽ⁿ⁾(x) = (−1)ⁿ ψ⁽ⁿ⁾(1 − x) − πⁿ⁺¹ Pₙ(cot πx), where dⁿ/dxⁿ cot(πx) = πⁿ Pₙ(cot πx),
    /// P₀(c) = c and Pₖ₊₁(c) = −(1 + c²) Pₖ′(c).
    public static func polygamma(_ n: Int, _ x: Double) -> Double {
        ensure(n >= 0, "polygamma: order \(n) must be non-negative")
        if n == 0 { return digamma(x) }
        let sign: Double = n % 2 == 1 ? 1 : -1   // (−1)ⁿ⁺¹
        if x.isNaN { return x }
        if x == .infinity { return sign * 0 }
        if x <= 0 && x == x.rounded(.down) { return sign * .infinity }   // also x = −∞
        if x < 0 {
            let (s, c) = sinCosPi(x)
            let cot = c / s
            // Pₙ as coefficients of powers of c.
            var p: [Double] = [0, 1]
            for _ in 0..<n {
                let derivative = (1..<p.count).map { Double($0) * p[$0] }   // P′
                var next = [Double](repeating: 0, count: derivative.count + 2)
                for (i, d) in derivative.enumerated() {   // −(1 + c²) P′
                    next[i] -= d
                    next[i + 2] -= d
                }
                p = next
            }
            var value = 0.0
            for coefficient in p.reversed() { value = value * cot + coefficient }
            let reflected = (n % 2 == 0 ? 1.0 : -1.0) * polygamma(n, 1 - x)
            return reflected - Foundation.pow(Double.pi, Double(n + 1)) * value
        }
        let s = Double(n + 1)
        var factorial = 1.0
        for k in 1...n { factorial *= Double(k) }
        return sign * factorial * hurwitzZeta(s, x)
    }

    /// The Hurwitz zeta function ζ(s, x) = Σₖ (x + k)⁻ˢ for s > 1, x > 0.
    static func hurwitzZeta(_ s: Double, _ x: Double) -> Double {
        var w = x
        var sum = 0.0
        let threshold = s + 11
        while w < threshold {
            sum += Foundation.pow(w, -s)
            w += 1
        }
        let wPowerMinusS = Foundation.pow(w, -s)
        sum += w * wPowerMinusS / (s - 1) + 0.5 * wPowerMinusS
        // Euler–Maclaurin corrections; term j carries s(s+1)⋯(s+2j−2) / (2j)! / w^(s+2j−1).
        var factor = s / w * wPowerMinusS / 2   // j = 1: s / 2! · w^(−s−1)
        let inverseSquare = 1 / (w * w)
        for j in 1...bernoulli.count {
            let term = bernoulli[j - 1] * factor
            sum += term
            if Swift.abs(term) < 1e-17 * Swift.abs(sum) { break }
            let a = s + Double(2 * j - 1), b = s + Double(2 * j)
            factor *= a * b / Double((2 * j + 1) * (2 * j + 2)) * inverseSquare
        }
        return sum
    }
}
