import LatentCore

extension Tensor {
    /// The sum over the last `count` axes (the tensor itself when `count` is 0).
    ///
    /// Turns elementwise log-densities or log-determinants into per-event ones: an event
    /// of rank `count` contributes the sum over its trailing axes.
    func summedOverTrailingAxes(_ count: Int) -> Tensor {
        ensure(count >= 0 && count <= rank,
                     "summedOverTrailingAxes: cannot sum \(count) trailing axes of a tensor of shape \(shapeString(shape))")
        guard count > 0 else { return self }
        return sum(alongAxes: Array((rank - count)..<rank))
    }
}

/// The smallest positive Float ε used to keep probabilities strictly inside (0, 1):
/// values are clamped to [ε, 1 − ε] before taking logarithms (as `torch.distributions`'
/// `clamp_probs`, with `ε = Float.ulpOfOne` ≈ 1.19e−7).
let probabilityEpsilon: Float = Float.ulpOfOne

extension Tensor {
    /// Probabilities clamped to [ε, 1 − ε] (see ``probabilityEpsilon``).
    func clampedProbabilities() -> Tensor {
        clamped(min: probabilityEpsilon, max: 1 - probabilityEpsilon)
    }
}
