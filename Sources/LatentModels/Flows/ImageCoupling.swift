import LatentCore
import LatentNN

/// An affine coupling layer for images `[B, C, H, W]` with a convolutional conditioner
/// (RealNVP, Glow).
///
/// - `.checkerboard(parity)`: the pixels with (i + j + parity) even condition the others:
///   y = m⊙x + (1 − m)⊙(x·exp(s) + t), (s, t) = NN(m⊙x), log |det| = Σ (1 − m)⊙s;
/// - `.channel(parity)`: the first (or, with parity, second) half of the channels
///   conditions the other half.
///
/// s = c·tanh(ŝ/c) is soft-clamped as in ``ElementwiseTransform``.
public final class ImageCoupling: Module, FlowTransform {
    public enum Mask: Sendable, Equatable {
        case checkerboard(parity: Int)
        case channel(parity: Int)
    }
    public let conditioner: ConvolutionalConditioner
    public let mask: Mask
    public let channels: Int
    public let scaleClamp: Float
    public var eventRank: Int { 3 }

    /// - Parameters:
    ///   - channels: C (even for channel masks).
    ///   - hiddenChannels: Width of the conditioner CNN.
    ///   - mask: Which pixels or channels condition.
    ///   - blocks: Residual blocks in the conditioner.
    ///   - contextSize: Context vector size (0 for none).
    ///   - generator: Random stream for the initial weights.
    public init(channels: Int, hiddenChannels: Int, mask: Mask, blocks: Int = 1, contextSize: Int = 0, scaleClamp: Float = 5,
                generator: inout RandomGenerator) {
        self.channels = channels
        self.mask = mask
        self.scaleClamp = scaleClamp
        switch mask {
        case .checkerboard:
            conditioner = ConvolutionalConditioner(inputChannels: channels, hiddenChannels: hiddenChannels,
                                                   outputChannels: 2 * channels, blocks: blocks, contextSize: contextSize, generator: &generator)
        case .channel:
            ensure(channels % 2 == 0, "ImageCoupling: channel masks need an even number of channels, got \(channels)")
            conditioner = ConvolutionalConditioner(inputChannels: channels / 2, hiddenChannels: hiddenChannels,
                                                   outputChannels: channels, blocks: blocks, contextSize: contextSize, generator: &generator)
        }
    }

    private func checkerboard(_ h: Int, _ w: Int, parity: Int) -> Tensor {
        Tensor(shape: [1, 1, h, w]) { p, _ in for i in 0..<h { for j in 0..<w { p[i * w + j] = (i + j + parity) % 2 == 0 ? 1 : 0 } } }
    }

    private func run(_ x: Tensor, context: Tensor?, inverse: Bool) -> (Tensor, Tensor) {
        checkShapes { () throws(ShapeError) in
            guard x.rank == 4, x.shape[1] == channels else {
                throw ShapeError(op: "ImageCoupling", "input of shape \(shapeString(x.shape)) is not [B, \(channels), H, W]")
            }
        }
        switch mask {
        case .checkerboard(let parity):
            let m = checkerboard(x.shape[2], x.shape[3], parity: parity)
            let fixed = x * m
            let out = conditioner(fixed, context: context).split(sizes: [channels, channels], alongAxis: 1)
            let free = 1 - m
            let s = scaleClamp * (out[0] / scaleClamp).tanh() * free
            let t = out[1] * free
            let y = inverse ? fixed + free * ((x - t) * (-s).exp()) : fixed + free * (x * s.exp() + t)
            let logDet = s.sum(alongAxes: [1, 2, 3])
            return (y, inverse ? -logDet : logDet)
        case .channel(let parity):
            let halves = x.split(sizes: [channels / 2, channels / 2], alongAxis: 1)
            let (fixed, moving) = parity == 0 ? (halves[0], halves[1]) : (halves[1], halves[0])
            let out = conditioner(fixed, context: context).split(sizes: [channels / 2, channels / 2], alongAxis: 1)
            let s = scaleClamp * (out[0] / scaleClamp).tanh()
            let moved = inverse ? (moving - out[1]) * (-s).exp() : moving * s.exp() + out[1]
            let y = parity == 0 ? concatenate([fixed, moved], alongAxis: 1) : concatenate([moved, fixed], alongAxis: 1)
            let logDet = s.sum(alongAxes: [1, 2, 3])
            return (y, inverse ? -logDet : logDet)
        }
    }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor, context: Tensor?) -> (Tensor, Tensor) { run(x, context: context, inverse: false) }
    public func inverseAndLogAbsDetJacobian(_ y: Tensor, context: Tensor?) -> (Tensor, Tensor) { run(y, context: context, inverse: true) }
}
