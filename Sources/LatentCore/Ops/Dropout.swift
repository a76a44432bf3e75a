/// Inverted dropout.
extension Tensor {
    /// Zeroes each element with probability `p` and scales the survivors by `1/(1 − p)`,
    /// so that the expected value is unchanged (inverted dropout).
    ///
    ///     y = x ⊙ m / (1 − p),   mᵢ ~ Bernoulli(1 − p)
    ///
    /// The scaled mask is drawn once from `generator` (one word per element, see
    /// ``RandomGenerator/bernoulli(_:probability:)``) and reused by the backward rule,
    /// `∂L/∂x = ∂L/∂y ⊙ m / (1 − p)`. With `p = 0` or `isTraining == false` it returns this
    /// tensor unchanged and draws nothing; with `p = 1` it returns zeros.
    ///
    /// From Srivastava et al., "Dropout: a simple way to prevent neural networks from
    /// overfitting" (JMLR 2014).
    ///
    /// - Parameters:
    ///   - probability: Probability `p ∈ [0, 1]` of dropping an element.
    ///   - generator: The random stream the mask is drawn from (advanced).
    ///   - isTraining: Whether to apply dropout (at evaluation time it is the identity).
    public func dropout(probability: Float, generator: inout RandomGenerator, isTraining: Bool = true) -> Tensor {
        ensure(probability >= 0 && probability <= 1, "dropout: probability \(probability) is not in [0, 1]")
        if probability == 0 || !isTraining { return self }
        if probability == 1 { return Tensor.zeros(shape) }
        let keep = 1 - probability
        let scale = 1 / keep
        let mask = Tensor(shape: shape) { p, n in
            generator.fillFloats(p, count: n) { bits in
                var v = SIMD4<Float>()
                for j in 0..<4 { v[j] = RandomGenerator.unitInterval(bits[j]) < keep ? scale : 0 }
                return v
            }
        }
        let out = Tensor(shape: shape) { o, n in
            Elementwise.zip(storage.pointer, mask.storage.pointer, o, count: n, { $0 * $1 }, { $0 * $1 })
        }
        return Tensor.record("dropout", inputs: [self], output: out) { ctx in
            [ctx.gradient * mask]
        }
    }
}
