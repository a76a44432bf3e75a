import Foundation
import LatentCore

/// Uniform doubles in (0, 1) drawn lazily from a ``RandomGenerator``, two per Philox
/// block (53 random bits each), for samplers that need a variable number of draws.
struct UniformStream {
    var generator: RandomGenerator
    private var spare: Double? = nil

    init(_ generator: RandomGenerator) { self.generator = generator }

    /// The next uniform in (0, 1): (⌊x / 2¹¹⌋ + ½) / 2⁵³ from a 64-bit draw x.
    mutating func next() -> Double {
        if let s = spare { spare = nil; return s }
        let bits = generator.nextBlock()
        func unit(_ hi: UInt32, _ lo: UInt32) -> Double {
            (Double((UInt64(hi) << 32 | UInt64(lo)) >> 11) + 0.5) * 0x1p-53
        }
        spare = unit(bits[2], bits[3])
        return unit(bits[0], bits[1])
    }
}

/// Exact samplers for the Poisson and binomial distributions.
enum DiscreteSamplers {
    /// A Poisson draw: sequential inversion for λ < 10, otherwise the transformed
    /// rejection method with squeeze PTRS (Hörmann 1993, "The transformed rejection method
    /// for generating Poisson random variables").
    static func poisson(rate lambda: Double, _ u: inout UniformStream) -> Double {
        guard lambda > 0 else { return 0 }
        if lambda < 10 {
            // Inversion: walk the CDF from 0 with the recurrence p(k) = p(k − 1) λ / k.
            var k = 0.0, p = exp(-lambda), cumulative = p
            let target = u.next()
            while target > cumulative && k < 1000 {
                k += 1
                p *= lambda / k
                cumulative += p
            }
            return k
        }
        let squareRoot = lambda.squareRoot(), logLambda = log(lambda)
        let b = 0.931 + 2.53 * squareRoot
        let a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let acceptBound = 0.9277 - 3.6224 / (b - 2)
        while true {
            let uu = u.next() - 0.5
            let v = u.next()
            let us = 0.5 - abs(uu)
            let k = ((2 * a / us + b) * uu + lambda + 0.43).rounded(.down)
            if us >= 0.07 && v <= acceptBound { return k }
            if k < 0 || (us < 0.013 && v > us) { continue }
            // Accept if log(v · α⁻¹ / (a/us² + b)) ≤ −λ + k log λ − log k!.
            if log(v) + log(inverseAlpha) - log(a / (us * us) + b) <= -lambda + k * logLambda - lgamma(k + 1) { return k }
        }
    }

    /// A binomial draw with `n` trials: sequential inversion when n·min(p, 1 − p) < 10,
    /// otherwise BTRS, the transformed rejection method for the binomial (Hörmann 1993).
    static func binomial(count n: Double, probability: Double, _ u: inout UniformStream) -> Double {
        guard n > 0 && probability > 0 else { return 0 }
        if probability >= 1 { return n }
        let flipped = probability > 0.5
        let p = flipped ? 1 - probability : probability
        let q = 1 - p
        var k: Double
        if n * p < 10 {
            // Inversion with p(j + 1) = p(j) · (n − j)/(j + 1) · p/q, starting at qⁿ.
            let ratio = p / q
            var mass = exp(n * log1p(-p)), remaining = u.next()
            k = 0
            while remaining > mass && k < n {
                remaining -= mass
                mass *= (n - k) / (k + 1) * ratio
                k += 1
            }
        } else {
            let spq = (n * p * q).squareRoot()
            let b = 1.15 + 2.53 * spq
            let a = -0.0873 + 0.0248 * b + 0.01 * p
            let c = n * p + 0.5
            let acceptBound = 0.92 - 4.2 / b
            let alpha = (2.83 + 5.1 / b) * spq
            let logOdds = log(p / q)
            let mode = ((n + 1) * p).rounded(.down)
            let h = lgamma(mode + 1) + lgamma(n - mode + 1)
            while true {
                let uu = u.next() - 0.5
                var v = u.next()
                let us = 0.5 - abs(uu)
                let draw = ((2 * a / us + b) * uu + c).rounded(.down)
                if draw < 0 || draw > n { continue }
                if us >= 0.07 && v <= acceptBound { k = draw; break }
                v = log(v * alpha / (a / (us * us) + b))
                if v <= h - lgamma(draw + 1) - lgamma(n - draw + 1) + (draw - mode) * logOdds { k = draw; break }
            }
        }
        return flipped ? n - k : k
    }

    /// Fills a tensor of `sampleShape + parameters.shape` by calling `draw` on each
    /// element's parameters in row-major order (one stream, so results depend only on
    /// the generator's state).
    static func fill(_ sampleShape: [Int], parameters: [Tensor], generator: inout RandomGenerator,
                     _ draw: ([Double], inout UniformStream) -> Double) -> Tensor {
        let batch = parameters[0].shape
        let values = parameters.map { $0.detached().scalars }
        var stream = UniformStream(generator)
        let count = Shape.count(sampleShape) * Shape.count(batch)
        let n = Swift.max(Shape.count(batch), 1)
        var out = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let j = i % n
            out[i] = Float(draw(values.map { Double($0[j]) }, &stream))
        }
        generator = stream.generator
        return Tensor(shape: sampleShape + batch, scalars: out)
    }
}
