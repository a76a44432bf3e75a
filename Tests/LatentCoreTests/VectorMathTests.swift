import Foundation
@_spi(Testing) import LatentCore
import Testing

/// Accuracy of the SIMD kernels against the C library's Double functions, on dense grids
/// that reach the ends of the Float range, plus the special values.
@Suite struct VectorMathTests {
    typealias Vector = SIMD16<Float>

    /// `count` evenly spaced Floats in [lo, hi].
    static func uniform(_ lo: Float, _ hi: Float, _ count: Int) -> [Float] {
        (0..<count).map { lo + (hi - lo) * Float($0) / Float(count - 1) }
    }

    /// ± magnitudes spread evenly in log scale from 2^lowExponent to 2^highExponent.
    static func logarithmic(_ lowExponent: Double, _ highExponent: Double, _ count: Int, negative: Bool = true) -> [Float] {
        let positive = (0..<count).map { i -> Float in
            Float(Foundation.exp2(lowExponent + (highExponent - lowExponent) * Double(i) / Double(count - 1)))
        }
        return negative ? positive + positive.map { -$0 } : positive
    }

    /// Runs `kernel` over `inputs` and records the worst error beyond
    /// `relative·|reference| + absolute`.
    func expectAccurate(_ name: String, _ inputs: [Float], relative: Double = 4e-7, absolute: Double = 3e-45,
                        _ kernel: (Vector) -> Vector, _ reference: (Double) -> Double,
                        sourceLocation: SourceLocation = #_sourceLocation) {
        var xs = inputs
        while xs.count % 16 != 0 { xs.append(0) }
        var worst: (x: Float, y: Float, reference: Double, excess: Double)?
        for start in stride(from: 0, to: xs.count, by: 16) {
            var v = Vector()
            for k in 0..<16 { v[k] = xs[start + k] }
            let y = kernel(v)
            for k in 0..<16 {
                let x = xs[start + k]
                let expected = reference(Double(x))
                let actual = Double(y[k])
                let ok: Bool
                var excess = 0.0
                if expected.isNaN {
                    ok = actual.isNaN
                } else if expected.magnitude > Double(Float.greatestFiniteMagnitude) * (1 + 0x1p-25) {
                    ok = actual == (expected > 0 ? .infinity : -.infinity)
                } else {
                    let error = Swift.abs(actual - expected)
                    let allowed = relative * Swift.abs(expected) + absolute
                    ok = error <= allowed
                    excess = error / allowed
                }
                if !ok, worst == nil || excess > worst!.excess || excess.isNaN {
                    worst = (x, y[k], expected, excess.isNaN ? .infinity : excess)
                }
            }
        }
        if let w = worst {
            Issue.record("\(name)(\(w.x)) = \(w.y), expected \(w.reference) (\(w.excess)× the tolerance)",
                         sourceLocation: sourceLocation)
        }
    }

    @Test func exp() {
        let xs = Self.uniform(-104, 89, 40_000) + Self.logarithmic(-149, 7, 2_000) + [-1e4, -200, -103.97, -103.3, -87.3]
        expectAccurate("exp", xs, { VectorMath.exp($0) }, Foundation.exp)
        let special = VectorMath.exp(Vector(-.infinity, .infinity, .nan, 100, -200, 0, -0.0, 88.72283, 88.72284,
                                            -103.972, -103.973, 1, 2, 3, 4, 5))
        #expect(special[0] == 0 && special[1] == .infinity && special[2].isNaN)
        #expect(special[3] == .infinity && special[4] == 0 && special[5] == 1 && special[6] == 1)
        #expect(special[7].isFinite && special[8] == .infinity)
        #expect(special[9] == Float.leastNonzeroMagnitude && special[10] == 0)
    }

