import Foundation
import LatentCore
import LatentData
import LatentNN

/// The shared ``GenerativeModel`` plumbing of the vector flows (`realnvp`, `maf`, `nsf`):
/// preprocessing, maximum-likelihood loss, evaluation in nats and bits/dim, sampling and
/// figures. Subclasses choose the flow.
///
/// - Continuous data (2-D toy densities, tabular data) is modelled as it is; the NLL is
///   −log p(x) in nats.
/// - Images (`.image(levels: L)`) are flattened to D = C·H·W values, dequantised and
///   logit-transformed (``Dequantization``); the NLL is the dequantisation bound on the
///   discrete data, −log p(w) − log|dw/dy| + D log L nats, and bits/dim = NLL/(D ln 2).
/// - With `conditional`, the one-hot class label is the context of every conditioner
///   (class-conditional density estimation); samples cycle through the classes.
open class FlowModel: Module, SingleLossModel {
    open class var modelName: String { "flow" }
    open class var abstract: String { "A normalising flow" }
    /// Number of flow layers (couplings or autoregressive layers).
    public static let layers = ModelOption<Int>("layers", default: 5, bounds: .positive,
                                                help: "number of flow layers (couplings or autoregressive layers)")
    /// Hidden widths of each conditioner network.
    public static let hidden = ModelOption<[Int]>("hidden", default: [128, 128], bounds: .positiveEntries(nonEmpty: true),
                                                  help: "hidden widths of each conditioner network")
    /// Condition on the class label.
    public static let conditional = ModelOption<Bool>("conditional", default: false,
                                                      help: "condition on the class label (needs a labelled dataset)")
    /// α of the logit transform for images.
    public static let logitAlpha = ModelOption<Float>("logit-alpha", default: 0.000001, bounds: .open(0, 0.5),
                                                      help: "α of the logit transform for images")
    /// The flow normalisation layer choice of RealNVP and MAF.
    public enum Normalization: String, OptionChoice { case actnorm, batchnorm, none }
    /// Options of every vector flow model; subclasses add theirs.
    public static var commonOptions: [any DeclaredOption] { [layers, hidden, conditional, logitAlpha] }
    open class var options: [any DeclaredOption] { commonOptions }

    /// Builds the flow for `data` (vector flows use D = `data.dimension`) with context `contextSize`.
    open class func makeFlow(options: ModelOptions, data: DataDescription, contextSize: Int,
                             generator: inout RandomGenerator) throws -> Flow {
        Flow.realNVP(dimension: data.dimension, layers: options[layers], hidden: options[hidden],
                     contextSize: contextSize, generator: &generator)
    }

    public let flow: Flow
    public let data: DataDescription
    public let dequantization: Dequantization?
    public let classCount: Int
    /// Cells per side of the 2-D density heat map in ``figures(data:generator:)``.
    public var heatMapResolution = 200

