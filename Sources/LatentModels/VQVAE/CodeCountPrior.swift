import Foundation
import LatentCore
import LatentNN

/// An independent categorical prior over the codes of each latent position, fitted from
/// decayed code counts: `p(z) = Πₚ Cat(zₚ; πₚ)` with
///
///     πₚₖ = (cₚₖ + α) / (Σⱼ cₚⱼ + K α),
///
/// where `cₚₖ` counts how often position `p` was assigned code `k` in training batches, each
/// step's counts added after multiplying the old ones by a decay `λ` (`c ← λ c + counts`), so
/// assignments of the early, still-changing encoder are forgotten; `α` is an additive
/// (Laplace) pseudo-count. The counts are a ``Buffer`` `[P, K]`, saved in checkpoints.
///
/// The prior gets no gradient; it is refitted as the model trains. Whatever its values,
/// `−log p(x | z_q) − log p(z_q)` is an upper bound on `−log p(x)` of the model with this prior,
/// since `p(x) = Σ_z p(x | z) p(z) ≥ p(x | z_q) p(z_q)`.
public final class CodeCountPrior: Module, CodePrior {
    /// Decayed counts `c`, `[P, K]`.
    @Buffer public var counts: Tensor
    /// `P`.
    public let positions: Int
    /// `K`.
    public let codebookSize: Int
    /// Decay `λ` applied to the counts before each step's counts are added.
    public var decay: Float
    /// Pseudo-count `α`.
    public var pseudoCount: Float

    /// - Parameters:
    ///   - positions: Latent positions `P` (`H·W` of the code map).
    ///   - codebookSize: Codes `K`.
    ///   - decay: `λ` in (0, 1].
    ///   - pseudoCount: `α > 0`.
    public init(positions: Int, codebookSize: Int, decay: Float = 0.99, pseudoCount: Float = 1) {
        ensure(positions > 0 && codebookSize > 0, "CodeCountPrior: positions and codebook size must be positive")
        ensure(decay > 0 && decay <= 1, "CodeCountPrior: decay must be in (0, 1], got \(decay)")
        ensure(pseudoCount > 0, "CodeCountPrior: pseudo-count must be positive, got \(pseudoCount)")
        self.positions = positions
        self.codebookSize = codebookSize
        self.decay = decay
        self.pseudoCount = pseudoCount
        _counts = Buffer(Tensor.zeros([positions, codebookSize]))
    }

    /// `log πₚₖ`, `[P, K]`.
    public var logProbabilities: Tensor {
        let smoothed = counts + pseudoCount
        return smoothed.log() - smoothed.sum(alongAxis: 1, keepDims: true).log()
    }

    /// `log p(z)` per example for code indices `[B, P…]` (any trailing shape with `P` positions), `[B]`.
    public func logProb(_ indices: IndexTensor) -> Tensor {
        let b = indices.shape[0]
        ensure(indices.scalarCount == b * positions,
               "CodeCountPrior: expected \(positions) positions per example, got indices \(shapeString(indices.shape))")
        // Flat index p·K + k into the [P·K] table.
        var flat = [Int32](repeating: 0, count: b * positions)
        for (i, k) in indices.scalars.enumerated() { flat[i] = Int32(i % positions * codebookSize) + k }
        return logProbabilities.reshaped(to: [positions * codebookSize])
            .indexSelect(alongAxis: 0, indices: IndexTensor(shape: [b * positions], scalars: flat))
            .reshaped(to: [b, positions]).sum(alongAxis: 1)
    }

    /// Adds a batch of assignments `[B, P…]` after decaying the counts.
    public func accumulate(_ indices: IndexTensor) {
        let b = indices.shape[0]
        ensure(indices.scalarCount == b * positions,
               "CodeCountPrior: expected \(positions) positions per example, got indices \(shapeString(indices.shape))")
        withoutDerivative {
            let batchCounts = oneHot(indices.reshaped(to: [b, positions]), classCount: codebookSize).sum(alongAxis: 0)
            counts = counts * decay + batchCounts
        }
    }

    /// `false`: the prior is fitted from counts.
    public var learnsByGradient: Bool { false }

    /// ``accumulate(_:)``.
    public func observe(_ indices: IndexTensor) { accumulate(indices) }

    /// `count` independent draws, `[count, P]`.
    public func sample(count: Int, generator: inout RandomGenerator) -> IndexTensor {
        generator.categorical(logits: logProbabilities, sampleShape: [count])
    }

    public override var summary: String { "CodeCountPrior(\(positions)×\(codebookSize), decay \(decay), α \(pseudoCount))" }
}
