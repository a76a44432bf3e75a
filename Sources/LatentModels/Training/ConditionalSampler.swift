import LatentCore

/// A model that can draw samples of one chosen class (`latent sample RUN --class K`).
public protocol ConditionalSampler {
    /// Number of classes; valid classes are `0..<classCount` (0: this instance was built
    /// without class conditioning, e.g. a `pixelcnn` with `conditional=false`).
    var classCount: Int { get }
    /// `count` samples of class `label`, `[count] + featureShape`.
    func sample(count: Int, class label: Int, generator: inout RandomGenerator) -> Tensor
}
