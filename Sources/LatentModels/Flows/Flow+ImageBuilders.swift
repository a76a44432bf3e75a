import LatentCore
import LatentNN

extension Flow {
    /// Glow (Kingma & Dhariwal 2018): L levels × K steps of (ActNorm, invertible 1×1
    /// convolution, affine channel coupling), with squeeze and split between levels.
    ///
    /// - Parameters:
    ///   - imageShape: `[C, H, W]` with H and W divisible by 2^L.
    ///   - levels: L.
    ///   - steps: K flow steps per level.
    ///   - hiddenChannels: Width of the coupling CNNs.
    ///   - contextSize: Context vector size for a conditional flow (0: none).
    ///   - generator: Random stream for the initial weights.
    public static func glow(imageShape: [Int], levels: Int = 2, steps: Int = 4, hiddenChannels: Int = 64,
                            contextSize: Int = 0, generator: inout RandomGenerator) -> Flow {
        multiScale(imageShape: imageShape, levels: levels, contextSize: contextSize) { channels, _ in
            var out: [any FlowTransform] = []
            for k in 0..<steps {
                // Latent → data order: coupling, 1×1 convolution, ActNorm (data side).
                out.append(ImageCoupling(channels: channels, hiddenChannels: hiddenChannels, mask: .channel(parity: k % 2),
                                         contextSize: contextSize, generator: &generator))
                out.append(InvertibleConvolution1x1(channels: channels, generator: &generator))
                out.append(ActNorm(featureCount: channels, eventRank: 3))
            }
            return out
        }
    }

    /// Multi-scale RealNVP for images (Dinh et al. 2017): per level, after the squeeze,
    /// K affine couplings alternating checkerboard and channel masks, each with ActNorm,
    /// then a split.
    public static func imageRealNVP(imageShape: [Int], levels: Int = 2, steps: Int = 4, hiddenChannels: Int = 64,
                                    contextSize: Int = 0, generator: inout RandomGenerator) -> Flow {
        multiScale(imageShape: imageShape, levels: levels, contextSize: contextSize) { channels, _ in
            var out: [any FlowTransform] = []
            for k in 0..<steps {
                let mask: ImageCoupling.Mask = k % 2 == 0 ? .checkerboard(parity: (k / 2) % 2) : .channel(parity: (k / 2) % 2)
                out.append(ImageCoupling(channels: channels, hiddenChannels: hiddenChannels, mask: mask,
                                         contextSize: contextSize, generator: &generator))
                out.append(ActNorm(featureCount: channels, eventRank: 3))
            }
            return out
        }
    }

    /// Nests `levels` ``MultiScaleLevel``s; `makeSteps(channels, level)` builds the steps
    /// of a level working on `channels` squeezed channels.
    static func multiScale(imageShape: [Int], levels: Int, contextSize: Int,
                           makeSteps: (Int, Int) -> [any FlowTransform]) -> Flow {
        ensure(imageShape.count == 3 && levels >= 1, "Flow.multiScale: needs [C, H, W] and at least one level")
        let (c, h, w) = (imageShape[0], imageShape[1], imageShape[2])
        let factor = 1 << levels
        ensure(h % factor == 0 && w % factor == 0, "Flow.multiScale: \(h)×\(w) images are not divisible by 2^\(levels) = \(factor)")
        var channelsPerLevel: [Int] = []
        var channels = c
        for _ in 0..<levels { channels *= 4; channelsPerLevel.append(channels); channels /= 2 }
        // Build from the innermost level outwards (steps are built outermost first for
        // a stable order of random draws).
        var stepsPerLevel: [[any FlowTransform]] = []
        for (l, ch) in channelsPerLevel.enumerated() { stepsPerLevel.append(makeSteps(ch, l)) }
        var inner: MultiScaleLevel? = nil
        for l in stride(from: levels - 1, through: 0, by: -1) {
            inner = MultiScaleLevel(squeezedChannels: channelsPerLevel[l], steps: stepsPerLevel[l], next: inner)
        }
        return Flow(eventShape: imageShape, transforms: [inner!], contextSize: contextSize)
    }
}