    public required init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        let conditional = options[Self.conditional]
        if conditional && data.classCount == nil {
            throw ModelOptionError("\(Self.modelName): 'conditional' needs a dataset with class labels; \(data.name) has none")
        }
        guard data.dimension >= 2 else { throw ModelOptionError("\(Self.modelName): needs data of at least 2 dimensions, got \(data.featureShape)") }
        self.data = data
        self.classCount = conditional ? data.classCount! : 0
        if case .image(let levels) = data.kind {
            dequantization = Dequantization(levels: levels, alpha: options[Self.logitAlpha])
        } else {
            dequantization = nil
        }
        flow = try Self.makeFlow(options: options, data: data, contextSize: classCount, generator: &generator)
        super.init()
    }

    /// The one-hot labels of a batch (conditional models), else nil.
    func context(_ batch: TensorBatch) -> Tensor? {
        guard classCount > 0 else { return nil }
        if let oneHot = batch.oneHotLabels { return oneHot }
        guard let labels = batch.labels else { fatalError("\(Self.modelName): a conditional flow needs labelled batches") }
        return oneHot(labels, classCount: classCount)
    }

    /// −log p of each example in nats `[B]` (for images: the dequantisation bound on the
    /// discrete data).
    public func negativeLogLikelihood(_ batch: TensorBatch, generator: inout RandomGenerator) -> Tensor {
        let b = batch.features.shape[0]
        let x = batch.features.reshaped(to: [b] + flow.eventShape)
        if let dequantization {
            let (w, logDet) = dequantization.forward(x, generator: &generator)
            return dequantization.negativeLogLikelihood(flowLogProb: flow.logProb(w, context: context(batch)),
                                                        logDeterminant: logDet, dimension: data.dimension)
        }
        return -flow.logProb(x, context: context(batch))
    }

    private var bitsPerNat: Double { 1 / (Double(data.dimension) * log(2.0)) }

    public func trainingLoss(_ batch: TensorBatch, progress: TrainingProgress, generator: inout RandomGenerator) -> TrainingLoss {
        let nll = negativeLogLikelihood(batch, generator: &generator).mean()
        let value = Double(nll.scalar)
        return TrainingLoss(loss: nll, metrics: [MetricName.nll: value, MetricName.bitsPerDimension: value * bitsPerNat])
    }

    public var evaluationMetrics: [String] { [MetricName.nll, MetricName.bitsPerDimension] }

    public func evaluationSums(_ batch: TensorBatch, generator: inout RandomGenerator) -> [String: Double] {
        let nll = withoutDerivative { negativeLogLikelihood(batch, generator: &generator) }.sum().scalar
        return [MetricName.nll: Double(nll), MetricName.bitsPerDimension: Double(nll) * bitsPerNat]
    }

    /// For an unconditional flow on 2-D data, adds `grid-integral`: the learned density
    /// integrated on a 300 × 300 grid over [−6, 6]² (1 up to the mass outside the square
    /// and the grid error; the toy densities put no noticeable mass outside).
    public func finalizeEvaluation(_ means: [String: Double]) -> [String: Double] {
        var means = means.filter { !$0.key.hasPrefix("_") }
        if data.dimension == 2 && dequantization == nil && classCount == 0 {
            means["grid-integral"] = withoutDerivative {
                Double(DensityGrid(xRange: -6...6, yRange: -6...6, resolution: 300) { flow.logProb($0) }.integral)
            }
        }
        return means
    }

    public func sample(count: Int, generator: inout RandomGenerator) -> Tensor {
        var context: Tensor? = nil
        if classCount > 0 {
            context = oneHot(IndexTensor((0..<count).map { $0 % classCount }), classCount: classCount)
        }
        var x = flow.sample(count, context: context, generator: &generator)
        if let dequantization { x = dequantization.inverse(x) }
        return x.reshaped(to: [count] + data.featureShape)
    }

    public func figures(data batch: TensorBatch, generator: inout RandomGenerator) -> [ModelFigure] {
        var figures: [ModelFigure] = []
        if data.dimension == 2 && dequantization == nil && classCount == 0 {
            let values = batch.features.scalars
            let extent = Float(1.1) * max(values.map { abs($0) }.max() ?? 4, 1)
            let grid = DensityGrid(xRange: -extent...extent, yRange: -extent...extent, resolution: heatMapResolution) { flow.logProb($0) }
            figures.append(ModelFigure(name: "density", caption: String(format: "Learned density on [−%.1f, %.1f]² (integral on the grid: %.4f)", extent, extent, grid.integral),
                                       pixels: grid.heatMap))
        } else if data.featureShape.count == 3 || data.featureShape.count == 2 {
            let samples = sample(count: 64, generator: &generator)
            figures.append(ModelFigure(name: "samples", caption: "64 samples", pixels: imageGrid(samples)))
        }
        return figures
    }
}

/// RealNVP (Dinh et al. 2017) on vectors: affine (or additive, NICE) couplings with ActNorm.
public final class RealNVPModel: FlowModel {
    public override class var modelName: String { "realnvp" }
    public override class var abstract: String { "RealNVP normalising flow: affine coupling layers (exact likelihood)" }
    static let additive = ModelOption<Bool>("additive", default: false, help: "additive (NICE) instead of affine couplings")
    static let normalization = ModelOption<Normalization>("normalization", default: .actnorm, help: "normalisation layer after each coupling")
    public override class var options: [any DeclaredOption] { commonOptions + [additive, normalization] }
    public override class func makeFlow(options: ModelOptions, data: DataDescription, contextSize: Int,
                                        generator: inout RandomGenerator) throws -> Flow {
        let norm = options[normalization]
        return Flow.realNVP(dimension: data.dimension, layers: options[layers], hidden: options[hidden],
                            additive: options[additive], actNorm: norm == .actnorm, batchNorm: norm == .batchnorm,
                            contextSize: contextSize, generator: &generator)
    }
}

