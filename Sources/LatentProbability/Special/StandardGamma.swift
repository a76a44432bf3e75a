import Foundation
import LatentCore

/// Standard Gamma(α, 1) samples with implicit reparameterisation gradients.
///
/// Sampling is Marsaglia & Tsang's (2000) squeeze-free rejection method, computed in
/// Double: with d = α − ⅓, c = 1/√(9d), x ~ N(0, 1), v = (1 + cx)³ and u ~ U(0, 1), accept
/// z = d·v when v > 0 and ln u < x²/2 + d − d·v + d·ln v. For α < 1 a draw for α + 1 is
/// boosted: z = z_{α+1} · u′^{1/α} (in log space). Each attempt uses one Philox block:
/// words 0–1 give x (Box–Muller), word 2 gives u, word 3 gives u′. The first attempt of
/// element i uses block i of one request (filled in parallel); rejected elements retry,
/// in index order, with the following blocks, so the result depends only on the
/// generator's state. Samples are clamped below at the smallest normal Float (as
/// PyTorch does), since tiny α puts mass far below it.
///
/// Gradient: the sample z is a function of α at a fixed quantile of Gamma(α, 1), so
/// dz/dα = −(∂P(α, z)/∂α)/p(z; α) (Figurnov, Mohamed & Mnih 2018, "Implicit
/// Reparameterization Gradients"); see ``standardGammaSampleDerivative(_:concentration:)``.
///
/// - Parameters:
///   - concentration: α > 0 for each element; the result has its shape.
///   - generator: The random stream.
public func standardGamma(concentration: Tensor, generator: inout RandomGenerator) -> Tensor {
    checkParameters { () throws(DistributionParameterError) in
        try DistributionValidation.requirePositive("standardGamma", "concentration", concentration)
    }
    let n = concentration.scalarCount
    var rejected = [Bool](repeating: false, count: n)
    let out = Tensor(shape: concentration.shape) { o, _ in
        let alpha = concentration.storage.pointer
        rejected.withUnsafeMutableBufferPointer { flags in
            let f = flags.baseAddress!
            generator.forEachBlock(count: n, minimumChunk: 1 << 11) { i, bits in
                if let z = GammaSampler.attempt(Double(alpha[i]), bits) { o[i] = GammaSampler.clamp(z) } else { f[i] = true }
            }
        }
        for i in 0..<n where rejected[i] {
            while true {
                if let z = GammaSampler.attempt(Double(alpha[i]), generator.nextBlock()) {
                    o[i] = GammaSampler.clamp(z)
                    break
                }
            }
        }
    }
    return Tensor.record("standardGamma", inputs: [concentration], output: out) { ctx in
        [ctx.gradient * standardGammaSampleDerivative(ctx.output, concentration: ctx.inputs[0])]
    }
}

/// dz/dα for standard Gamma(α, 1) samples z held at a fixed quantile, elementwise
/// (broadcasting): −(∂P(α, z)/∂α)/p(z; α), computed in Double by
/// ``IncompleteGamma/standardGammaSampleDerivative(_:concentration:)``.
///
/// Recorded so that first derivatives through ``standardGamma(concentration:generator:)``
/// work inside `createGraph` passes, but it has no derivative of its own: differentiating
/// it traps.
public func standardGammaSampleDerivative(_ sample: Tensor, concentration: Tensor) -> Tensor {
    let out = Tensor.elementwise(sample, concentration, op: "standardGammaSampleDerivative") { z, a in
        Float(IncompleteGamma.standardGammaSampleDerivative(Double(z), concentration: Double(a)))
    }
    return Tensor.record("standardGammaSampleDerivative", inputs: [sample, concentration], output: out) { _ in
        fatalError("standardGammaSampleDerivative: second derivatives of Gamma samples are not implemented")
    }
}

/// Marsaglia–Tsang attempts for ``standardGamma(concentration:generator:)``.
enum GammaSampler {
    /// One attempt from one block of random bits; nil when rejected.
    @inline(__always)
    static func attempt(_ alpha: Double, _ bits: SIMD4<UInt32>) -> Double? {
        let boosted = alpha < 1
        let d = (boosted ? alpha + 1 : alpha) - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        let u1 = (Double(bits[0]) + 1) * 0x1p-32          // (0, 1]
        let theta = 2 * Double.pi * Double(bits[1]) * 0x1p-32
        let x = (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(theta)
        let t = 1 + c * x
        guard t > 0 else { return nil }
        let v = t * t * t
        let u = (Double(bits[2]) + 0.5) * 0x1p-32         // (0, 1)
        guard Foundation.log(u) < 0.5 * x * x + d - d * v + d * Foundation.log(v) else { return nil }
        if boosted {
            let uBoost = (Double(bits[3]) + 0.5) * 0x1p-32
            return Foundation.exp(Foundation.log(d * v) + Foundation.log(uBoost) / alpha)
        }
        return d * v
    }

    /// The sample as a Float, at least the smallest normal Float.
    @inline(__always)
    static func clamp(_ z: Double) -> Float {
        Swift.max(Float(z), Float.leastNormalMagnitude)
    }
}
