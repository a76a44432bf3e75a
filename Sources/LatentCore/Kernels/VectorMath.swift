import Foundation

/// Vectorised elementary functions on `SIMD16<Float>`: the kernels behind `exp`, `log`,
/// `tanh`, `sigmoid`, `softplus`, `erf` and friends.
///
/// Every function reduces its argument to a small interval and evaluates a polynomial
/// there (coefficients fitted by `Scripts/vectormath_coefficients.py`), using only adds,
/// multiplies, divides, compares, selects and integer bit operations, so each maps onto
/// plain vector instructions on any x86-64 or ARM target (no FMA, no rounding
/// instructions, no table lookups). All are within about 2 ulp of the correctly rounded
/// result over the whole Float range, and handle the special values the way the C
/// library does: NaN propagates, ±∞ map to the limits, results overflow to ∞ and
/// underflow through the subnormals to 0.
///
/// Each function has a scalar counterpart, ``scalar(_:_:)``, that returns exactly the
/// same bits (it runs the vector code on one lane), so loops can finish their tails
/// without changing results.
///
/// Internal to LatentCore (layers above call ops, never kernels); tests reach it as
/// `@_spi(Testing) import LatentCore`, since `@testable import` needs `-enable-testing`,
/// which release builds (where the tests run) do not pass.
@_spi(Testing) public enum VectorMath {
    public typealias Vector = SIMD16<Float>
    public typealias Bits = SIMD16<Int32>

    /// Applies a vector kernel to one value (lane 0 of a splat), so that tails of loops
    /// give the same bits as the vector body.
    @inlinable @inline(__always)
    public static func scalar(_ x: Float, _ f: (Vector) -> Vector) -> Float {
        f(Vector(repeating: x))[0]
    }

    // MARK: - Loads and stores

