import Foundation
import LatentCore
import LatentData
import LatentNN

/// PixelCNN as a density model of images: `latent train pixelcnn`.
///
///     log p(x | y) = Σ_{i,j} log p(x_{ij} | x_{<ij}, y)
///
/// with the pixels in raster order, every pixel's distribution (``PixelCNNLikelihood``:
/// Bernoulli, an L-way softmax per channel, or a discretised logistic mixture) given by one
/// pass of a ``PixelCNNNetwork`` (gated with no blind spot, van den Oord et al. 2016,
/// "Conditional Image Generation with PixelCNN Decoders"; or the plain masked-convolution
/// PixelCNN of "Pixel Recurrent Neural Networks"). The class label `y` is used only with
/// `conditional=true` (a per-class bias in every layer).
///
/// With `output=bernoulli`, images in [0, 1] are binarised like the VAEs' and MADE's
/// (`binarization=dynamic`: a new draw per training batch, a fixed draw per example in
/// evaluation); the other outputs model the data's `L` levels as they are. Evaluation
/// reports `nll` in nats per image (and the trainer adds `bits-per-dim`). Sampling draws the
/// pixels in raster order with the incremental sampler
/// (``PixelCNNNetwork/SamplingMethod/incremental``); `latent sample RUN --class K` draws
/// one class of a conditional model.
public final class PixelCNNModel: Module, SingleLossModel {
    public static let modelName = "pixelcnn"
    public static let abstract = "PixelCNN (van den Oord et al. 2016): gated (no blind spot) or plain masked convolutions; Bernoulli, L-way softmax or discretised logistic mixture outputs; optionally class-conditional."

    static let architecture = ModelOption<PixelCNNNetwork.Architecture>("architecture", default: .gated,
        help: "gated: vertical and horizontal stacks with gated units and no blind spot; plain: a type-A masked convolution and type-B masked residual blocks.")
    static let layers = ModelOption<Int>("layers", default: 6, bounds: .within(1...64),
        help: "Gated layers (gated), or residual blocks after the first masked convolution (plain).")
    static let channels = ModelOption<Int>("channels", default: 32, bounds: .within(1...1024), help: "Hidden channels C of every layer.")
    static let firstKernel = ModelOption<Int>("first-kernel", default: 7, bounds: .oddWithin(1...15),
        help: "Odd kernel size of the first layer (type A).")
    static let kernel = ModelOption<Int>("kernel", default: 3, bounds: .oddWithin(1...15), help: "Odd kernel size of the later layers.")
    static let output = ModelOption<PixelCNNLikelihood.Family>("output", default: .bernoulli,
        help: "Per-pixel distribution: bernoulli (binary images), softmax (an L-way softmax per channel over the data's levels, 256 for 8-bit) or logistic-mixture.")
    static let mixtures = ModelOption<Int>("mixtures", default: 5, bounds: .within(1...64),
        help: "Components K of the discretised logistic mixture per channel (output=logistic-mixture).")
    static let binarization = ModelOption<VAEOptions.Binarization>("binarization", default: .dynamic,
        help: "With output=bernoulli: binarise [0,1] features (dynamic draws in training; a fixed draw per example index in evaluation), or none for data that is already binary.")
    static let conditional = ModelOption<Bool>("conditional", default: false,
        help: "Condition on the dataset's class labels (a learned per-class bias in every layer); enables latent sample --class.")
    public static var options: [any DeclaredOption] {
        [architecture, layers, channels, firstKernel, kernel, output, mixtures, binarization, conditional]
    }

    public let network: PixelCNNNetwork
    public let likelihood: PixelCNNLikelihood
    public let data: DataDescription
    /// `[C, H, W]`.
    public let imageShape: [Int]
    public let binarizes: Bool
    /// Seed of the binarisation of evaluation data (as the VAEs').
    public var binarizationSeed: UInt64 = 2016

