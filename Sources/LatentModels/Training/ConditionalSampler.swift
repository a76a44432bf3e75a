import LatentCore

/// A model that can draw samples of one chosen class (`latent sample RUN --class K`).
public protocol ConditionalSampler {
    /// Number of classes; valid classes are `0..<classCount`.
    var classCount: Int { get }
    /// `count` samples of class `label`, `[count] + featureShape`.
    func sample(count: Int, class label: Int, generator: inout RandomGenerator) -> Tensor
}