    /// Loads 16 floats from `p` (any alignment), or the first `count < 16` of them with
    /// the other lanes set to `fill` (a row's tail).
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ count: Int, fill: Float = 0) -> Vector {
        if count >= 16 { return UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }
        var v = Vector(repeating: fill)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    /// Stores all 16 lanes of `v` at `p` (any alignment), or the first `count < 16` of them.
    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        if count >= 16 {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
            return
        }
        for i in 0..<count { p[i] = v[i] }
    }

    // MARK: - Bit-level helpers

    @inlinable @inline(__always)
    static func bits(_ x: Vector) -> Bits { unsafeBitCast(x, to: Bits.self) }

    @inlinable @inline(__always)
    static func float(_ b: Bits) -> Vector { unsafeBitCast(b, to: Vector.self) }

    /// `2^n` for integer lanes `n` in [-126, 127].
    @inlinable @inline(__always)
    static func powerOfTwo(_ n: Bits) -> Vector { float((n &+ 127) &<< 23) }

    /// Rounds to the nearest integer (ties to even) for |x| < 2^22, returning it both as
    /// a float and as an integer: adding 1.5·2^23 leaves the integer in the low mantissa bits.
    @inlinable @inline(__always)
    static func roundToInteger(_ x: Vector) -> (Vector, Bits) {
        let magic = Vector(repeating: 12_582_912)  // 1.5 · 2^23
        let t = x + magic
        return (t - magic, bits(t) &- 0x4B40_0000)
    }

    /// Integer lanes (|n| < 2^22) converted exactly to float.
    @inlinable @inline(__always)
    static func toFloat(_ n: Bits) -> Vector {
        float(n &+ 0x4B40_0000) - Vector(repeating: 12_582_912)
    }

    /// |x|, clearing the sign bit.
    @inlinable @inline(__always)
    public static func abs(_ x: Vector) -> Vector { float(bits(x) & 0x7FFF_FFFF) }

    /// The magnitude of `magnitude` with the sign of `sign`.
    @inlinable @inline(__always)
    static func copySign(_ magnitude: Vector, _ sign: Vector) -> Vector {
        float((bits(magnitude) & 0x7FFF_FFFF) | (bits(sign) & Bits(repeating: Int32.min)))
    }

    @inlinable @inline(__always)
    static func isNaN(_ x: Vector) -> SIMDMask<Bits> { x .!= x }

    /// `x` limited to [lo, hi] (NaN stays NaN). Written with compares and selects, which
    /// compile to vector instructions (the generic `pointwiseMin` does not, yet).
    @inlinable @inline(__always)
    static func clamp(_ x: Vector, _ lo: Float, _ hi: Float) -> Vector {
        x.replacing(with: lo, where: x .< lo).replacing(with: hi, where: x .> hi)
    }

    // MARK: - Exponential

    // ln 2 split so that n · ln2Hi is exact for |n| < 2^8.
    @usableFromInline static let ln2Hi: Float = 0.693145751953125
    @usableFromInline static let ln2Lo: Float = 1.428606765330187e-06

    /// eʳ − 1 for |r| ≤ ln2/2 (slightly beyond is fine), as r + r²·Q(r).
    @inlinable @inline(__always)
    static func expm1Reduced(_ r: Vector) -> Vector {
        var q = Vector(repeating: 0.00019908770627807826)
        q = q * r + 0.0013928738189861178
        q = q * r + 0.008333245292305946
        q = q * r + 0.041666530072689056
        q = q * r + 0.1666666716337204
        q = q * r + 0.5
        return r + (r * r) * q
    }

    /// Splits `hi + lo` (|lo| ≪ |hi|) into n·ln2 + r with integer n and |r| ≲ ln2/2;
    /// returns eʳ − 1 and n.
    @inlinable @inline(__always)
    static func reduceExp(_ hi: Vector, _ lo: Vector) -> (Vector, Bits) {
        let (nf, n) = roundToInteger(hi * 1.4426950216293335)
        let r = ((hi - nf * ln2Hi) + lo) - nf * ln2Lo
        return (expm1Reduced(r), n)
    }

    /// e^(hi + lo) where `lo` is a small correction to `hi` (see ``erfc(_:)``).
    @inlinable @inline(__always)
    static func exp(_ hi: Vector, correction lo: Vector) -> Vector {
        // Below −104 the result rounds to 0, above 89 it overflows: clamping keeps n in
        // [−150, 129], and scaling in two steps reaches the subnormals and ∞ exactly.
        let x = clamp(hi, -104, 89)
        let (p, n) = reduceExp(x, lo)
        let n1 = n &>> 1
        let y = (1 + p) * powerOfTwo(n1) * powerOfTwo(n &- n1)
        return y.replacing(with: hi, where: isNaN(hi))
    }

    /// eˣ. Overflows to ∞ above ln(Float.greatestFiniteMagnitude) ≈ 88.72, reaches 0
    /// below ≈ −103.97.
    @inlinable
    public static func exp(_ x: Vector) -> Vector {
        exp(x, correction: Vector(repeating: 0))
    }

    /// eˣ − 1, accurate for small |x| (where `exp(x) - 1` loses its digits).
    ///
    /// With x = n·ln2 + r: eˣ − 1 = 2ⁿ·((eʳ − 1) + (1 − 2⁻ⁿ)), where eʳ − 1 comes from the
    /// polynomial and 1 − 2⁻ⁿ is exact for the n where it matters.
    @inlinable
    public static func expm1(_ x: Vector) -> Vector {
        // Below −30 the result is −1 in Float; above 89 it overflows.
        let xc = clamp(x, -30, 89)
        let (nf, n) = roundToInteger(xc * 1.4426950216293335)
        let p = expm1Reduced((xc - nf * ln2Hi) - nf * ln2Lo)
        // 1 − 2⁻ⁿ (n limited to 30, beyond which it is 1 in Float). The mask comes from
        // a float compare: integer `.>` on SIMD vectors compiles to a scalar loop.
        let c = 1 - powerOfTwo(0 &- n.replacing(with: 30, where: nf .> 30))
        let y = (p + c) * powerOfTwo(n &- 1) * 2
        return y.replacing(with: x, where: isNaN(x))
    }

    // MARK: - Logarithm

    /// ln(1 + f) for 1 + f in [√½, √2], with f exact.
    @inlinable @inline(__always)
    static func log1pReduced(_ f: Vector, exponent e: Vector) -> Vector {
        // s = f/(2+f), z = s²: ln(1+f) = f − f²/2 + s·(f²/2 + z·R(z)).
        let s = f / (2 + f)
        let z = s * s
        var r = Vector(repeating: 0.20879989862442017)
        r = r * z + 0.2866007387638092
        r = r * z + 0.39998894929885864
        r = r * z + 0.6666666865348816
        r = r * z
        let halfSquare = 0.5 * f * f
        return e * ln2Hi - ((halfSquare - (s * (halfSquare + r) + e * ln2Lo)) - f)
    }

    /// ln x. ln 0 = −∞, ln x = NaN for x < 0, ln ∞ = ∞; subnormals are handled.
    @inlinable
    public static func log(_ x: Vector) -> Vector {
        let subnormal = x .< Float.leastNormalMagnitude
        let xs = x.replacing(with: x * 8_388_608, where: subnormal)   // · 2^23
        let b = bits(xs)
        var e = ((b &>> 23) & 0xFF) &- 127
        e = e.replacing(with: e &- 23, where: subnormal)
        // Mantissa m in [1, 2); move it to [√½, √2).
        var m = float((b & 0x007F_FFFF) | 0x3F80_0000)
        let large = m .> 1.4142135
        m = m.replacing(with: m * 0.5, where: large)
        e = e.replacing(with: e &+ 1, where: large)
        var y = log1pReduced(m - 1, exponent: toFloat(e))
        y = y.replacing(with: -.infinity, where: x .== 0)
        y = y.replacing(with: .nan, where: x .< 0)
        return y.replacing(with: x, where: (x .== .infinity) .| isNaN(x))
    }

    /// ln(1 + x), accurate for small |x|.
    ///
    /// With u = 1 + x rounded, ln(1 + x) = ln u + (x − (u − 1))/u to first order in the
    /// rounding error of u, which the second term restores.
    @inlinable
    public static func log1p(_ x: Vector) -> Vector {
        let u = 1 + x
        var y = log(u) + (x - (u - 1)) / u
        y = y.replacing(with: -.infinity, where: u .== 0)
        return y.replacing(with: x, where: x .== .infinity)
    }

    // MARK: - Hyperbolic and logistic functions

    /// tanh x = sign(x)·t/(t + 2) with t = e^{2|x|} − 1.
    @inlinable
    public static func tanh(_ x: Vector) -> Vector {
        // tanh(9.1) rounds to 1 in Float; clamping keeps t finite.
        let t = expm1(2 * clamp(abs(x), 0, 9.1))
        let y = copySign(t / (t + 2), x)
        return y.replacing(with: x, where: isNaN(x))
    }

    /// The logistic sigmoid σ(x) = 1/(1 + e⁻ˣ), computed as 1/(1 + z) for x ≥ 0 and
    /// z/(1 + z) for x < 0 with z = e^{−|x|}, so it neither overflows nor loses the tiny
    /// values for very negative x.
    @inlinable
    public static func sigmoid(_ x: Vector) -> Vector {
        let z = exp(-abs(x))
        let numerator = z.replacing(with: 1, where: x .>= 0)
        return numerator / (1 + z)
    }

    /// softplus(x) = ln(1 + eˣ) = max(x, 0) + ln(1 + e^{−|x|}), finite for every finite x.
    @inlinable
    public static func softplus(_ x: Vector) -> Vector {
        let y = x.replacing(with: 0, where: x .< 0) + log1p(exp(-abs(x)))
        return y.replacing(with: x, where: isNaN(x))
    }

    /// ln σ(x) = −softplus(−x).
    @inlinable
    public static func logSigmoid(_ x: Vector) -> Vector {
        -softplus(-x)
    }

    // MARK: - Error function

    /// erf x / x as a polynomial in x², for |x| ≤ 1.
    @inlinable @inline(__always)
    static func erfSmall(_ x: Vector) -> Vector {
        let z = x * x
        var p = Vector(repeating: -2.5566030672052875e-05)
        p = p * z + -0.0004853754653595388
        p = p * z + 0.004828535486012697
        p = p * z + -0.02666410617530346
        p = p * z + 0.11279039084911346
        p = p * z + -0.37612223625183105
        p = p * z + 1.1283791065216064
        return x * p
    }

    /// erfc y for y ≥ 0.5, as e^{−y²}·G(u) with u = 1/(1 + y).
    ///
    /// Two errors would otherwise cost about 2 ulp each: the rounding of u (G is
    /// sensitive to it), corrected to first order with G′(u) and the exact rounding
    /// error of u (Dekker's splitting, no FMA needed); and the rounding of y², avoided by
    /// splitting y so that y² is an exact sum of two floats fed to `exp`.
    ///
    /// `lo` is an optional small correction: the result is erfc(y + lo), with y + lo
    /// known to more than Float precision (see ``gelu(_:)``).
    @inlinable @inline(__always)
    static func erfcLarge(_ y: Vector, correction lo: Vector = Vector(repeating: 0)) -> Vector {
        // erfc(10.1) rounds to 0 in Float.
        let yc = clamp(y + lo, 0.5, 10.1)
        let yHi = clamp(y, 0.5, 10.1)
        let topBits = Bits(repeating: ~0xFFF)   // keeps 12 significant bits
        let d = 1 + yc
        let dError = yc - (d - 1)               // d + dError = 1 + yc exactly
        let u = 1 / d
        let uh = float(bits(u) & topBits), ul = u - uh
        let dh = float(bits(d) & topBits), dl = d - dh
        let residual = (((1 - uh * dh) - uh * dl) - ul * dh) - ul * dl   // 1 − u·d
        let du = u * (residual - dError * u)    // 1/(1 + yc) − u, to first order
        // G(u) and G′(u) by Horner.
        var g = Vector(repeating: -1.3365613222122192)
        var dg = Vector(repeating: 0)
        @inline(__always) func step(_ c: Float) { dg = dg * u + g; g = g * u + c }
        step(4.766906261444092)
        step(-6.578053951263428)
        step(3.645127773284912)
        step(0.454818457365036)
        step(-1.2141424417495728)
        step(-0.13123419880867004)
        step(0.2572244107723236)
        step(0.5665849447250366)
        step(0.5640637874603271)
        step(2.7774847239925293e-06)
        g = g + dg * du
        // y = yh + yl with yh holding the top 12 bits: yh² is exact, and
        // (y + lo)² = yh² + yl·(y + yh) + (2y + lo)·lo to well beyond Float precision.
        let yh = float(bits(yHi) & topBits)
        let yl = yHi - yh
        let loInRange = lo.replacing(with: 0, where: yc .!= yHi + lo)
        return exp(-(yh * yh), correction: -(yl * (yHi + yh) + (2 * yHi + loInRange) * loInRange)) * g
    }

    /// The error function erf x = (2/√π) ∫₀ˣ e^{−t²} dt.
    @inlinable
    public static func erf(_ x: Vector) -> Vector {
        let a = abs(x)
        let large = copySign(1 - erfcLarge(a), x)
        let y = erfSmall(x).replacing(with: large, where: a .>= 1)
        return y.replacing(with: x, where: isNaN(x))
    }

    /// The complementary error function erfc x = 1 − erf x, accurate in the tail
    /// (relative accuracy down to the subnormals, erfc x ≈ 1e−38 near x = 9.2).
    @inlinable
    public static func erfc(_ x: Vector) -> Vector {
        erfc(x, correction: Vector(repeating: 0))
    }

    /// erfc(x + lo) for a small correction `lo` to x.
    @inlinable @inline(__always)
    static func erfc(_ x: Vector, correction lo: Vector) -> Vector {
        let a = abs(x)
        let tail = erfcLarge(a, correction: copySign(lo, lo * x))   // |x + lo| = |x| ± lo
        let large = tail.replacing(with: 2 - tail, where: x .< 0)
        let y = (1 - erfSmall(x + lo)).replacing(with: large, where: a .>= 0.5)
        return y.replacing(with: x, where: isNaN(x))
    }

    // MARK: - Activations built on the above

    /// The exact GELU, x·Φ(x) = ½·x·erfc(−x/√2), accurate in the far negative tail: x/√2
    /// is formed as a float plus a small correction, so erfc sees it to beyond Float
    /// precision (the relative error of erfc y grows like 2y² times that of y).
    @inlinable
    public static func gelu(_ x: Vector) -> Vector {
        // 1/√2 = c1 + c2 with c1 holding 8 bits; x = xh + xl with xh holding 12 bits:
        // xh·c1 is exact, and xl·c1 + x·c2 is a correction of relative size ≈ 2⁻¹².
        let c1: Float = 0.70703125
        let c2: Float = 7.5531185e-05
        let xh = float(bits(x) & Bits(repeating: ~0xFFF))
        let xl = x - xh
        return 0.5 * x * erfc(-(xh * c1), correction: -(xl * c1 + x * c2))
    }

    /// The derivative of the exact GELU from x and y = gelu(x): Φ(x) + x·φ(x) with
    /// Φ(x) = y / x, so no erfc is evaluated (Φ(x) rounds to ½ for |x| < 10⁻²⁰, where
    /// y / x would lose precision in the subnormals).
    @inlinable
    public static func geluDerivative(_ x: Vector, output y: Vector) -> Vector {
        let cdf = (y / x).replacing(with: 0.5, where: abs(x) .< 1e-20)
        let density = exp(x * x * Vector(repeating: -0.5)) * Vector(repeating: 0.3989422804014327)
        return cdf + x * density
    }

    /// The tanh approximation of GELU, ½x(1 + tanh(√(2/π)(x + 0.044715x³))), computed as
    /// x·σ(2u) (the same function) so that it does not cancel for negative x. For
    /// x ≪ 0 it is ill-conditioned (σ(2u) ≈ e^{2u} amplifies the rounding of u by |2u|),
    /// as in every Float implementation: ≈ 1e−5 relative at x = −9.
    @inlinable
    public static func geluTanh(_ x: Vector) -> Vector {
        let u = 0.7978845608028654 * x * (1 + 0.044715 * x * x)
        return x * sigmoid(2 * u)
    }

    /// SiLU (swish), x·σ(x).
    @inlinable
    public static func silu(_ x: Vector) -> Vector {
        x * sigmoid(x)
    }

    // MARK: - Trigonometric functions

    // π/2 split so that j · p1 and j · p2 are exact for |j| < 2^13.
    @usableFromInline static let halfPi1: Float = 1.5703125
    @usableFromInline static let halfPi2: Float = 0.0004837512969970703
    @usableFromInline static let halfPi3: Float = 7.549790126404332e-08
    /// Beyond this |x| the vector reduction is not exact; such vectors fall back to the
    /// C library lane by lane (in Double, then rounded).
    @usableFromInline static let trigLimit: Float = 8192

    /// sin x (`quadrantShift` 0) or cos x (`quadrantShift` 1) for |x| ≤ ``trigLimit``.
    @inlinable @inline(__always)
    static func sinCosReduced(_ x: Vector, quadrantShift: Int32) -> Vector {
        let (jf, j) = roundToInteger(x * 0.6366197466850281)
        let r = ((x - jf * halfPi1) - jf * halfPi2) - jf * halfPi3
        let z = r * r
        var s = Vector(repeating: 3.3769383662729524e-06)
        s = s * z + -0.0001990071905311197
        s = s * z + 0.008333473466336727
        s = s * z + -0.1666666716337204
        let sine = r + r * z * s
        var c = Vector(repeating: -4.367774408819969e-07)
        c = c * z + 2.4952683816081844e-05
        c = c * z + -0.0013889241963624954
        c = c * z + 0.0416666679084301
        let cosine = (1 - 0.5 * z) + z * z * c
        let q = j &+ quadrantShift
        let y = sine.replacing(with: cosine, where: (q & 1) .!= Bits(repeating: 0))
        return float(bits(y) ^ ((q & 2) &<< 30))
    }

    @inlinable @inline(__always)
    static func sinCos(_ x: Vector, quadrantShift: Int32) -> Vector {
        if any(abs(x) .> trigLimit) {
            var y = Vector()
            for i in 0..<16 {
                let d = Double(x[i])
                y[i] = Float(quadrantShift == 0 ? Foundation.sin(d) : Foundation.cos(d))
            }
            return y
        }
        return sinCosReduced(x, quadrantShift: quadrantShift)
    }

    /// sin x.
    @inlinable
    public static func sin(_ x: Vector) -> Vector { sinCos(x, quadrantShift: 0) }

    /// cos x.
    @inlinable
    public static func cos(_ x: Vector) -> Vector { sinCos(x, quadrantShift: 1) }

    // MARK: - Rounding

    /// Rounds to the nearest integer, ties to even (as `torch.round` and `numpy.round`).
    @inlinable
    public static func round(_ x: Vector) -> Vector {
        let a = abs(x)
        let twoTo23 = Vector(repeating: 8_388_608)
        let r = copySign((a + twoTo23) - twoTo23, x)
        return r.replacing(with: x, where: a .>= twoTo23)
    }

    /// The largest integer not greater than x.
    @inlinable
    public static func floor(_ x: Vector) -> Vector {
        let r = round(x)
        return r.replacing(with: r - 1, where: r .> x)
    }
}
