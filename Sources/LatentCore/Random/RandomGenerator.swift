import Foundation

/// A counter-based random number generator (Philox4x32-10): a key and a 128-bit counter
/// determine every number it produces.
///
/// Each request (`uniform`, `normal`, …) consumes a run of consecutive counter values,
/// one ``Philox`` block (four 32-bit words) per counter value, and advances the counter
/// past them. Output element `i` is computed from block `counter + i / valuesPerBlock`
/// alone, so large requests are filled in parallel and still give the same bits for any
/// thread count, and the same seed always gives the same tensors.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let noise = rng.normal([128, 32])                // standard normal
/// let mask = rng.bernoulli([128, 32], probability: 0.9)
/// var child = rng.split()                           // an independent stream
/// ```
///
/// Values per block: `uniform`, `normal`, `bernoulli`, `gumbel` use one 32-bit word per
/// element (four per block); `integers` and `permutation` use two words (a 64-bit draw)
/// per element.
///
/// `RandomGenerator` also conforms to Swift's `RandomNumberGenerator`, so it drives the
/// standard library's `shuffled(using:)` and `Float.random(in:using:)`; each `next()` call
/// consumes one whole block.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    /// The Philox key.
    public let key: SIMD2<UInt32>
    /// The next unused counter value.
    public private(set) var counter: UInt128

    /// Blocks per parallel chunk (below twice this, requests run on the calling thread).
    public static let minimumBlocksPerChunk = 1 << 13

    /// A generator whose key is the seed (low word `k₀`, high word `k₁`) and whose
    /// counter starts at 0, as PyTorch's Philox generator does.
    public init(seed: UInt64) {
        self.init(key: SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
    }

    /// A generator with an explicit key and starting counter.
    public init(key: SIMD2<UInt32>, counter: UInt128 = 0) {
        self.key = key
        self.counter = counter
    }

    // MARK: - Raw blocks

    /// Consumes `count` blocks, calling `body(i, Philox(key, counter + i))` once for each
    /// `i` in `0..<count`, then advances the counter by `count`.
    ///
    /// Large requests are split into contiguous chunks of at least `minimumChunk` blocks
    /// that run concurrently, so `body` must only write state owned by block `i` (for
    /// example output elements `4i..<4i+4`). The blocks are the same for any split.
    ///
    /// - Parameters:
    ///   - count: Number of blocks to consume.
    ///   - minimumChunk: Smallest number of blocks handed to one thread.
    ///   - body: Receives the block index (from 0) and its 128 random bits.
    public mutating func forEachBlock(count: Int, minimumChunk: Int = minimumBlocksPerChunk,
                                      _ body: (_ index: Int, _ bits: SIMD4<UInt32>) -> Void) {
        ensure(count >= 0, "RandomGenerator: negative block count \(count)")
        ensure(minimumChunk >= 1, "RandomGenerator: minimumChunk must be positive, got \(minimumChunk)")
        let start = counter
        let key = self.key
        counter &+= UInt128(count)
        Parallel.forEachChunk(count: count, minimumChunk: minimumChunk) { range in
            var c = start &+ UInt128(range.lowerBound)
            for i in range {
                body(i, Philox.block(counter: c, key: key))
                c &+= 1
            }
        }
    }

    /// The next block of 128 random bits.
    public mutating func nextBlock() -> SIMD4<UInt32> {
        let bits = Philox.block(counter: counter, key: key)
        counter &+= 1
        return bits
    }

    /// 64 random bits (words 0 and 1 of the next block; `RandomNumberGenerator`).
    public mutating func next() -> UInt64 {
        let bits = nextBlock()
        return UInt64(bits[0]) | UInt64(bits[1]) << 32
    }

    /// Fills `count` floats, four per block: `transform` maps a block's four words to
    /// the block's four values; the last block's surplus values are dropped.
    mutating func fillFloats(_ out: UnsafeMutablePointer<Float>, count: Int,
                             _ transform: (SIMD4<UInt32>) -> SIMD4<Float>) {
        forEachBlock(count: (count + 3) / 4) { b, bits in
            let v = transform(bits)
            let base = 4 * b
            for j in 0..<min(4, count - base) { out[base + j] = v[j] }
        }
    }

    /// Fills `count` 64-bit draws, two per block (words 0–1 and 2–3).
    mutating func fillWords64(_ out: UnsafeMutablePointer<UInt64>, count: Int) {
        forEachBlock(count: (count + 1) / 2) { b, bits in
            out[2 * b] = UInt64(bits[0]) | UInt64(bits[1]) << 32
            if 2 * b + 1 < count { out[2 * b + 1] = UInt64(bits[2]) | UInt64(bits[3]) << 32 }
        }
    }

    // MARK: - Word to number conversions

    /// A uniform float in [0, 1) from the top 24 bits of a word (every value is a
    /// multiple of 2⁻²⁴, so all 2²⁴ outcomes are equally likely).
    @inline(__always) static func unitInterval(_ w: UInt32) -> Float {
        Float(w >> 8) * 0x1p-24
    }

    /// A uniform double in (0, 1] from all 32 bits: `(w + 1) / 2³²`.
    @inline(__always) static func openClosedUnit(_ w: UInt32) -> Double {
        (Double(w) + 1) * 0x1p-32
    }

    /// A uniform double in (0, 1) from all 32 bits: `(w + ½) / 2³²`.
    @inline(__always) static func openUnit(_ w: UInt32) -> Double {
        (Double(w) + 0.5) * 0x1p-32
    }

    // MARK: - Distributions

    /// Uniform samples in `[low, high)`.
    ///
    /// Each element is `low + (high − low) · u` with `u = ⌊w / 2⁸⌋ · 2⁻²⁴` (24 random bits,
    /// the width of a Float mantissa), clamped below `high` in case rounding reaches it.
    ///
    /// - Parameters:
    ///   - shape: Shape of the result.
    ///   - low: Inclusive lower bound.
    ///   - high: Exclusive upper bound; must exceed `low`.
    public mutating func uniform(_ shape: [Int], low: Float = 0, high: Float = 1) -> Tensor {
        ensure(low < high && (high - low).isFinite,
                     "uniform: need finite low < high, got low \(low), high \(high)")
        let width = high - low
        let top = high.nextDown
        return Tensor(shape: shape) { p, n in
            fillFloats(p, count: n) { bits in
                var v = SIMD4<Float>()
                for j in 0..<4 { v[j] = Swift.min(low + width * Self.unitInterval(bits[j]), top) }
                return v
            }
        }
    }

    /// Normal samples with the given mean and standard deviation.
    ///
    /// Box–Muller on pairs of words: with `u₁ = (w₀ + 1)/2³² ∈ (0, 1]` and
    /// `u₂ = w₁/2³²`, `r = √(−2 ln u₁)` and `θ = 2πu₂` give the two independent standard
    /// normals `r cos θ` and `r sin θ` (words 2, 3 give the block's other two). Computed in
    /// Double; the largest magnitude is √(64 ln 2) ≈ 6.66.
    ///
    /// - Parameters:
    ///   - shape: Shape of the result.
    ///   - mean: Mean of every element.
    ///   - standardDeviation: Standard deviation of every element (non-negative).
    public mutating func normal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1) -> Tensor {
        ensure(standardDeviation >= 0, "normal: negative standard deviation \(standardDeviation)")
        let mu = Double(mean), sigma = Double(standardDeviation)
        return Tensor(shape: shape) { p, n in
            fillFloats(p, count: n) { bits in
                let r0 = (-2 * Foundation.log(Self.openClosedUnit(bits[0]))).squareRoot()
                let t0 = 2 * Double.pi * Double(bits[1]) * 0x1p-32
                let r1 = (-2 * Foundation.log(Self.openClosedUnit(bits[2]))).squareRoot()
                let t1 = 2 * Double.pi * Double(bits[3]) * 0x1p-32
                return SIMD4(Float(mu + sigma * r0 * Foundation.cos(t0)), Float(mu + sigma * r0 * Foundation.sin(t0)),
                             Float(mu + sigma * r1 * Foundation.cos(t1)), Float(mu + sigma * r1 * Foundation.sin(t1)))
            }
        }
    }

    /// Bernoulli samples: 1 with probability `probability`, else 0.
    ///
    /// Element `i` is `1` when the 24-bit uniform `u ∈ [0, 1)` from word `i` is below `p`
    /// (so `p = 0` never and `p = 1` always gives 1).
    public mutating func bernoulli(_ shape: [Int], probability: Float) -> Tensor {
        ensure(probability >= 0 && probability <= 1, "bernoulli: probability \(probability) is not in [0, 1]")
        return Tensor(shape: shape) { p, n in
            fillFloats(p, count: n) { bits in
                var v = SIMD4<Float>()
                for j in 0..<4 { v[j] = Self.unitInterval(bits[j]) < probability ? 1 : 0 }
                return v
            }
        }
    }

    /// Bernoulli samples with one probability per element: a 0/1 tensor shaped like
    /// `probabilities` (whose elements must lie in [0, 1]).
    public mutating func bernoulli(probabilities: Tensor) -> Tensor {
        let q = probabilities.storage.pointer
        for i in 0..<probabilities.scalarCount where !(q[i] >= 0 && q[i] <= 1) {
            fatalError("bernoulli: probability \(q[i]) at flat index \(i) is not in [0, 1]")
        }
        return Tensor(shape: probabilities.shape) { p, n in
            forEachBlock(count: (n + 3) / 4) { b, bits in
                let base = 4 * b
                for j in 0..<min(4, n - base) { p[base + j] = Self.unitInterval(bits[j]) < q[base + j] ? 1 : 0 }
            }
        }
    }

    /// Standard Gumbel samples: `−ln(−ln u)` with `u = (w + ½)/2³² ∈ (0, 1)`.
    ///
    /// Adding Gumbel noise to logits and taking the arg max samples from the softmax
    /// (the Gumbel-max trick); see ``categorical(logits:sampleShape:)``.
    public mutating func gumbel(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape) { p, n in
            fillFloats(p, count: n) { bits in
                var v = SIMD4<Float>()
                for j in 0..<4 { v[j] = Float(-Foundation.log(-Foundation.log(Self.openUnit(bits[j])))) }
                return v
            }
        }
    }

    /// Uniform integers in `range`.
    ///
    /// Each element takes a 64-bit draw `x` (two words) and returns
    /// `range.lowerBound + ⌊x · |range| / 2⁶⁴⌋` (Lemire's multiply-shift); the bias is below
    /// `|range| / 2⁶⁴`, negligible for any range that fits an index tensor.
    ///
    /// - Parameters:
    ///   - shape: Shape of the result.
    ///   - range: A non-empty range within `Int32`.
    public mutating func integers(_ shape: [Int], in range: Range<Int>) -> IndexTensor {
        ensure(!range.isEmpty, "integers: empty range \(range)")
        ensure(range.lowerBound >= Int(Int32.min) && range.upperBound - 1 <= Int(Int32.max),
                     "integers: range \(range) does not fit in Int32")
        let n = Shape.count(shape)
        let span = UInt64(range.count)
        let lower = range.lowerBound
        var draws = [UInt64](repeating: 0, count: n)
        draws.withUnsafeMutableBufferPointer { fillWords64($0.baseAddress!, count: n) }
        let values = draws.map { Int32(lower + Int($0.multipliedFullWidth(by: span).high)) }
        return IndexTensor(shape: shape, scalars: values)
    }

    /// A uniformly random permutation of `0..<n` (Fisher–Yates).
    ///
    /// Step `k` (for `i = n − 1 − k` down to 1) swaps position `i` with
    /// `j = ⌊x_k · (i + 1) / 2⁶⁴⌋`, where `x_k` is the `k`-th 64-bit draw. Consumes
    /// `⌈(n − 1)/2⌉` blocks.
    public mutating func permutation(_ n: Int) -> [Int] {
        ensure(n >= 0, "permutation: negative count \(n)")
        var result = Array(0..<n)
        guard n > 1 else { return result }
        var draws = [UInt64](repeating: 0, count: n - 1)
        draws.withUnsafeMutableBufferPointer { fillWords64($0.baseAddress!, count: n - 1) }
        for k in 0..<(n - 1) {
            let i = n - 1 - k
            let j = Int(draws[k].multipliedFullWidth(by: UInt64(i + 1)).high)
            result.swapAt(i, j)
        }
        return result
    }

    /// Category indices sampled from `softmax(logits)` along the last axis.
    ///
    /// Uses the Gumbel-max trick: `argmaxₖ (logitsₖ + gₖ)` with independent standard Gumbel
    /// `gₖ` is distributed as `softmax(logits)`. Logits of `−∞` mark impossible
    /// categories. Consumes the blocks of a ``gumbel(_:)`` draw of shape
    /// `sampleShape + logits.shape`.
    ///
    /// - Parameters:
    ///   - logits: Unnormalised log-probabilities, shape `batch + [categories]`.
    ///   - sampleShape: Leading shape of independent draws (as in `torch.distributions`).
    /// - Returns: Indices of shape `sampleShape + batch`.
    public mutating func categorical(logits: Tensor, sampleShape: [Int] = []) -> IndexTensor {
        ensure(logits.rank >= 1 && logits.shape[logits.rank - 1] > 0,
                     "categorical: logits need a non-empty last axis of categories, got shape \(shapeString(logits.shape))")
        let categories = logits.shape[logits.rank - 1]
        let batchShape = Array(logits.shape.dropLast())
        let batch = Shape.count(batchShape)
        let samples = Shape.count(sampleShape)
        let noise = gumbel(sampleShape + logits.shape)
        let l = logits.storage.pointer, g = noise.storage.pointer
        var result = [Int32](repeating: 0, count: samples * batch)
        result.withUnsafeMutableBufferPointer { out in
            for s in 0..<samples {
                for b in 0..<batch {
                    let row = l + b * categories
                    let noiseRow = g + (s * batch + b) * categories
                    var best = -Float.infinity, index = -1
                    for k in 0..<categories {
                        ensure(!row[k].isNaN && row[k] != .infinity,
                                     "categorical: logit \(row[k]) at row \(b), category \(k)")
                        let v = row[k] + noiseRow[k]
                        if v > best { best = v; index = k }
                    }
                    ensure(index >= 0, "categorical: row \(b) has no finite logit")
                    out[s * batch + b] = Int32(index)
                }
            }
        }
        return IndexTensor(shape: sampleShape + batchShape, scalars: result)
    }

    /// Category indices sampled along the last axis with the given (unnormalised,
    /// non-negative) probabilities; the same draws as ``categorical(logits:sampleShape:)``
    /// with `logits = ln(probabilities)`.
    public mutating func categorical(probabilities: Tensor, sampleShape: [Int] = []) -> IndexTensor {
        let q = probabilities.storage.pointer
        for i in 0..<probabilities.scalarCount where !(q[i] >= 0 && q[i].isFinite) {
            fatalError("categorical: probability \(q[i]) at flat index \(i) is negative or not finite")
        }
        let logits = Tensor(shape: probabilities.shape) { p, n in
            for i in 0..<n { p[i] = Foundation.log(q[i]) }
        }
        return categorical(logits: logits, sampleShape: sampleShape)
    }

    // MARK: - Independent streams

    /// A new generator for an independent stream; consumes one block of this one.
    ///
    /// The child's key and starting counter are the Philox hash of this generator's
    /// (key, counter): with block `b = Philox(key, counter)`, the child has key `(b₀, b₁)`
    /// and counter `(b₂ + 2³² b₃) · 2⁶⁴`. Philox is a strong bijection of the counter, so
    /// children of different counters (or different parents) get unrelated keys; a child
    /// would meet another stream only if their 64-bit keys collided and their counters
    /// ran 2⁶⁴ blocks into each other.
    public mutating func split() -> RandomGenerator {
        Self.child(from: nextBlock())
    }

    /// `count` independent generators, as `count` successive calls of ``split()`` would give.
    public mutating func fork(count: Int) -> [RandomGenerator] {
        ensure(count >= 0, "fork: negative count \(count)")
        var blocks = [SIMD4<UInt32>](repeating: .zero, count: count)
        blocks.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            forEachBlock(count: count) { i, bits in base[i] = bits }
        }
        return blocks.map(Self.child(from:))
    }

    static func child(from bits: SIMD4<UInt32>) -> RandomGenerator {
        RandomGenerator(key: SIMD2(bits[0], bits[1]),
                        counter: (UInt128(bits[2]) | UInt128(bits[3]) << 32) << 64)
    }
}
