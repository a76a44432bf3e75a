import Foundation
import LatentCore

/// A transformation of tensor batches, deterministic or random.
///
/// Random transforms draw from the generator they are given; inside a ``DataLoader``
/// that generator is a function of (seed, epoch, step), so transformed batches are
/// reproducible. Transforms run in order on each gathered batch (see
/// ``TransformedDataset``) and never record autodiff graphs.
///
/// ```swift
/// let train = try MNIST.load(.train).binarized()                   // dynamic binarisation
/// let flowData = try MNIST.load(.train)                             // pixels k / 255
///     .dequantized(levels: 256).logitTransformed(alpha: 1e-6)      // RealNVP preprocessing
/// ```
public struct BatchTransform: Sendable, CustomStringConvertible {
    /// A short name, e.g. `"dequantized(levels: 256)"`.
    public let name: String
    let body: @Sendable (TensorBatch, inout RandomGenerator) -> TensorBatch

    /// A custom transform.
    /// - Parameters:
    ///   - name: A short description.
    ///   - body: Maps a batch to a batch, drawing any randomness from the generator.
    public init(name: String, _ body: @escaping @Sendable (TensorBatch, inout RandomGenerator) -> TensorBatch) {
        self.name = name
        self.body = body
    }

    /// Applies the transform.
    public func callAsFunction(_ batch: TensorBatch, generator: inout RandomGenerator) -> TensorBatch {
        body(batch, &generator)
    }

    public var description: String { name }

    /// Maps every feature value through `f` (no randomness).
    static func elementwise(_ name: String, _ f: @escaping @Sendable (Float) -> Float) -> BatchTransform {
        BatchTransform(name: name) { batch, _ in
            var out = batch
            let x = batch.features.storage.pointer
            out.features = Tensor(shape: batch.features.shape) { p, n in for i in 0..<n { p[i] = f(x[i]) } }
            return out
        }
    }

    // MARK: Deterministic

    /// `(x − mean) / standardDeviation` with scalars.
    public static func normalized(mean: Float, standardDeviation: Float) -> BatchTransform {
        ensure(standardDeviation > 0, "normalized: standardDeviation must be positive, got \(standardDeviation)")
        return elementwise("normalized(mean: \(mean), standardDeviation: \(standardDeviation))") { ($0 - mean) / standardDeviation }
    }

    /// `(x − mean[c]) / standardDeviation[c]` per channel `c`, the axis after the batch axis
    /// (features `[B, C, …]`).
    public static func normalized(mean: [Float], standardDeviation: [Float]) -> BatchTransform {
        ensure(mean.count == standardDeviation.count && !mean.isEmpty,
                     "normalized: \(mean.count) means and \(standardDeviation.count) standard deviations")
        ensure(standardDeviation.allSatisfy { $0 > 0 }, "normalized: standard deviations must be positive")
        return BatchTransform(name: "normalized(mean: \(mean), standardDeviation: \(standardDeviation))") { batch, _ in
            let shape = batch.features.shape
            ensure(shape.count >= 2 && shape[1] == mean.count,
                         "normalized: \(mean.count) channel statistics for features of shape \(shape)")
            let inner = shape.dropFirst(2).reduce(1, *)
            let channels = mean.count
            var out = batch
            let x = batch.features.storage.pointer
            out.features = Tensor(shape: shape) { p, n in
                for i in 0..<n {
                    let c = (i / inner) % channels
                    p[i] = (x[i] - mean[c]) / standardDeviation[c]
                }
            }
            return out
        }
    }

    /// `scale · x + shift` (e.g. `scaled(by: 2, shift: -1)` maps [0, 1] to [−1, 1]).
    public static func scaled(by scale: Float, shift: Float = 0) -> BatchTransform {
        elementwise("scaled(by: \(scale), shift: \(shift))") { scale * $0 + shift }
    }

    /// `1` where `x > threshold`, else `0`.
    public static func thresholdBinarization(_ threshold: Float = 0.5) -> BatchTransform {
        elementwise("binarized(threshold: \(threshold))") { $0 > threshold ? 1 : 0 }
    }