    public init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        guard case .image(let levels) = data.kind else {
            throw ModelOptionError("\(Self.modelName): models images; '\(data.name)' is not an image dataset")
        }
        let s = data.featureShape
        guard s.count == 2 || s.count == 3 else {
            throw ModelOptionError("\(Self.modelName): needs images [C, H, W] or [H, W], got feature shape \(s) of '\(data.name)'")
        }
        var classCount = 0
        if options[Self.conditional] {
            guard let classes = data.classCount, classes > 0 else {
                throw ModelOptionError("\(Self.modelName): conditional=true needs a labelled dataset; '\(data.name)' has no labels")
            }
            classCount = classes
        }
        self.data = data
        imageShape = s.count == 2 ? [1] + s : s
        let family = options[Self.output]
        binarizes = family == .bernoulli && options[Self.binarization] == .dynamic
        likelihood = PixelCNNLikelihood(family: family, channels: imageShape[0], levels: family == .bernoulli ? 2 : levels,
                                        mixtures: options[Self.mixtures])
        network = PixelCNNNetwork(architecture: options[Self.architecture], inputChannels: imageShape[0],
                                  outputChannels: likelihood.parametersPerPixel, channels: options[Self.channels],
                                  layers: options[Self.layers], firstKernelSize: options[Self.firstKernel],
                                  kernelSize: options[Self.kernel], classCount: classCount, generator: &generator)
    }

    /// Whether the model takes class labels.
    public var isConditional: Bool { network.classCount > 0 }

    /// `[B, C, H, W]` features of a batch (binarised when the model binarises) and its labels
    /// when the model is conditional.
    func prepare(_ batch: TensorBatch, training: Bool, generator: inout RandomGenerator) -> (x: Tensor, classes: IndexTensor?) {
        let batch = binarizes ? BatchTransform.binarization(training: training, seed: binarizationSeed)(batch, generator: &generator) : batch
        guard !isConditional || batch.labels != nil else { fatalError("\(Self.modelName): a conditional model needs labelled batches") }
        return (batch.features.reshaped(to: [batch.count] + imageShape), isConditional ? batch.labels : nil)
    }

    /// Output parameters `[B, P, H, W]` of images `x` `[B, C, H, W]` in [0, 1].
    public func parameters(_ x: Tensor, classes: IndexTensor? = nil) -> Tensor {
        network(PixelCNNLikelihood.networkInput(x), classes: classes)
    }

    /// `log p(x | classes)` `[B]` of images `[B, C, H, W]` (binary for Bernoulli outputs).
    public func logProbability(_ x: Tensor, classes: IndexTensor? = nil) -> Tensor {
        likelihood.logProb(x, parameters: parameters(x, classes: classes))
    }

    public func trainingLoss(_ batch: TensorBatch, progress: TrainingProgress, generator: inout RandomGenerator) -> TrainingLoss {
        let (x, classes) = prepare(batch, training: true, generator: &generator)
        return TrainingLoss(loss: -logProbability(x, classes: classes).mean())
    }

    public var evaluationMetrics: [String] { [MetricName.nll] }

    public func evaluationSums(_ batch: TensorBatch, generator: inout RandomGenerator) -> [String: Double] {
        let (x, classes) = prepare(batch, training: false, generator: &generator)
        return [MetricName.nll: -Double(logProbability(x, classes: classes).sum().scalar)]
    }

    /// `count` images `[count] + featureShape` in raster order; a conditional model cycles
    /// through the classes.
    public func sample(count: Int, generator: inout RandomGenerator) -> Tensor {
        let classes = isConditional ? (0..<count).map { $0 % network.classCount } : nil
        return sample(count: count, classes: classes, method: .incremental, generator: &generator)
    }

    /// `count` images of the given classes (one per image, or nil), by either sampler.
    public func sample(count: Int, classes: [Int]?, method: PixelCNNNetwork.SamplingMethod,
                       generator: inout RandomGenerator) -> Tensor {
        let labels = classes.map { IndexTensor(shape: [count], scalars: $0) }
        let inputs = network.sampleRaster(count: count, height: imageShape[1], width: imageShape[2], classes: labels,
                                          method: method) { parameters, _, _ in
            likelihood.sample(parameters, generator: &generator).map { 2 * $0 - 1 }
        }
        return ((inputs + 1) / 2).reshaped(to: [count] + data.featureShape)
    }
}

extension PixelCNNModel {
    /// 64 samples (a conditional model: a row of 8 per class), drawn in raster order.
    public func figures(data: TensorBatch, generator: inout RandomGenerator) -> [ModelFigure] {
        withoutDerivative {
            guard isConditional else {
                let samples = sample(count: 64, generator: &generator).reshaped(to: [64] + imageShape)
                return [ModelFigure(name: "samples", caption: "64 samples drawn pixel by pixel in raster order",
                                    pixels: imageGrid(samples, rows: 8))]
            }
            let classes = (0..<classCount).flatMap { Array(repeating: $0, count: 8) }
            let samples = sample(count: classes.count, classes: classes, method: .incremental, generator: &generator)
            return [ModelFigure(name: "samples", caption: "Samples drawn pixel by pixel, a row of 8 per class (0 at the top)",
                                pixels: imageGrid(samples.reshaped(to: [classes.count] + imageShape), rows: classCount))]
        }
    }
}

extension PixelCNNModel: ConditionalSampler {
    /// The number of classes the model is conditioned on (0 for an unconditional model).
    public var classCount: Int { network.classCount }

    /// `count` images of class `label`.
    public func sample(count: Int, class label: Int, generator: inout RandomGenerator) -> Tensor {
        sample(count: count, classes: Array(repeating: label, count: count), method: .incremental, generator: &generator)
    }
}
