import LatentCore
import LatentNN

/// One layer of the Gated PixelCNN (van den Oord, Kalchbrenner, Vinyals, Espeholt, Graves &
/// Kavukcuoglu 2016, "Conditional Image Generation with PixelCNN Decoders"): a vertical and
/// a horizontal stack, each with gated units, and no blind spot.
///
/// For a kernel size `k` (odd) and `C` channels:
///
///     vertical:    a_v = conv_{(k/2+1)×k}(v)          rows i − k/2 … i, columns j − k/2 … j + k/2
///                  v'  = tanh(a_v¹ + c) ⊙ σ(a_v² + c)
///     horizontal:  a_h = conv_{1×(k/2+1)}(h) + W_link · shift↓(a_v)
///                  g   = tanh(a_h¹ + c) ⊙ σ(a_h² + c)
///                  h'  = h + W_res · g        (the first layer: h' = W_res · g)
///                  s   = W_skip · g           (summed over layers into the output head)
///
/// where `a¹, a²` are the two halves of the `2C` channels, `c` the optional per-class bias
/// (the label embedding of the paper's conditional model), and the `W` are 1×1
/// convolutions. The vertical pre-activation `a_v` at row `i` sees rows up to `i`; moved down
/// by one row (`shift↓`) it only carries rows above the horizontal stack's row. The
/// horizontal convolution sees the pixels left of `j` on row `i` (first layer, type A) or up
/// to `j` (later layers, type B). So the horizontal output at `(i, j)` depends on exactly the
/// pixels before `(i, j)` in raster order, and the union of the two stacks' fields leaves no
/// blind spot. Shifts and crops are zero padding and slicing, so the convolutions are
/// ordinary dense ``Conv2d``s (no masked taps to waste).
public final class GatedPixelCNNLayer: Module {
    /// `(k/2+1) × k`, input channels → `2C`.
    public let vertical: Conv2d
    /// `1 × (k/2+1)`, input channels → `2C`.
    public let horizontal: Conv2d
    /// 1×1, `2C → 2C`: the shifted vertical pre-activation into the horizontal one.
    public let link: Conv2d
    /// 1×1, `C → C`: the gated horizontal output back to the residual stream.
    public let residual: Conv2d
    /// 1×1, `C → C`: the gated horizontal output to the skip sum.
    public let skip: Conv2d
    /// Whether the horizontal stack excludes the current pixel (type A, first layer).
    public let isFirst: Bool
    /// The kernel size `k`.
    public let kernelSize: Int
    /// `C`.
    public let channels: Int

    /// - Parameters:
    ///   - inputChannels: Channels of the stacks' inputs (the image's in the first layer, `C` after).
    ///   - channels: `C`, the gated units per stack.
    ///   - kernelSize: Odd `k`.
    ///   - isFirst: Type A (first layer: current pixel excluded, no residual connection).
    ///   - generator: Random stream of the initial weights.
    public init(inputChannels: Int, channels: Int, kernelSize: Int, isFirst: Bool, generator: inout RandomGenerator) {
        ensure(kernelSize > 0 && kernelSize % 2 == 1, "GatedPixelCNNLayer: kernel size \(kernelSize) must be odd")
        ensure(isFirst || inputChannels == channels,
               "GatedPixelCNNLayer: a later layer takes \(channels) channels, got \(inputChannels)")
        let half = kernelSize / 2
        vertical = Conv2d(inputChannels, 2 * channels, kernelSize: (half + 1, kernelSize), generator: &generator)
        horizontal = Conv2d(inputChannels, 2 * channels, kernelSize: (1, half + 1), generator: &generator)
        link = Conv2d(2 * channels, 2 * channels, kernelSize: 1, generator: &generator)
        residual = Conv2d(channels, channels, kernelSize: 1, generator: &generator)
        skip = Conv2d(channels, channels, kernelSize: 1, generator: &generator)
        self.isFirst = isFirst
        self.kernelSize = kernelSize
        self.channels = channels
    }

    /// `a_v` `[B, 2C, h, W]` of the vertical input `[B, Cᵢₙ, h, W]`: row `i` sees rows
    /// `i − k/2 … i` (zeros above the top).
    public func verticalPreactivation(_ v: Tensor) -> Tensor {
        let half = kernelSize / 2
        return vertical(v.padded([(0, 0), (0, 0), (half, 0), (half, half)]))
    }

    /// The vertical stack's next input `tanh ⊙ σ` of `a_v` (+ the class bias `[B, 2C, 1, 1]`).
    public func verticalOutput(_ preactivation: Tensor, classBias: Tensor?) -> Tensor {
        Self.gate(classBias.map { preactivation + $0 } ?? preactivation)
    }

    /// The horizontal stack at one layer: `(h', s)` of `h` `[B, Cᵢₙ, h, w]` given the vertical
    /// pre-activation already moved down one row, `[B, 2C, h, w]` (same rows and columns).
    ///
    /// Only zero padding on the left is used, so a crop of the columns `0 … j` gives the
    /// same values at those columns as the whole row.
    public func horizontalStep(_ h: Tensor, shiftedVertical: Tensor, classBias: Tensor?) -> (output: Tensor, skip: Tensor) {
        let half = kernelSize / 2
        let width = h.shape[3]
        // Type A: column j sees j − k/2 − 1 … j − 1 (pad k/2 + 1 on the left, drop the last
        // column); type B: j − k/2 … j.
        let input = isFirst ? h.padded([(0, 0), (0, 0), (0, 0), (half + 1, 0)]).sliced(alongAxis: 3, range: 0..<(width + half))
                            : h.padded([(0, 0), (0, 0), (0, 0), (half, 0)])
        var a = horizontal(input) + link(shiftedVertical)
        if let classBias { a = a + classBias }
        let g = Self.gate(a)
        let r = residual(g)
        return (isFirst ? r : h + r, skip(g))
    }

    /// `tanh(a¹) ⊙ σ(a²)` for `a` `[B, 2C, h, w]` split along the channels.
    public static func gate(_ a: Tensor) -> Tensor {
        let c = a.shape[1] / 2
        return a.sliced(alongAxis: 1, range: 0..<c).tanh() * a.sliced(alongAxis: 1, range: c..<(2 * c)).sigmoid()
    }

    /// `t` `[B, C, h, w]` moved down one row: row 0 is zeros, row `i` holds row `i − 1`.
    public static func shiftedDown(_ t: Tensor) -> Tensor {
        t.padded([(0, 0), (0, 0), (1, 0), (0, 0)]).sliced(alongAxis: 2, range: 0..<t.shape[2])
    }

    public override var summary: String {
        "GatedPixelCNNLayer(\(channels) channels, kernelSize: \(kernelSize)\(isFirst ? ", first (type A)" : ""))"
    }
}
