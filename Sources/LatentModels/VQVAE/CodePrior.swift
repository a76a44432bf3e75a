import LatentCore
import LatentNN

/// A prior `p(z)` over the code maps of a ``VQVAE``: the code indices `[B, H, W]` of a batch.
///
/// A prior either learns by gradient (``learnsByGradient``: the ``VQVAE`` adds the batch mean
/// of `−log p(z_q)` to its training loss; the code indices carry no gradient, so this term
/// trains the prior only) or is fitted without gradients from the codes of each training batch
/// (``observe(_:)``).
public protocol CodePrior: Module {
    /// Whether `−log p(z_q)` belongs in the training loss.
    var learnsByGradient: Bool { get }
    /// `log p(z)` per example for code indices `[B, H, W]`, `[B]` (differentiable in the
    /// prior's parameters when it learns by gradient).
    func logProb(_ indices: IndexTensor) -> Tensor
    /// Fits the prior to a training batch's codes `[B, H, W]` (no-op for gradient-trained priors).
    func observe(_ indices: IndexTensor)
    /// `count` code maps drawn from the prior, `[count, H·W]` or `[count, H, W]`.
    func sample(count: Int, generator: inout RandomGenerator) -> IndexTensor
}