    /// Features reshaped to `[B, D]`.
    public static let flattened = BatchTransform(name: "flattened") { batch, _ in
        var out = batch
        out.features = batch.features.reshaped(to: [batch.count, -1])
        return out
    }

    /// The logit transform of RealNVP (Dinh et al., 2017, §4.1):
    /// `y = logit(α + (1 − 2α) x)`, mapping [0, 1] into ℝ. See
    /// ``logitLogAbsDetJacobian(_:alpha:)`` for the change-of-variables term.
    public static func logit(alpha: Float = 1e-6) -> BatchTransform {
        ensure(alpha >= 0 && alpha < 0.5, "logit: alpha must be in [0, 0.5), got \(alpha)")
        return elementwise("logitTransformed(alpha: \(alpha))") { x in
            let p = Double(alpha) + Double(1 - 2 * alpha) * Double(x)
            return Float(Foundation.log(p) - Foundation.log1p(-p))
        }
    }

    /// Per example, `Σ log |dy/dx|` of the logit transform, so that
    /// `log p(x) = log p(y) + logitLogAbsDetJacobian(x)`:
    /// with `p = α + (1 − 2α) x`, `dy/dx = (1 − 2α) / (p (1 − p))`.
    /// - Parameters:
    ///   - features: The inputs `x` (before the transform), `[B, …]`.
    ///   - alpha: The transform's α.
    /// - Returns: `[B]`.
    public static func logitLogAbsDetJacobian(_ features: Tensor, alpha: Float = 1e-6) -> Tensor {
        ensure(features.rank >= 1, "logitLogAbsDetJacobian: features need a batch axis")
        let b = features.shape[0]
        let d = b == 0 ? 0 : features.scalarCount / b
        let x = features.storage.pointer
        let scale = Foundation.log(Double(1 - 2 * alpha))
        return Tensor(shape: [b]) { out, _ in
            for i in 0..<b {
                var sum = 0.0
                for j in 0..<d {
                    let p = Double(alpha) + Double(1 - 2 * alpha) * Double(x[i * d + j])
                    sum += scale - Foundation.log(p) - Foundation.log1p(-p)
                }
                out[i] = Float(sum)
            }
        }
    }

    /// Sets ``TensorBatch/oneHotLabels`` to `[B, classCount]` rows with a 1 at each label.
    public static func oneHotLabels(classCount: Int) -> BatchTransform {
        ensure(classCount > 0, "oneHotLabels: classCount must be positive, got \(classCount)")
        return BatchTransform(name: "oneHotLabels(classCount: \(classCount))") { batch, _ in
            guard let labels = batch.labels else { fatalError("oneHotLabels: the batch has no labels") }
            var out = batch
            out.oneHotLabels = Tensor(shape: [batch.count, classCount]) { p, n in
                p.update(repeating: 0, count: n)
                for (i, l) in labels.scalars.enumerated() {
                    ensure(l >= 0 && Int(l) < classCount, "oneHotLabels: label \(l) is not in 0..<\(classCount)")
                    p[i * classCount + Int(l)] = 1
                }
            }
            return out
        }
    }

    // MARK: Random

    /// Dynamic binarisation: each value `x ∈ [0, 1]` becomes 1 with probability `x`, a new
    /// draw every time the batch is produced (Salakhutdinov & Murray, 2008; the usual
    /// binarised MNIST for VAEs). Values outside [0, 1] are clamped.
    public static let dynamicBinarization = BatchTransform(name: "binarized(.dynamic)") { batch, generator in
        var out = batch
        let x = batch.features.storage.pointer
        let probabilities = Tensor(shape: batch.features.shape) { p, n in for i in 0..<n { p[i] = Swift.min(Swift.max(x[i], 0), 1) } }
        out.features = generator.bernoulli(probabilities: probabilities)
        return out
    }

