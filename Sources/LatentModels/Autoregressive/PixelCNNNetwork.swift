import LatentCore
import LatentData
import LatentNN

/// The PixelCNN network: per-pixel output parameters `f(x)[:, :, i, j]` that depend only on
/// the input pixels before `(i, j)` in raster order (row by row, left to right), optionally
/// conditioned on a class label. Shared by the ``PixelCNNModel`` density model of images and
/// the ``PixelCNNCodePrior`` of a VQ-VAE.
///
/// Two architectures (``Architecture``):
/// - **gated** (van den Oord et al. 2016, "Conditional Image Generation with PixelCNN
///   Decoders"): `L` ``GatedPixelCNNLayer``s, a vertical and a horizontal stack with gated
///   units and no blind spot; the layers' skip outputs are summed into the head.
/// - **plain** (van den Oord et al. 2016, "Pixel Recurrent Neural Networks"): a type-A
///   `k₁ × k₁` ``MaskedConv2d``, then `L` residual blocks `x + conv₁ₓ₁(ReLU(masked_{k×k}ᴮ(ReLU x)))`.
///   It has the well-known blind spot (pixels to the upper right outside the masked cone).
///
/// Head: `conv₁ₓ₁(ReLU(·))` to `P` parameters per pixel, with one more `ReLU ∘ conv₁ₓ₁` of
/// `C` channels before it when `hiddenHead` is set.
///
/// **Class conditioning** (`classCount > 0`): a learned bias per class and layer (an
/// ``Embedding`` of the label) is added inside every gate of both stacks (gated), or to the
/// output of the first convolution and of every residual block (plain).
public final class PixelCNNNetwork: Module {
    /// The layer design.
    public enum Architecture: String, OptionChoice, Sendable {
        /// Vertical and horizontal stacks with gated units (no blind spot).
        case gated
        /// A type-A masked convolution and type-B masked residual blocks.
        case plain
    }

    /// Plain: the type-A masked convolution (nil for gated).
    public let input: MaskedConv2d?
    /// Plain: the type-B residual blocks (empty for gated).
    public let layers: [Residual]
    /// Gated: the gated layers (empty for plain).
    public let gatedLayers: [GatedPixelCNNLayer]
    /// Per-layer class biases (empty without conditioning).
    public let classBiases: [Embedding]
    /// Optional `C → C` 1×1 convolution of the head.
    public let outputHidden: Conv2d?
    /// `C → P` 1×1 convolution to the output parameters.
    public let output: Conv2d

    public let architecture: Architecture
    /// Channels of the network input.
    public let inputChannels: Int
    /// `P`: parameters per pixel.
    public let outputChannels: Int
    /// `C`.
    public let channels: Int
    /// Kernel size of the first layer.
    public let firstKernelSize: Int
    /// Kernel size of the later layers.
    public let kernelSize: Int
    /// Number of classes of the conditioning label (0: unconditional).
    public let classCount: Int

    /// - Parameters:
    ///   - architecture: gated or plain.
    ///   - inputChannels: Channels of the input `[B, Cᵢₙ, H, W]`.
    ///   - outputChannels: `P` parameters per pixel.
    ///   - channels: `C` hidden channels.
    ///   - layers: Gated: number of gated layers (≥ 1); plain: residual blocks after the first convolution (≥ 0).
    ///   - firstKernelSize: Odd kernel size of the first layer.
    ///   - kernelSize: Odd kernel size of the later layers.
    ///   - classCount: Classes of the label the network is conditioned on (0: none).
    ///   - hiddenHead: Whether the head has a hidden 1×1 layer.
    ///   - generator: Random stream of the initial weights.
    public init(architecture: Architecture, inputChannels: Int, outputChannels: Int, channels: Int, layers: Int,
                firstKernelSize: Int = 7, kernelSize: Int = 3, classCount: Int = 0, hiddenHead: Bool = true,
                generator: inout RandomGenerator) {
        ensure(inputChannels > 0 && outputChannels > 0 && channels > 0 && classCount >= 0,
               "PixelCNNNetwork: channel and class counts must be positive, got \(inputChannels), \(outputChannels), \(channels), \(classCount)")
        ensure(layers >= (architecture == .gated ? 1 : 0), "PixelCNNNetwork: \(layers) layers for the \(architecture.rawValue) architecture")
        ensure(firstKernelSize % 2 == 1 && kernelSize % 2 == 1 && firstKernelSize > 0 && kernelSize > 0,
               "PixelCNNNetwork: kernel sizes must be odd, got \(firstKernelSize) and \(kernelSize)")
        self.architecture = architecture
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.channels = channels
        self.firstKernelSize = firstKernelSize
        self.kernelSize = kernelSize
        self.classCount = classCount
        switch architecture {
        case .gated:
            input = nil
            self.layers = []
            gatedLayers = (0..<layers).map { l in
                GatedPixelCNNLayer(inputChannels: l == 0 ? inputChannels : channels, channels: channels,
                                   kernelSize: l == 0 ? firstKernelSize : kernelSize, isFirst: l == 0, generator: &generator)
            }
            classBiases = classCount == 0 ? [] : (0..<layers).map { _ in
                Embedding(count: classCount, dimension: 2 * channels, generator: &generator)
            }
        case .plain:
            input = MaskedConv2d(inputChannels, channels, kernelSize: firstKernelSize, maskType: .a, generator: &generator)
            self.layers = (0..<layers).map { _ in
                Residual(Sequential(ReLU(), MaskedConv2d(channels, channels, kernelSize: kernelSize, maskType: .b, generator: &generator),
                                    ReLU(), Conv2d(channels, channels, kernelSize: 1, generator: &generator)))
            }
            gatedLayers = []
            classBiases = classCount == 0 ? [] : (0...layers).map { _ in
                Embedding(count: classCount, dimension: channels, generator: &generator)
            }
        }
        outputHidden = hiddenHead ? Conv2d(channels, channels, kernelSize: 1, generator: &generator) : nil
        output = Conv2d(channels, outputChannels, kernelSize: 1, generator: &generator)
    }

