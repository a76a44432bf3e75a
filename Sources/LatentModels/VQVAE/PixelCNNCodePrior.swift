import LatentCore
import LatentNN

/// An autoregressive prior over a VQ-VAE code map: a PixelCNN (van den Oord et al., "Pixel
/// Recurrent Neural Networks" and "Conditional Image Generation with PixelCNN Decoders", 2016)
/// over the `[H, W]` code indices in raster order,
///
///     p(z) = Πₚ p(zₚ | z₍<ₚ₎),   p(zₚ = k | z₍<ₚ₎) = softmax(fₚ(z))ₖ.
///
/// The network embeds each code (a learned `[K, C]` table, not the VQ codebook), applies a
/// 5×5 ``MaskedConv2d`` of type A (a position never sees its own code), then `L` residual
/// layers `x + conv₁ₓ₁(ReLU(masked₃ₓ₃ᴮ(ReLU(x))))` (type B: a position sees its own
/// features, which depend only on the codes before it), and finally `ReLU` and a 1×1
/// convolution to `K` logits per position. So the logits at position `p` depend only on the
/// codes at positions before `p` in raster order (row by row, left to right), and
/// `log p(z) = Σₚ log softmax(fₚ(z))_{zₚ}` is a normalised log-probability of the whole map.
///
/// Sampling draws the positions one at a time in raster order (`H·W` network passes).
public final class PixelCNNCodePrior: Module, CodePrior {
    /// The code embedding `[K, C]`.
    public let embedding: Embedding
    /// The type-A masked convolution.
    public let input: MaskedConv2d
    /// The type-B masked residual layers.
    public let layers: [Residual]
    /// `C → K` logits per position.
    public let output: Conv2d
    /// `K`.
    public let codebookSize: Int
    /// `[H, W]` of the code map.
    public let latentShape: [Int]

    /// - Parameters:
    ///   - codebookSize: Number of codes `K`.
    ///   - latentShape: `[H, W]` of the code maps.
    ///   - channels: Channels `C` of the embedding and of the hidden layers.
    ///   - layers: Number `L ≥ 0` of type-B residual layers.
    ///   - generator: Random stream of the initial weights.
    public init(codebookSize: Int, latentShape: [Int], channels: Int = 64, layers: Int = 4,
                generator: inout RandomGenerator) {
        ensure(codebookSize > 0 && channels > 0 && layers >= 0,
               "PixelCNNCodePrior: codebook size and channels must be positive and layers non-negative, got \(codebookSize), \(channels), \(layers)")
        ensure(latentShape.count == 2 && latentShape.allSatisfy { $0 > 0 },
               "PixelCNNCodePrior: expected a latent shape [H, W], got \(latentShape)")
        self.codebookSize = codebookSize
        self.latentShape = latentShape
        embedding = Embedding(count: codebookSize, dimension: channels, generator: &generator)
        input = MaskedConv2d(channels, channels, kernelSize: 5, maskType: .a, generator: &generator)
        self.layers = (0..<layers).map { _ in
            Residual(Sequential(ReLU(), MaskedConv2d(channels, channels, kernelSize: 3, maskType: .b, generator: &generator),
                                ReLU(), Conv2d(channels, channels, kernelSize: 1, generator: &generator)))
        }
        output = Conv2d(channels, codebookSize, kernelSize: 1, generator: &generator)
    }

    /// Logits of `p(zₚ | z₍<ₚ₎)` for code maps `[B, H, W]`, `[B, K, H, W]`.
    public func logits(_ indices: IndexTensor) -> Tensor {
        ensure(indices.rank == 3 && Array(indices.shape.dropFirst()) == latentShape,
               "PixelCNNCodePrior: expected code indices [B, \(latentShape[0]), \(latentShape[1])], got \(shapeString(indices.shape))")
        var x = input(embedding(indices).permuted(0, 3, 1, 2))
        for layer in layers { x = layer(x) }
        return output(x.relu())
    }

    /// `log p(zₚ = k | z₍<ₚ₎)` for every code `k`, `[B, K, H, W]`.
    public func logProbabilities(_ indices: IndexTensor) -> Tensor {
        logits(indices).logSoftmax(alongAxis: 1)
    }

    /// `true`: trained by gradient on `−log p(z_q)`.
    public var learnsByGradient: Bool { true }

    /// `Σₚ log p(zₚ | z₍<ₚ₎)` per example, `[B]`.
    public func logProb(_ indices: IndexTensor) -> Tensor {
        let b = indices.shape[0]
        let perPosition = logits(indices).permuted(0, 2, 3, 1)
        return -crossEntropy(logits: perPosition, labels: indices, reduction: .none)
            .reshaped(to: [b, latentShape[0] * latentShape[1]]).sum(alongAxis: 1)
    }

    /// Nothing: the prior learns by gradient.
    public func observe(_ indices: IndexTensor) {}

    /// `count` code maps `[count, H, W]`, drawn position by position in raster order.
    public func sample(count: Int, generator: inout RandomGenerator) -> IndexTensor {
        let positions = latentShape[0] * latentShape[1]
        var codes = [Int32](repeating: 0, count: count * positions)
        withoutDerivative {
            for p in 0..<positions {
                let all = logits(IndexTensor(shape: [count] + latentShape, scalars: codes))
                    .permuted(0, 2, 3, 1).reshaped(to: [count, positions, codebookSize])
                let draws = generator.categorical(logits: all.sliced(alongAxis: 1, range: p..<(p + 1))
                    .reshaped(to: [count, codebookSize]))
                for (b, k) in draws.scalars.enumerated() { codes[b * positions + p] = k }
            }
        }
        return IndexTensor(shape: [count] + latentShape, scalars: codes)
    }

    public override var summary: String {
        "PixelCNNCodePrior(\(latentShape[0])×\(latentShape[1]) codes of \(codebookSize), \(embedding.dimension) channels, \(layers.count) layers)"
    }
}
