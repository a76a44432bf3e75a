import Foundation
import LatentCore

/// Double-precision kernels for the regularised incomplete gamma functions and for the
/// implicit reparameterisation gradient of Gamma samples.
///
/// P(a, x) = γ(a, x)/Γ(a) = ∫₀ˣ tᵃ⁻¹e⁻ᵗ dt / Γ(a) is the CDF of Gamma(a, 1) at x, and
/// Q = 1 − P. For x < a + 1 the series
///
///     P(a, x) = xᵃe⁻ˣ/Γ(a + 1) · Σₙ xⁿ / ((a + 1)(a + 2)⋯(a + n))
///
/// converges quickly; otherwise Q comes from its continued fraction (evaluated by the
/// modified Lentz method)
///
///     Q(a, x) = xᵃe⁻ˣ/Γ(a) · 1/(x + 1 − a − 1(1 − a)/(x + 3 − a − 2(2 − a)/(x + 5 − a − ⋯))).
public enum IncompleteGamma {
    /// Above this concentration, the sample derivative uses the Wilson–Hilferty
    /// approximation (relative error of order 1/a).
    static let asymptoticConcentration = 1e6

    /// The regularised lower incomplete gamma function P(a, x), a > 0, x ≥ 0.
    public static func regularizedLower(_ a: Double, _ x: Double) -> Double {
        if a.isNaN || x.isNaN || !(a > 0) { return .nan }
        if x <= 0 { return 0 }
        if x == .infinity { return 1 }
        if x < a + 1 {
            let (sum, _) = series(a, x)
            return Foundation.exp(a * Foundation.log(x) - x - GammaFunctions.logGamma(a + 1)) * sum
        }
        return 1 - Foundation.exp(a * Foundation.log(x) - x - GammaFunctions.logGamma(a)) * continuedFraction(a, x)
    }

    /// The regularised upper incomplete gamma function Q(a, x) = 1 − P(a, x).
    public static func regularizedUpper(_ a: Double, _ x: Double) -> Double {
        if a.isNaN || x.isNaN || !(a > 0) { return .nan }
        if x <= 0 { return 1 }
        if x == .infinity { return 0 }
        if x < a + 1 { return 1 - regularizedLower(a, x) }
        return Foundation.exp(a * Foundation.log(x) - x - GammaFunctions.logGamma(a)) * continuedFraction(a, x)
    }

    /// dz/da for a standard Gamma(a, 1) sample z held at a fixed quantile:
    /// dz/da = −(∂P(a, z)/∂a) / p(z; a), with p the Gamma(a, 1) density (implicit
    /// reparameterisation, Figurnov, Mohamed & Mnih 2018).
    ///
    /// - For z < a + 1, from the series differentiated term by term. With
    ///   tₙ = Γ(a + 1) zⁿ/Γ(a + n + 1) (so P = zᵃe⁻ᶻ/Γ(a + 1) · Σ tₙ) and p = zᵃ⁻¹e⁻ᶻ/Γ(a),
    ///   ∂P/∂a = zᵃe⁻ᶻ/Γ(a + 1) · Σ tₙ (ln z − ψ(a + n + 1)), hence
    ///   dz/da = −(z/a) Σ tₙ (ln z − ψ(a + n + 1)): no prefactor that could overflow.
    /// - Otherwise from Q = z·p·F with F the continued fraction:
    ///   dz/da = ∂Q/∂a / p = z F (ln z − ψ(a) + ∂ ln F/∂a), with ∂ ln F/∂a by central
    ///   differences (F is smooth in a; relative error about 10⁻⁹).
    /// - For a ≥ 10⁶, from the Wilson–Hilferty approximation z ≈ a(1 − 1/(9a) + ε/(3√a))³
    ///   at fixed ε.
    public static func standardGammaSampleDerivative(_ z: Double, concentration a: Double) -> Double {
        if z.isNaN || a.isNaN || !(a > 0) { return .nan }
        if z <= 0 { return 0 }
        if z == .infinity { return .infinity }
        if a >= asymptoticConcentration {
            let rootA = a.squareRoot()
            let epsilon = (Foundation.cbrt(z / a) - 1 + 1 / (9 * a)) * 3 * rootA
            let w = 1 - 1 / (9 * a) + epsilon / (3 * rootA)
            return w * w * w + 3 * a * w * w * (1 / (9 * a * a) - epsilon / (6 * a * rootA))
        }
        let logZ = Foundation.log(z)
        if z < a + 1 {
            // Σ tₙ (ln z − ψ(a + n + 1)), ψ(a + n + 1) = ψ(a + n) + 1/(a + n).
            var t = 1.0, psi = GammaFunctions.digamma(a + 1)
            var sum = 0.0, total = 0.0
            var n = 0.0
            while true {
                sum += t * (logZ - psi)
                total += t
                n += 1
                t *= z / (a + n)
                psi += 1 / (a + n)
                if t < 1e-17 * total || n > 1e7 { break }
            }
            return -z / a * sum
        }
        let f = continuedFraction(a, z)
        let h = 1e-4 * Swift.min(a, 1) * Swift.max(1, a.squareRoot())
        let dLogF = (Foundation.log(continuedFraction(a + h, z)) - Foundation.log(continuedFraction(a - h, z))) / (2 * h)
        return z * f * (logZ - GammaFunctions.digamma(a) + dLogF)
    }

    /// ∂P(a, x)/∂a = −p(x; a) · dz/da, with dz/da from ``standardGammaSampleDerivative(_:concentration:)``.
    public static func regularizedLowerDerivativeA(_ a: Double, _ x: Double) -> Double {
        if x <= 0 || x == .infinity { return 0 }
        let density = Foundation.exp((a - 1) * Foundation.log(x) - x - GammaFunctions.logGamma(a))
        return -density * standardGammaSampleDerivative(x, concentration: a)
    }

    /// Σₙ xⁿ/((a + 1)⋯(a + n)) and the number of terms.
    static func series(_ a: Double, _ x: Double) -> (Double, Int) {
        var t = 1.0, sum = 1.0, n = 0.0
        while true {
            n += 1
            t *= x / (a + n)
            sum += t
            if t < 1e-17 * sum || n > 1e7 { break }
        }
        return (sum, Int(n))
    }

    /// The continued fraction F(a, x) with Q(a, x) = xᵃe⁻ˣ/Γ(a) · F (for x ≥ a + 1 or so),
    /// by the modified Lentz method.
    static func continuedFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var f = d
        var i = 1.0
        while i < 1e7 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if Swift.abs(d) < tiny { d = tiny }
            c = b + an / c
            if Swift.abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            f *= delta
            if Swift.abs(delta - 1) < 1e-16 { break }
            i += 1
        }
        return f
    }
}