    /// Output parameters `[B, P, H, W]` of the input `[B, Cᵢₙ, H, W]`; `classes` `[B]` when
    /// the network is class-conditional.
    public func callAsFunction(_ x: Tensor, classes: IndexTensor? = nil) -> Tensor {
        ensure(x.rank == 4 && x.shape[1] == inputChannels,
               "PixelCNNNetwork: expected input [B, \(inputChannels), H, W], got \(shapeString(x.shape))")
        let biases = classBiasTensors(classes, count: x.shape[0])
        switch architecture {
        case .gated:
            let shifted = verticalPreactivations(x, biases: biases).map(GatedPixelCNNLayer.shiftedDown)
            return head(horizontalStack(x, shiftedVertical: shifted, biases: biases))
        case .plain:
            return head(plainStack(x, biases: biases))
        }
    }

    /// The per-layer class biases `[B, width, 1, 1]` (nil entries without conditioning).
    func classBiasTensors(_ classes: IndexTensor?, count: Int) -> [Tensor?] {
        let layerCount = architecture == .gated ? gatedLayers.count : layers.count + 1
        guard classCount > 0 else {
            ensure(classes == nil, "PixelCNNNetwork: class labels given to an unconditional network")
            return Array(repeating: nil, count: layerCount)
        }
        guard let classes else { fatalError("PixelCNNNetwork: a class-conditional network needs class labels") }
        ensure(classes.shape == [count], "PixelCNNNetwork: expected labels [\(count)], got \(shapeString(classes.shape))")
        return classBiases.map { e in e(classes).reshaped(to: [count, e.dimension, 1, 1]) }
    }

    /// Gated: `a_v` of every layer `[B, 2C, h, W]` (not yet shifted) for input rows `[B, Cᵢₙ, h, W]`.
    func verticalPreactivations(_ x: Tensor, biases: [Tensor?]) -> [Tensor] {
        var v = x
        var out: [Tensor] = []
        for (l, layer) in gatedLayers.enumerated() {
            let a = layer.verticalPreactivation(v)
            out.append(a)
            if l + 1 < gatedLayers.count { v = layer.verticalOutput(a, classBias: biases[l]) }
        }
        return out
    }

    /// Gated: the sum of the skip outputs for input `[B, Cᵢₙ, h, w]` and the shifted vertical
    /// pre-activations of the same rows and columns.
    func horizontalStack(_ x: Tensor, shiftedVertical: [Tensor], biases: [Tensor?]) -> Tensor {
        var h = x
        var skips: Tensor?
        for (l, layer) in gatedLayers.enumerated() {
            let (next, skip) = layer.horizontalStep(h, shiftedVertical: shiftedVertical[l], classBias: biases[l])
            h = next
            skips = skips.map { $0 + skip } ?? skip
        }
        return skips!
    }

    /// Plain: the features before the head.
    func plainStack(_ x: Tensor, biases: [Tensor?]) -> Tensor {
        func biased(_ t: Tensor, _ l: Int) -> Tensor { biases[l].map { t + $0 } ?? t }
        var h = biased(input!(x), 0)
        for (l, layer) in layers.enumerated() { h = biased(layer(h), l + 1) }
        return h
    }

    /// `conv₁ₓ₁(ReLU(·))`, after the hidden `ReLU ∘ conv₁ₓ₁` when there is one.
    func head(_ features: Tensor) -> Tensor {
        var h = features.relu()
        if let outputHidden { h = outputHidden(h).relu() }
        return output(h)
    }

    /// How many rows above a pixel its output can depend on: the vertical reach of the
    /// network (the gated vertical stack plus its one-row shift; the plain masked cone).
    public var rowsAbove: Int {
        let deeper = max((architecture == .gated ? gatedLayers.count : layers.count + 1) - 1, 0)
        let reach = firstKernelSize / 2 + deeper * (kernelSize / 2)
        return architecture == .gated ? reach + 1 : reach
    }

    public override var summary: String {
        let depth = architecture == .gated ? gatedLayers.count : layers.count
        var s = "PixelCNNNetwork(\(architecture.rawValue), \(inputChannels) → \(outputChannels) per pixel, \(channels) channels, \(depth) layers"
        s += ", kernels \(firstKernelSize)/\(kernelSize)"
        if classCount > 0 { s += ", \(classCount) classes" }
        return s + ")"
    }
}
