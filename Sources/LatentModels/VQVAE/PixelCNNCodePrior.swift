import LatentCore
import LatentNN

/// An autoregressive prior over a VQ-VAE code map: a PixelCNN (van den Oord et al., "Pixel
/// Recurrent Neural Networks" and "Conditional Image Generation with PixelCNN Decoders", 2016)
/// over the `[H, W]` code indices in raster order,
///
///     p(z) = Πₚ p(zₚ | z₍<ₚ₎),   p(zₚ = k | z₍<ₚ₎) = softmax(fₚ(z))ₖ.
///
/// The network embeds each code (a learned `[K, C]` table, not the VQ codebook) and runs a
/// ``PixelCNNNetwork`` with `K` logits per position: by default the plain architecture — a
/// 5×5 type-A ``MaskedConv2d`` (a position never sees its own code), then `L` residual
/// layers `x + conv₁ₓ₁(ReLU(masked₃ₓ₃ᴮ(ReLU(x))))` and `conv₁ₓ₁(ReLU(·))` to the logits — or
/// the gated architecture without a blind spot. Either way the logits at position `p` depend
/// only on the codes at positions before `p` in raster order (row by row, left to right),
/// and `log p(z) = Σₚ log softmax(fₚ(z))_{zₚ}` is a normalised log-probability of the whole map.
///
/// The network's parameters sit at the top level of the prior's state (`input.weight`,
/// `layers.0.…`, `output.weight` for the plain network), the names this prior had before
/// it shared the network with ``PixelCNNModel``, so older VQ-VAE checkpoints still load.
///
/// Sampling draws the positions one at a time in raster order with the network's
/// incremental sampler (``PixelCNNNetwork/sampleRaster(count:height:width:classes:method:draw:)``).
public final class PixelCNNCodePrior: Module, CodePrior {
    /// The code embedding `[K, C]`.
    public let embedding: Embedding
    /// The PixelCNN over the embedded code map, `K` logits per position.
    public let network: PixelCNNNetwork
    /// `K`.
    public let codebookSize: Int
    /// `[H, W]` of the code map.
    public let latentShape: [Int]

    public override class var stateKeys: [String: String] { ["network": ""] }

    /// - Parameters:
    ///   - codebookSize: Number of codes `K`.
    ///   - latentShape: `[H, W]` of the code maps.
    ///   - channels: Channels `C` of the embedding and of the hidden layers.
    ///   - layers: Number `L ≥ 0` of type-B residual layers (plain), or of gated layers `L ≥ 1`.
    ///   - architecture: The network's layer design (plain by default).
    ///   - generator: Random stream of the initial weights.
    public init(codebookSize: Int, latentShape: [Int], channels: Int = 64, layers: Int = 4,
                architecture: PixelCNNNetwork.Architecture = .plain, generator: inout RandomGenerator) {
        ensure(codebookSize > 0 && channels > 0 && layers >= 0,
               "PixelCNNCodePrior: codebook size and channels must be positive and layers non-negative, got \(codebookSize), \(channels), \(layers)")
        ensure(latentShape.count == 2 && latentShape.allSatisfy { $0 > 0 },
               "PixelCNNCodePrior: expected a latent shape [H, W], got \(latentShape)")
        self.codebookSize = codebookSize
        self.latentShape = latentShape
        embedding = Embedding(count: codebookSize, dimension: channels, generator: &generator)
        network = PixelCNNNetwork(architecture: architecture, inputChannels: channels, outputChannels: codebookSize,
                                  channels: channels, layers: architecture == .gated ? max(layers, 1) : layers,
                                  firstKernelSize: 5, kernelSize: 3, hiddenHead: false, generator: &generator)
    }

    /// Logits of `p(zₚ | z₍<ₚ₎)` for code maps `[B, H, W]`, `[B, K, H, W]`.
    public func logits(_ indices: IndexTensor) -> Tensor {
        ensure(indices.rank == 3 && Array(indices.shape.dropFirst()) == latentShape,
               "PixelCNNCodePrior: expected code indices [B, \(latentShape[0]), \(latentShape[1])], got \(shapeString(indices.shape))")
        return network(embedding(indices).permuted(0, 3, 1, 2))
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
        sample(count: count, method: .incremental, generator: &generator)
    }

    /// `count` code maps by either of the network's samplers.
    public func sample(count: Int, method: PixelCNNNetwork.SamplingMethod, generator: inout RandomGenerator) -> IndexTensor {
        let (h, w) = (latentShape[0], latentShape[1])
        var codes = [Int32](repeating: 0, count: count * h * w)
        _ = network.sampleRaster(count: count, height: h, width: w, method: method) { logits, i, j in
            let draws = generator.categorical(logits: logits)
            for (b, k) in draws.scalars.enumerated() { codes[b * h * w + i * w + j] = k }
            return embedding(draws).scalars
        }
        return IndexTensor(shape: [count] + latentShape, scalars: codes)
    }

    public override var summary: String {
        "PixelCNNCodePrior(\(latentShape[0])×\(latentShape[1]) codes of \(codebookSize), \(network.summary))"
    }
}
