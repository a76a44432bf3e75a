import Foundation
import LatentCore
import LatentNN

/// The vector-quantisation bottleneck of a VQ-VAE (van den Oord et al., "Neural Discrete
/// Representation Learning", 2017): each encoder output vector is replaced by its nearest
/// code of a learned codebook `e ∈ ℝ^{K×D}`.
///
/// For encoder outputs `z_e` of shape `[B, D, H, W]`, every position's vector `z` gets the
/// code `k* = argminₖ ‖z − eₖ‖²` (squared distances `‖z‖² − 2 z·eₖ + ‖eₖ‖²` by one matrix
/// product). The output passes gradients straight through, `z_e + sg(z_q − z_e)`, so the
/// decoder's gradient reaches the encoder unchanged. Per example (sums over positions and
/// channels):
///
/// - commitment loss `β ‖z_e − sg(e)‖²`, pulling the encoder towards its codes;
/// - codebook loss `‖sg(z_e) − e‖²` (``CodebookUpdate/gradient`` only), pulling the codes
///   towards their encoder outputs.
///
/// With ``CodebookUpdate/movingAverage(decay:)`` the codebook is a ``Buffer`` updated by
/// exponential moving averages of the assignments instead (van den Oord et al., 2017,
/// appendix A.1), in ``updateCodebook(_:)``: with `nₖ` the number of vectors assigned to
/// code `k` in the batch and `sₖ` their sum,
///
///     Nₖ ← γ Nₖ + (1 − γ) nₖ,   mₖ ← γ mₖ + (1 − γ) sₖ,
///     Ñₖ = (Nₖ + ε) / (Σⱼ Nⱼ + K ε) · Σⱼ Nⱼ   (Laplace smoothing),   eₖ = mₖ / Ñₖ.
///
/// `N` and `m` are buffers (so checkpoints and resumed runs keep them), initialised to
/// `Nₖ = 1`, `mₖ = eₖ`: the first updates are convex combinations of the initial code and the
/// batch mean, and a code that is never chosen keeps its value while `Nₖ ≫ ε`.
///
/// Dead codes are restarted (Dhariwal et al., "Jukebox", 2020; Zeghidour et al.,
/// "SoundStream", 2021) by ``restartDeadCodes(_:generator:)``: after the moving-average step,
/// every code with `Nₖ < τ` (``restartThreshold``, in assignments per step, since `Nₖ` is a
/// moving average of the per-batch counts `nₖ`) is moved onto an encoder output of the batch
/// drawn uniformly at random, with its statistics reset as at initialisation: `eₖ = z`,
/// `mₖ = z`, `Nₖ = 1`. With the default `τ = 1`, the codes no batch chooses are moved onto the
/// data at the first step, and a code that stops winning is moved again as soon as its
/// average count drops below one vector per step.
public final class VectorQuantizer: Module {
    /// How the codebook learns.
    public enum CodebookUpdate: Sendable, Equatable {
        /// By gradient descent on the codebook loss (the codebook is a ``Parameter``).
        case gradient
        /// By exponential moving averages of the assigned encoder outputs with decay `γ`
        /// (the codebook is a ``Buffer``).
        case movingAverage(decay: Float)
    }

    /// The codebook `[K, D]` (``CodebookUpdate/gradient``).
    public let learnedCodebook: Parameter?
    /// The codebook `[K, D]` (``CodebookUpdate/movingAverage(decay:)``).
    public let averagedCodebook: Buffer?
    /// Moving average `N` of the code counts, `[K]` (moving-average mode).
    public let clusterSizes: Buffer?
    /// Moving average `m` of the sums of assigned encoder outputs, `[K, D]` (moving-average mode).
    public let codeSums: Buffer?
    /// `K`.
    public let codebookSize: Int
    /// `D`.
    public let codeDimension: Int
    /// Weight β of the commitment loss.
    public var commitmentWeight: Float
    /// The codebook's learning rule.
    public let update: CodebookUpdate
    /// ε of the Laplace smoothing of the cluster sizes.
    public var epsilon: Float = 1e-5
    /// Codes whose moving-average count `Nₖ` falls below this (assignments per step) are
    /// restarted by ``restartDeadCodes(_:generator:)``; 0 disables restarts.
    public var restartThreshold: Float

    public override class var stateKeys: [String: String] {
        ["learnedCodebook": "codebook", "averagedCodebook": "codebook"]
    }

