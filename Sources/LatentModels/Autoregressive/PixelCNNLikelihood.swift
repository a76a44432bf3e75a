import Foundation
import LatentCore
import LatentProbability

/// The distribution of one pixel's channels given the pixels before it, from the
/// ``PixelCNNNetwork``'s `P` parameters at that pixel. Channels are independent given the
/// earlier pixels (each channel of pixel `p` is predicted from pixels `< p` only).
///
/// Images are in [0, 1] with `L` levels (value `k/(L − 1)`); `C` channels:
/// - ``Family/bernoulli``: `P = C` logits, for binary images (`log p = −BCE`).
/// - ``Family/softmax``: `P = C·L` logits, an `L`-way softmax per channel over the levels
///   (the 256-way softmax of PixelRNN/PixelCNN for 8-bit images).
/// - ``Family/logisticMixture``: `P = C·3K`, a ``DiscretizedLogisticMixture`` of `K`
///   components per channel over the `L` levels (PixelCNN++), on values `2x − 1`.
///
/// All three are discrete, so `−log p(x)` is the NLL in nats of the integer levels, as
/// ``DataDescription/bitsPerDimension(nats:)`` expects.
public struct PixelCNNLikelihood: Sendable, Equatable {
    /// The output distribution family (`output=` option).
    public enum Family: String, OptionChoice, Sendable {
        case bernoulli
        case softmax
        case logisticMixture = "logistic-mixture"
    }

    public let family: Family
    /// `C`.
    public let channels: Int
    /// `L`.
    public let levels: Int
    /// `K` (logistic mixture only).
    public let mixtures: Int

    public init(family: Family, channels: Int, levels: Int, mixtures: Int = 5) {
        ensure(channels > 0 && levels >= 2 && mixtures > 0,
               "PixelCNNLikelihood: needs channels > 0, levels ≥ 2, mixtures > 0, got \(channels), \(levels), \(mixtures)")
        self.family = family
        self.channels = channels
        self.levels = levels
        self.mixtures = mixtures
    }

    /// `P`, the network's output channels.
    public var parametersPerPixel: Int {
        switch family {
        case .bernoulli: channels
        case .softmax: channels * levels
        case .logisticMixture: channels * 3 * mixtures
        }
    }

    /// The network input of images `x` in [0, 1]: `2x − 1`.
    public static func networkInput(_ x: Tensor) -> Tensor { 2 * x - 1 }

    /// `log p(x)` per image `[B]` of images `x` `[B, C, H, W]` (binary for Bernoulli, on the
    /// level grid otherwise) under the parameters `[B, P, H, W]`.
    public func logProb(_ x: Tensor, parameters: Tensor) -> Tensor {
        let (b, h, w) = (x.shape[0], x.shape[2], x.shape[3])
        let perValue: Tensor
        switch family {
        case .bernoulli:
            perValue = -binaryCrossEntropy(logits: parameters, targets: x, reduction: .none)
        case .softmax:
            let logits = parameters.reshaped(to: [b, channels, levels, h, w]).permuted(0, 1, 3, 4, 2)
            perValue = -crossEntropy(logits: logits, labels: levelIndices(x), reduction: .none)
        case .logisticMixture:
            let mixture = self.mixture(parameters.reshaped(to: [b, channels, 3, mixtures, h, w]).permuted(0, 1, 4, 5, 2, 3))
            perValue = mixture.logProb(Self.networkInput(x))
        }
        return perValue.reshaped(to: [b, -1]).sum(alongAxis: 1)
    }

    /// One pixel's channels `[B·C]` (row-major `[B, C]`, values in [0, 1]) drawn from its
    /// parameters `[B, P]`.
    public func sample(_ parameters: Tensor, generator: inout RandomGenerator) -> [Float] {
        let b = parameters.shape[0]
        switch family {
        case .bernoulli:
            let u = generator.uniform([b * channels]).scalars, l = parameters.scalars
            return (0..<(b * channels)).map { u[$0] < 1 / (1 + Foundation.exp(-l[$0])) ? 1 : 0 }
        case .softmax:
            let k = generator.categorical(logits: parameters.reshaped(to: [b, channels, levels]))
            return k.scalars.map { Float($0) / Float(levels - 1) }
        case .logisticMixture:
            let draws = mixture(parameters.reshaped(to: [b, channels, 3, mixtures])).sample([], generator: &generator)
            return draws.scalars.map { ($0 + 1) / 2 }
        }
    }

    /// The mixture of parameters shaped `batch + [3, K]` (logits, means, log-scales).
    func mixture(_ p: Tensor) -> DiscretizedLogisticMixture {
        func part(_ i: Int) -> Tensor { p.sliced(alongAxis: -2, range: i..<(i + 1)).squeezed(axis: -2) }
        return DiscretizedLogisticMixture(logits: part(0), means: part(1), logScales: part(2), levelCount: levels)
    }

    /// The level `round(x (L − 1))` of every value.
    func levelIndices(_ x: Tensor) -> IndexTensor {
        let top = Float(levels - 1)
        return IndexTensor(shape: x.shape, scalars: x.scalars.map { Int32(min(max(($0 * top).rounded(), 0), top)) })
    }
}