    @Test func expm1() {
        let xs = Self.uniform(-30, 89, 30_000) + Self.logarithmic(-149, 7, 2_000) + Self.uniform(-0.5, 0.5, 5_000)
        expectAccurate("expm1", xs, { VectorMath.expm1($0) }, Foundation.expm1)
        let special = VectorMath.expm1(Vector(-.infinity, .infinity, .nan, 100, -200, 0, -0.0, 1e-30,
                                              0, 0, 0, 0, 0, 0, 0, 0))
        #expect(special[0] == -1 && special[1] == .infinity && special[2].isNaN && special[3] == .infinity)
        #expect(special[4] == -1 && special[5] == 0 && special[7] == 1e-30)
    }

    @Test func log() {
        let xs = Self.logarithmic(-149, 128, 30_000, negative: false) + Self.uniform(0.5, 2, 10_000)
            + [Float.leastNonzeroMagnitude, Float.leastNormalMagnitude, Float.greatestFiniteMagnitude, 1, Float(1).nextUp, Float(1).nextDown]
        expectAccurate("log", xs, { VectorMath.log($0) }, Foundation.log)
        let special = VectorMath.log(Vector(0, -0.0, -1, .infinity, -.infinity, .nan, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        #expect(special[0] == -.infinity && special[1] == -.infinity && special[2].isNaN)
        #expect(special[3] == .infinity && special[4].isNaN && special[5].isNaN && special[6] == 0)
    }

    @Test func log1p() {
        let xs = Self.logarithmic(-149, 128, 20_000, negative: false)
            + Self.logarithmic(-149, -1e-7, 10_000, negative: false).map { -$0 }
            + Self.uniform(-0.999, 1, 10_000) + [Float(-1).nextUp, Float.greatestFiniteMagnitude]
        expectAccurate("log1p", xs, { VectorMath.log1p($0) }, Foundation.log1p)
        let special = VectorMath.log1p(Vector(-1, -2, .infinity, -.infinity, .nan, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        #expect(special[0] == -.infinity && special[1].isNaN && special[2] == .infinity)
        #expect(special[3].isNaN && special[4].isNaN && special[5] == 0)
    }

    @Test func tanh() {
        let xs = Self.uniform(-10, 10, 30_000) + Self.logarithmic(-149, 10, 3_000)
        expectAccurate("tanh", xs, { VectorMath.tanh($0) }, Foundation.tanh)
        let special = VectorMath.tanh(Vector(.infinity, -.infinity, .nan, 1e4, -1e4, 0, -0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        #expect(special[0] == 1 && special[1] == -1 && special[2].isNaN && special[3] == 1 && special[4] == -1)
        #expect(special[5] == 0 && special[6] == 0 && special[6].sign == .minus)
    }

    static func sigmoidReference(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
    }

    @Test func sigmoidAndSoftplus() {
        let xs = Self.uniform(-105, 30, 30_000) + Self.logarithmic(-149, 14, 3_000)
        expectAccurate("sigmoid", xs, { VectorMath.sigmoid($0) }, Self.sigmoidReference)
        let softplus: (Double) -> Double = { x in Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }
        expectAccurate("softplus", xs, { VectorMath.softplus($0) }, softplus)
        expectAccurate("logSigmoid", xs, { VectorMath.logSigmoid($0) }, { -softplus(-$0) })
        let x = Vector(100, -100, 1e4, -1e4, .infinity, -.infinity, .nan, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let s = VectorMath.sigmoid(x), p = VectorMath.softplus(x), l = VectorMath.logSigmoid(x)
        #expect(s[0] == 1 && Swift.abs(Double(s[1]) / 3.7200760e-44 - 1) < 0.05 && s[2] == 1 && s[3] == 0)
        #expect(s[4] == 1 && s[5] == 0 && s[6].isNaN)
        #expect(p[0] == 100 && Swift.abs(Double(p[1]) / 3.7200760e-44 - 1) < 0.05 && p[2] == 1e4 && p[3] == 0)
        #expect(p[4] == .infinity && p[5] == 0 && p[6].isNaN)
        #expect(l[0] == -p[1] && l[1] == -100 && l[2] == 0 && l[3] == -1e4 && l[4] == 0 && l[5] == -.infinity)
    }

    @Test func erfAndErfc() {
        let xs = Self.uniform(-6, 6, 30_000) + Self.logarithmic(-149, 3, 3_000)
        expectAccurate("erf", xs, { VectorMath.erf($0) }, Foundation.erf)
        let tail = Self.uniform(-6, 10.05, 30_000) + Self.logarithmic(-149, 3, 3_000)
        expectAccurate("erfc", tail, { VectorMath.erfc($0) }, Foundation.erfc)
        let special = VectorMath.erf(Vector(.infinity, -.infinity, .nan, 0, -0.0, 10, -10, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        #expect(special[0] == 1 && special[1] == -1 && special[2].isNaN && special[3] == 0 && special[5] == 1 && special[6] == -1)
        let complement = VectorMath.erfc(Vector(.infinity, -.infinity, .nan, 0, 11, 1e30, -1e30, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        #expect(complement[0] == 0 && complement[1] == 2 && complement[2].isNaN && complement[3] == 1)
        #expect(complement[4] == 0 && complement[5] == 0 && complement[6] == 2)
    }

    @Test func gelu() {
        let xs = Self.uniform(-13, 6, 20_000) + Self.logarithmic(-140, 3, 2_000)
        let sqrtHalf = 0.7071067811865476
        expectAccurate("gelu", xs, { VectorMath.gelu($0) }, { 0.5 * $0 * Foundation.erfc(-$0 * sqrtHalf) })
        // The tanh form is ill-conditioned for x ≪ 0 (the rounding of u is amplified by |2u|).
        let geluTanh: (Double) -> Double = { x in
            x * Self.sigmoidReference(2 * 0.7978845608028654 * (x + 0.044715 * x * x * x))
        }
        expectAccurate("geluTanh", Self.uniform(-2, 6, 10_000), relative: 6e-7, { VectorMath.geluTanh($0) }, geluTanh)
        expectAccurate("geluTanh", Self.uniform(-9, -2, 10_000), relative: 3e-5, { VectorMath.geluTanh($0) }, geluTanh)
    }

    @Test func sinAndCos() {
        // Near the zeros of sin and cos the result is as good as the reduction (≈ 1e−11
        // absolute for |x| ≤ 8192): the functions are ill-conditioned there, so an
        // absolute term is allowed.
        let xs = Self.uniform(-10, 10, 20_000) + Self.uniform(-8192, 8192, 20_000) + Self.logarithmic(-149, 13, 2_000)
        expectAccurate("sin", xs, absolute: 1e-10, { VectorMath.sin($0) }, Foundation.sin)
        expectAccurate("cos", xs, absolute: 1e-10, { VectorMath.cos($0) }, Foundation.cos)
        // Beyond 8192 the kernels fall back to the C library, lane by lane.
        let large = Self.logarithmic(13, 127, 2_000)
        expectAccurate("sin", large, relative: 1e-7, absolute: 1e-7, { VectorMath.sin($0) }, Foundation.sin)
        let special = VectorMath.sin(Vector(.infinity, -.infinity, .nan, 0, -0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        #expect(special[0].isNaN && special[1].isNaN && special[2].isNaN && special[3] == 0 && special[4] == 0)
    }

    @Test func rounding() {
        let xs: [Float] = Self.uniform(-20, 20, 3_001) + [0.5, 1.5, 2.5, -0.5, -1.5, 0.49999997, 8388607.5, 8388609,
                                                          1e30, -1e30, Float.leastNonzeroMagnitude]
        expectAccurate("round", xs, relative: 0, absolute: 0, { VectorMath.round($0) }) { $0.rounded(.toNearestOrEven) }
        expectAccurate("floor", xs, relative: 0, absolute: 0, { VectorMath.floor($0) }) { $0.rounded(.down) }
        let special = VectorMath.floor(Vector(.infinity, -.infinity, .nan, -0.0, -0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        #expect(special[0] == .infinity && special[1] == -.infinity && special[2].isNaN && special[4] == -1)
    }

    @Test func scalarMatchesVectorLanes() {
        let v = Vector((0..<16).map { Float($0) * 0.37 - 3 })
        let y = VectorMath.tanh(v)
        for i in 0..<16 { #expect(VectorMath.scalar(v[i], VectorMath.tanh) == y[i]) }
    }
}