    /// - Parameters:
    ///   - codebookSize: Number of codes `K`.
    ///   - codeDimension: Dimension `D` of each code (the encoder's output channels).
    ///   - commitmentWeight: β of the commitment loss (0.25 in the paper).
    ///   - update: Gradient or moving-average codebook learning.
    ///   - restartThreshold: `τ ≥ 0` of the dead-code restarts (moving-average mode; 0: none).
    ///   - generator: Random stream of the initial codebook, `U(−1/K, 1/K)`.
    public init(codebookSize: Int, codeDimension: Int, commitmentWeight: Float = 0.25,
                update: CodebookUpdate = .movingAverage(decay: 0.99), restartThreshold: Float = 1,
                generator: inout RandomGenerator) {
        ensure(restartThreshold >= 0, "VectorQuantizer: restart threshold must be non-negative, got \(restartThreshold)")
        ensure(codebookSize > 0 && codeDimension > 0,
               "VectorQuantizer: codebook size and code dimension must be positive, got \(codebookSize) and \(codeDimension)")
        if case .movingAverage(let decay) = update {
            ensure(decay >= 0 && decay < 1, "VectorQuantizer: moving-average decay must be in [0, 1), got \(decay)")
        }
        self.codebookSize = codebookSize
        self.codeDimension = codeDimension
        self.commitmentWeight = commitmentWeight
        self.update = update
        self.restartThreshold = restartThreshold
        let bound = 1 / Float(codebookSize)
        let initial = generator.uniform([codebookSize, codeDimension], low: -bound, high: bound)
        switch update {
        case .gradient:
            learnedCodebook = Parameter(initial)
            averagedCodebook = nil
            clusterSizes = nil
            codeSums = nil
        case .movingAverage:
            learnedCodebook = nil
            averagedCodebook = Buffer(initial)
            clusterSizes = Buffer(Tensor.ones([codebookSize]))
            codeSums = Buffer(initial)
        }
    }

    /// The current codebook `[K, D]`.
    public var codebook: Tensor { learnedCodebook?.wrappedValue ?? averagedCodebook!.wrappedValue }

    /// The result of quantising a batch.
    public struct Quantization {
        /// Encoder outputs `z_e` flattened to `[N, D]` (`N = B·H·W`, positions in row-major order).
        public var inputs: Tensor
        /// Code indices, `[B, H, W]`.
        public var indices: IndexTensor
        /// Straight-through output `z_e + sg(z_q − z_e)`, `[B, D, H, W]`.
        public var quantized: Tensor
        /// `‖z_e − e‖²` per example (sum over positions and channels), `[B]`; differentiable in
        /// `z_e` only (the commitment term without β).
        public var commitment: Tensor
        /// `‖sg(z_e) − e‖²` per example, `[B]`; differentiable in the codebook (zero in
        /// moving-average mode, where the codebook is a buffer).
        public var codebookLoss: Tensor
        /// `exp(−Σₖ pₖ log pₖ)` of the batch's code frequencies `pₖ`.
        public var perplexity: Double
    }

    /// Nearest-code indices of `[N, D]` vectors, `[N]`.
    public func nearestCodes(_ vectors: Tensor) -> IndexTensor {
        withoutDerivative {
            let e = codebook
            let distances = vectors.square().sum(alongAxis: 1, keepDims: true)
                - matmul(vectors, e, transposeB: true) * 2
                + e.square().sum(alongAxis: 1).unsqueezed(axis: 0)
            return distances.argmin(alongAxis: 1)
        }
    }

    /// Quantises encoder outputs `[B, D, H, W]` (no codebook update; see ``updateCodebook(_:)``).
    public func callAsFunction(_ encoded: Tensor) -> Quantization {
        ensure(encoded.rank == 4 && encoded.shape[1] == codeDimension,
               "VectorQuantizer: expected encoder outputs [B, \(codeDimension), H, W], got \(shapeString(encoded.shape))")
        let (b, h, w) = (encoded.shape[0], encoded.shape[2], encoded.shape[3])
        let flat = encoded.permuted(0, 2, 3, 1).reshaped(to: [b * h * w, codeDimension])
        let indices = nearestCodes(flat)
        let codes = embedding(codebook, indices)
        let straightThrough = flat + (codes - flat).detached()
        let quantized = straightThrough.reshaped(to: [b, h, w, codeDimension]).permuted(0, 3, 1, 2)
        let commitment = (flat - codes.detached()).square().reshaped(to: [b, h * w * codeDimension]).sum(alongAxis: 1)
        let codebookLoss = learnedCodebook == nil ? Tensor.zeros([b])
            : (flat.detached() - codes).square().reshaped(to: [b, h * w * codeDimension]).sum(alongAxis: 1)
        return Quantization(inputs: flat, indices: indices.reshaped(to: [b, h, w]), quantized: quantized,
                            commitment: commitment, codebookLoss: codebookLoss,
                            perplexity: Self.perplexity(indices, codebookSize: codebookSize))
    }