/// Glow (Kingma & Dhariwal 2018) on images: multi-scale, ActNorm, LU 1×1 convolutions,
/// affine channel couplings with CNN conditioners. `architecture: realnvp` gives the
/// multi-scale RealNVP (checkerboard and channel masks) instead.
public final class GlowModel: FlowModel {
    public override class var modelName: String { "glow" }
    public override class var abstract: String { "Glow: multi-scale image flow with 1×1 convolutions (exact likelihood, bits/dim)" }
    /// Coupling architecture of the multi-scale flow.
    public enum Architecture: String, OptionChoice { case glow, realnvp }
    static let levels = ModelOption<Int>("levels", default: 2, bounds: .within(1...16), help: "number of scales L (H and W divisible by 2^L)")
    static let steps = ModelOption<Int>("steps", default: 4, bounds: .positive, help: "flow steps K per level")
    static let hiddenChannels = ModelOption<Int>("hidden-channels", default: 64, bounds: .positive, help: "channels of the coupling CNNs")
    static let architecture = ModelOption<Architecture>("architecture", default: .glow, help: "Glow steps or RealNVP checkerboard/channel couplings")
    public override class var options: [any DeclaredOption] { [levels, steps, hiddenChannels, architecture, conditional, logitAlpha] }
    public override class func makeFlow(options: ModelOptions, data: DataDescription, contextSize: Int,
                                        generator: inout RandomGenerator) throws -> Flow {
        let shape = data.featureShape.count == 2 ? [1] + data.featureShape : data.featureShape
        let levels = options[levels], steps = options[steps], hidden = options[hiddenChannels]
        guard shape.count == 3 else { throw ModelOptionError("glow: needs image data [C, H, W], got \(data.featureShape)") }
        guard shape[1] % (1 << levels) == 0, shape[2] % (1 << levels) == 0 else {
            throw ModelOptionError("glow: \(shape[1])×\(shape[2]) images are not divisible by 2^levels = \(1 << levels)")
        }
        return options[architecture] == .glow
            ? Flow.glow(imageShape: shape, levels: levels, steps: steps, hiddenChannels: hidden, contextSize: contextSize, generator: &generator)
            : Flow.imageRealNVP(imageShape: shape, levels: levels, steps: steps, hiddenChannels: hidden, contextSize: contextSize, generator: &generator)
    }
}

/// Masked autoregressive flow (Papamakarios et al. 2017), or IAF with `inverse`.
public final class MAFModel: FlowModel {
    public override class var modelName: String { "maf" }
    public override class var abstract: String { "Masked autoregressive flow: MADE affine layers (exact likelihood)" }
    static let normalization = ModelOption<Normalization>("normalization", default: .actnorm, help: "normalisation layer after each MADE layer")
    static let inverse = ModelOption<Bool>("inverse", default: false, help: "inverse autoregressive flow (fast sampling, slow density)")
    public override class var options: [any DeclaredOption] { commonOptions + [normalization, inverse] }
    public override class func makeFlow(options: ModelOptions, data: DataDescription, contextSize: Int,
                                        generator: inout RandomGenerator) throws -> Flow {
        let norm = options[normalization]
        return Flow.maf(dimension: data.dimension, layers: options[layers], hidden: options[hidden],
                        batchNorm: norm == .batchnorm, actNorm: norm == .actnorm, inverse: options[inverse],
                        contextSize: contextSize, generator: &generator)
    }
}

/// Neural spline flow (Durkan et al. 2019): rational-quadratic spline couplings or
/// autoregressive layers.
public final class NSFModel: FlowModel {
    public override class var modelName: String { "nsf" }
    public override class var abstract: String { "Neural spline flow: rational-quadratic spline layers (exact likelihood)" }
    static let bins = ModelOption<Int>("bins", default: 8, bounds: .positive, help: "spline bins K")
    static let bound = ModelOption<Float>("bound", default: 4, bounds: .positive, help: "the splines cover [−B, B]; identity outside")
    static let autoregressive = ModelOption<Bool>("autoregressive", default: false, help: "autoregressive (MADE) instead of coupling layers")
    public override class var options: [any DeclaredOption] { commonOptions + [bins, bound, autoregressive] }
    public override class func makeFlow(options: ModelOptions, data: DataDescription, contextSize: Int,
                                        generator: inout RandomGenerator) throws -> Flow {
        Flow.nsf(dimension: data.dimension, layers: options[layers], hidden: options[hidden],
                        binCount: options[bins], bound: options[bound], autoregressive: options[autoregressive],
                        contextSize: contextSize, generator: &generator)
    }
}
