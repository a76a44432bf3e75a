import LatentCore

/// Inverted dropout as a layer (Srivastava et al. 2014; PyTorch's `nn.Dropout`): in
/// training mode each element is zeroed with probability `p` and the survivors are
/// scaled by `1/(1 − p)`; in evaluation mode it is the identity.
///
/// **Randomness.** A ``Layer`` takes only its input, so the layer owns a random stream:
/// ``generator`` is split from the generator given at creation (or seeded) and advanced
/// on every training-mode call, so a model's masks are reproducible from its seed and
/// independent of other layers. To drive the masks from your own stream instead, call
/// ``callAsFunction(_:generator:)``. The stream is not part of the module's state (it is
/// not saved in checkpoints).
public final class Dropout: Module, Layer {
    /// Probability of zeroing an element.
    public let probability: Float
    /// The stream the masks are drawn from (advanced by each training-mode call).
    public var generator: RandomGenerator

    /// - Parameters:
    ///   - probability: Probability `p ∈ [0, 1]` of zeroing an element.
    ///   - generator: A new independent stream is split from it (advancing it).
    public init(probability: Float = 0.5, generator: inout RandomGenerator) {
        ensure(probability >= 0 && probability <= 1, "Dropout: probability \(probability) is not in [0, 1]")
        self.probability = probability
        self.generator = generator.split()
    }

    /// Dropout with its own stream from `seed`.
    public init(probability: Float = 0.5, seed: UInt64) {
        ensure(probability >= 0 && probability <= 1, "Dropout: probability \(probability) is not in [0, 1]")
        self.probability = probability
        self.generator = RandomGenerator(seed: seed)
    }

    /// Dropout with this layer's stream (identity in evaluation mode).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.dropout(probability: probability, generator: &generator, isTraining: isTraining)
    }

    /// Dropout with masks drawn from `generator` (identity in evaluation mode).
    public func callAsFunction(_ x: Tensor, generator: inout RandomGenerator) -> Tensor {
        x.dropout(probability: probability, generator: &generator, isTraining: isTraining)
    }

    public override var summary: String { "Dropout(probability: \(probability))" }
}
