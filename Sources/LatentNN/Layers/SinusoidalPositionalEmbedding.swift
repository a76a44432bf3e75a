import Foundation
import LatentCore

/// The fixed sinusoidal position encoding of Vaswani et al., "Attention is all you need"
/// (2017), added to a sequence of vectors. It has no parameters.
///
///     P[t, 2i] = sin(t / base^{2i/d}),   P[t, 2i + 1] = cos(t / base^{2i/d})
///     y[n, t] = x[n, t] + P[offset + t]
public final class SinusoidalPositionalEmbedding: Module, Layer {
    public let dimension: Int
    /// The wavelength base (10000 in the paper).
    public let base: Double

    /// - Parameters:
    ///   - dimension: `d`, the size of each position's vector.
    ///   - base: The wavelength base.
    public init(dimension: Int, base: Double = 10_000) {
        ensure(dimension > 0 && base > 0, "SinusoidalPositionalEmbedding: dimension and base must be positive")
        self.dimension = dimension
        self.base = base
    }

    public override var summary: String { "SinusoidalPositionalEmbedding(\(dimension))" }

    /// The encodings of positions `offset..<offset + length`, `[length, dimension]`
    /// (computed in double precision).
    public func embeddings(length: Int, offset: Int = 0) -> Tensor {
        ensure(length >= 0 && offset >= 0, "SinusoidalPositionalEmbedding: negative length or offset")
        let d = dimension
        return Tensor(shape: [length, d]) { p, _ in
            for t in 0..<length {
                for j in 0..<d {
                    let angle = Double(offset + t) / Foundation.pow(base, Double(j - j % 2) / Double(d))
                    p[t * d + j] = Float(j % 2 == 0 ? Foundation.sin(angle) : Foundation.cos(angle))
                }
            }
        }
    }

    /// `x` plus the encodings of positions `0..<T`, as a ``Layer``.
    public func callAsFunction(_ x: Tensor) -> Tensor { self(x, offset: 0) }

    /// `x` plus the encodings of its positions; `x` is `[..., T, dimension]`.
    public func callAsFunction(_ x: Tensor, offset: Int = 0) -> Tensor {
        ensure(x.rank >= 2 && x.shape[x.rank - 1] == dimension,
                     "SinusoidalPositionalEmbedding: input must be [..., T, \(dimension)], got \(shapeString(x.shape))")
        return x + embeddings(length: x.shape[x.rank - 2], offset: offset)
    }
}