    /// Fixed binarisation: like dynamic binarisation, but each example's draw depends only
    /// on `seed` and its dataset index, so it is the same every epoch and for any batching.
    ///
    /// Value `j` of example `i` is 1 when `u < x`, where `u = ⌊w / 2⁸⌋ · 2⁻²⁴` and `w` is
    /// word `j mod 4` of `Philox(key: seed, counter: i · 2⁶⁴ + ⌊j / 4⌋)`.
    public static func fixedBinarization(seed: UInt64) -> BatchTransform {
        BatchTransform(name: "binarized(.fixed(seed: \(seed)))") { batch, _ in
            var out = batch
            let x = batch.features.storage.pointer
            let d = batch.count == 0 ? 0 : batch.features.scalarCount / batch.count
            let key = RandomGenerator(seed: seed).key
            out.features = Tensor(shape: batch.features.shape) { p, _ in
                for (row, index) in batch.indices.enumerated() {
                    var g = RandomGenerator(key: key, counter: UInt128(index) << 64)
                    let base = row * d
                    for block in 0..<((d + 3) / 4) {
                        let bits = g.nextBlock()
                        for k in 0..<Swift.min(4, d - 4 * block) {
                            let u = Float(bits[k] >> 8) * 0x1p-24
                            p[base + 4 * block + k] = u < x[base + 4 * block + k] ? 1 : 0
                        }
                    }
                }
            }
            return out
        }
    }

    /// How the binary-image families (VAEs, MADE, VQ-VAE, PixelCNN) see [0, 1] features:
    /// ``dynamicBinarization`` in training, ``fixedBinarization(seed:)`` in evaluation (the
    /// same draw for an example every time, so evaluations are comparable).
    public static func binarization(training: Bool, seed: UInt64) -> BatchTransform {
        training ? dynamicBinarization : fixedBinarization(seed: seed)
    }

    /// Uniform dequantisation (Theis et al., 2016; RealNVP): discrete values become
    /// `y = (k + u) / levels` with `u ~ U[0, 1)`, where `k = round(x · (levels − 1))` is
    /// the level of `x ∈ [0, 1]` (for `x = k / 255` and 256 levels, `k` is the byte value).
    /// The result lies in [0, 1); a density on `y` bounds the discrete log-likelihood of `k`
    /// after adding `D · log(levels)` per example.
    public static func dequantized(levels: Int = 256) -> BatchTransform {
        ensure(levels >= 2, "dequantized: need at least 2 levels, got \(levels)")
        return BatchTransform(name: "dequantized(levels: \(levels))") { batch, generator in
            var out = batch
            let x = batch.features.storage.pointer
            let noise = generator.uniform(batch.features.shape)
            let u = noise.storage.pointer
            let top = Float(levels - 1), count = Float(levels)
            out.features = Tensor(shape: batch.features.shape) { p, n in
                for i in 0..<n {
                    let k = Swift.min(Swift.max((x[i] * top).rounded(), 0), top)
                    p[i] = (k + u[i]) / count
                }
            }
            return out
        }
    }

    /// Flips each example left–right (reverses the last axis) with probability
    /// `probability`, one uniform draw per example in batch order.
    public static func randomHorizontalFlip(probability: Float = 0.5) -> BatchTransform {
        ensure(probability >= 0 && probability <= 1, "randomHorizontalFlip: probability \(probability) is not in [0, 1]")
        return BatchTransform(name: "randomHorizontalFlip(probability: \(probability))") { batch, generator in
            let shape = batch.features.shape
            ensure(shape.count >= 3, "randomHorizontalFlip: expected images [B, H, W] or [B, C, H, W], got \(shape)")
            let draws = generator.uniform([batch.count]).scalars
            let width = shape[shape.count - 1]
            let perExample = batch.count == 0 ? 0 : batch.features.scalarCount / batch.count
            let x = batch.features.storage.pointer
            var out = batch
            out.features = Tensor(shape: shape) { p, _ in
                for b in 0..<batch.count {
                    let base = b * perExample
                    if draws[b] < probability {
                        for row in stride(from: base, to: base + perExample, by: width) {
                            for j in 0..<width { p[row + j] = x[row + width - 1 - j] }
                        }
                    } else {
                        (p + base).update(from: x + base, count: perExample)
                    }
                }
            }
            return out
        }
    }
}