    /// Codes `[B, D, H, W]` for indices `[B, H, W]`.
    public func codes(_ indices: IndexTensor) -> Tensor {
        ensure(indices.rank == 3, "VectorQuantizer: expected indices [B, H, W], got \(shapeString(indices.shape))")
        let s = indices.shape
        return embedding(codebook, indices).reshaped(to: [s[0], s[1], s[2], codeDimension]).permuted(0, 3, 1, 2)
    }

    /// One moving-average step of the codebook towards the encoder outputs assigned to each
    /// code (see the type's documentation); does nothing in gradient mode.
    public func updateCodebook(_ quantization: Quantization) {
        guard case .movingAverage(let decay) = update, let averagedCodebook, let clusterSizes, let codeSums else { return }
        withoutDerivative {
            let vectors = quantization.inputs.detached()
            let n = quantization.indices.scalarCount
            let assignments = oneHot(quantization.indices.reshaped(to: [n]), classCount: codebookSize)
            let counts = assignments.sum(alongAxis: 0)
            let sums = matmul(assignments, vectors, transposeA: true)
            let sizes = clusterSizes.wrappedValue * decay + counts * (1 - decay)
            let averages = codeSums.wrappedValue * decay + sums * (1 - decay)
            let total = sizes.sum()
            let smoothed = (sizes + epsilon) / (total + Float(codebookSize) * epsilon) * total
            clusterSizes.wrappedValue = sizes
            codeSums.wrappedValue = averages
            averagedCodebook.wrappedValue = averages / smoothed.unsqueezed(axis: 1)
        }
    }

    /// Moves every code whose moving-average count is below ``restartThreshold`` onto an
    /// encoder output of `quantization` drawn uniformly (with replacement) from `generator`,
    /// and resets its statistics to `Nₖ = 1`, `mₖ = eₖ` (see the type's documentation). Call it
    /// after ``updateCodebook(_:)``; does nothing in gradient mode or with a zero threshold, and
    /// draws nothing from `generator` when no code is dead.
    ///
    /// - Parameters:
    ///   - quantization: The batch whose encoder outputs the dead codes move to.
    ///   - generator: Random stream of the choice of encoder outputs.
    /// - Returns: The restarted codes, in increasing order.
    @discardableResult
    public func restartDeadCodes(_ quantization: Quantization, generator: inout RandomGenerator) -> [Int] {
        guard case .movingAverage = update, restartThreshold > 0,
              let averagedCodebook, let clusterSizes, let codeSums else { return [] }
        return withoutDerivative {
            var sizes = clusterSizes.wrappedValue.scalars
            let dead = sizes.indices.filter { sizes[$0] < restartThreshold }
            guard !dead.isEmpty else { return [] }
            let vectors = quantization.inputs.detached().scalars
            let count = vectors.count / codeDimension
            let chosen = generator.integers([dead.count], in: 0..<count).scalars
            var codes = averagedCodebook.wrappedValue.scalars, sums = codeSums.wrappedValue.scalars
            for (k, row) in zip(dead, chosen) {
                let source = Int(row) * codeDimension, target = k * codeDimension
                for d in 0..<codeDimension {
                    codes[target + d] = vectors[source + d]
                    sums[target + d] = vectors[source + d]
                }
                sizes[k] = 1
            }
            averagedCodebook.wrappedValue = Tensor(shape: [codebookSize, codeDimension], scalars: codes)
            codeSums.wrappedValue = Tensor(shape: [codebookSize, codeDimension], scalars: sums)
            clusterSizes.wrappedValue = Tensor(shape: [codebookSize], scalars: sizes)
            return dead
        }
    }

    /// `exp(H)` of the code frequencies in `indices`: the effective number of codes used.
    public static func perplexity(_ indices: IndexTensor, codebookSize: Int) -> Double {
        var counts = [Double](repeating: 0, count: codebookSize)
        for i in indices.scalars { counts[Int(i)] += 1 }
        let total = Double(indices.scalarCount)
        let entropy = counts.reduce(0.0) { h, c in c > 0 ? h - c / total * log(c / total) : h }
        return exp(entropy)
    }

    public override var summary: String {
        switch update {
        case .gradient: return "VectorQuantizer(\(codebookSize)×\(codeDimension), β \(commitmentWeight), gradient)"
        case .movingAverage(let decay):
            return "VectorQuantizer(\(codebookSize)×\(codeDimension), β \(commitmentWeight), EMA \(decay), restart < \(restartThreshold))"
        }
    }
}
