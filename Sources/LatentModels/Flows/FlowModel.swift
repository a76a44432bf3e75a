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
open class FlowModel: Module, GenerativeModel {
    open class var modelName: String { "flow" }
    open class var abstract: String { "A normalising flow" }
    /// Options of every flow model; subclasses add theirs.
    public static var commonOptions: [ModelOption] {
        [
            ModelOption("layers", .integer, default: "5", help: "number of flow layers (couplings or autoregressive layers)"),
            ModelOption("hidden", .integers, default: "128,128", help: "hidden widths of each conditioner network"),
            ModelOption("conditional", .flag, default: "false", help: "condition on the class label (needs a labelled dataset)"),
            ModelOption("logit-alpha", .number, default: "0.000001", help: "α of the logit transform for images"),
        ]
    }
    open class var options: [ModelOption] { commonOptions }

    /// Builds the flow for `data` (vector flows use D = `data.dimension`) with context `contextSize`.
    open class func makeFlow(options: ModelOptions, data: DataDescription, contextSize: Int,
                             generator: inout RandomGenerator) throws -> Flow {
        Flow.realNVP(dimension: data.dimension, layers: options.integer("layers"), hidden: options.integers("hidden"),
                     contextSize: contextSize, generator: &generator)
    }

    public let flow: Flow
    public let data: DataDescription
    public let dequantization: Dequantization?
    public let classCount: Int
    /// Cells per side of the 2-D density heat map in ``figures(data:generator:)``.
    public var heatMapResolution = 200

    public required init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        let conditional = options.flag("conditional")
        if conditional && data.classCount == nil {
            throw ModelOptionError("\(Self.modelName): 'conditional' needs a dataset with class labels; \(data.name) has none")
        }
        guard data.dimension >= 2 else { throw ModelOptionError("\(Self.modelName): needs data of at least 2 dimensions, got \(data.featureShape)") }
        let declared = Set(Self.options.map(\.name))
        if declared.contains("hidden") {
            let hidden = options.integers("hidden")
            guard !hidden.isEmpty, hidden.allSatisfy({ $0 > 0 }) else {
                throw ModelOptionError("\(Self.modelName): option 'hidden' needs one or more positive widths, got '\(options.string("hidden"))'")
            }
        }
        if declared.contains("layers") {
            guard options.integer("layers") >= 1 else { throw ModelOptionError("\(Self.modelName): option 'layers' must be at least 1") }
        }
        self.data = data
        self.classCount = conditional ? data.classCount! : 0
        if case .image(let levels) = data.kind {
            dequantization = Dequantization(levels: levels, alpha: options.number("logit-alpha"))
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
        return TrainingLoss(loss: nll, metrics: ["nll": value, "bitsPerDimension": value * bitsPerNat])
    }

    public var evaluationMetrics: [String] { ["nll", "bitsPerDimension"] }

    public func evaluationSums(_ batch: TensorBatch, generator: inout RandomGenerator) -> [String: Double] {
        let nll = withoutDerivative { negativeLogLikelihood(batch, generator: &generator) }.sum().scalar
        return ["nll": Double(nll), "bitsPerDimension": Double(nll) * bitsPerNat]
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
    public override class var options: [ModelOption] {
        commonOptions + [
            ModelOption("additive", .flag, default: "false", help: "additive (NICE) instead of affine couplings"),
            ModelOption("normalization", .choice(["actnorm", "batchnorm", "none"]), default: "actnorm", help: "normalisation layer after each coupling"),
        ]
    }
    public override class func makeFlow(options: ModelOptions, data: DataDescription, contextSize: Int,
                                        generator: inout RandomGenerator) throws -> Flow {
        let norm = options.string("normalization")
        return Flow.realNVP(dimension: data.dimension, layers: options.integer("layers"), hidden: options.integers("hidden"),
                            additive: options.flag("additive"), actNorm: norm == "actnorm", batchNorm: norm == "batchnorm",
                            contextSize: contextSize, generator: &generator)
    }
}

/// Glow (Kingma & Dhariwal 2018) on images: multi-scale, ActNorm, LU 1×1 convolutions,
/// affine channel couplings with CNN conditioners. `architecture: realnvp` gives the
/// multi-scale RealNVP (checkerboard and channel masks) instead.
public final class GlowModel: FlowModel {
    public override class var modelName: String { "glow" }
    public override class var abstract: String { "Glow: multi-scale image flow with 1×1 convolutions (exact likelihood, bits/dim)" }
    public override class var options: [ModelOption] {
        [
            ModelOption("levels", .integer, default: "2", help: "number of scales L (H and W divisible by 2^L)"),
            ModelOption("steps", .integer, default: "4", help: "flow steps K per level"),
            ModelOption("hidden-channels", .integer, default: "64", help: "channels of the coupling CNNs"),
            ModelOption("architecture", .choice(["glow", "realnvp"]), default: "glow", help: "Glow steps or RealNVP checkerboard/channel couplings"),
            ModelOption("conditional", .flag, default: "false", help: "condition on the class label (needs a labelled dataset)"),
            ModelOption("logit-alpha", .number, default: "0.000001", help: "α of the logit transform for images"),
        ]
    }
    public override class func makeFlow(options: ModelOptions, data: DataDescription, contextSize: Int,
                                        generator: inout RandomGenerator) throws -> Flow {
        let shape = data.featureShape.count == 2 ? [1] + data.featureShape : data.featureShape
        let levels = options.integer("levels"), steps = options.integer("steps"), hidden = options.integer("hidden-channels")
        guard shape.count == 3 else { throw ModelOptionError("glow: needs image data [C, H, W], got \(data.featureShape)") }
        guard levels >= 1, shape[1] % (1 << levels) == 0, shape[2] % (1 << levels) == 0 else {
            throw ModelOptionError("glow: \(shape[1])×\(shape[2]) images are not divisible by 2^levels = \(1 << max(levels, 0))")
        }
        guard steps >= 1, hidden >= 1 else { throw ModelOptionError("glow: 'steps' and 'hidden-channels' must be positive") }
        return options.string("architecture") == "glow"
            ? Flow.glow(imageShape: shape, levels: levels, steps: steps, hiddenChannels: hidden, contextSize: contextSize, generator: &generator)
            : Flow.imageRealNVP(imageShape: shape, levels: levels, steps: steps, hiddenChannels: hidden, contextSize: contextSize, generator: &generator)
    }
}

/// Masked autoregressive flow (Papamakarios et al. 2017), or IAF with `inverse`.
public final class MAFModel: FlowModel {
    public override class var modelName: String { "maf" }
    public override class var abstract: String { "Masked autoregressive flow: MADE affine layers (exact likelihood)" }
    public override class var options: [ModelOption] {
        commonOptions + [
            ModelOption("normalization", .choice(["actnorm", "batchnorm", "none"]), default: "actnorm", help: "normalisation layer after each MADE layer"),
            ModelOption("inverse", .flag, default: "false", help: "inverse autoregressive flow (fast sampling, slow density)"),
        ]
    }
    public override class func makeFlow(options: ModelOptions, data: DataDescription, contextSize: Int,
                                        generator: inout RandomGenerator) throws -> Flow {
        let norm = options.string("normalization")
        return Flow.maf(dimension: data.dimension, layers: options.integer("layers"), hidden: options.integers("hidden"),
                        batchNorm: norm == "batchnorm", actNorm: norm == "actnorm", inverse: options.flag("inverse"),
                        contextSize: contextSize, generator: &generator)
    }
}

/// Neural spline flow (Durkan et al. 2019): rational-quadratic spline couplings or
/// autoregressive layers.
public final class NSFModel: FlowModel {
    public override class var modelName: String { "nsf" }
    public override class var abstract: String { "Neural spline flow: rational-quadratic spline layers (exact likelihood)" }
    public override class var options: [ModelOption] {
        commonOptions + [
            ModelOption("bins", .integer, default: "8", help: "spline bins K"),
            ModelOption("bound", .number, default: "4", help: "the splines cover [−B, B]; identity outside"),
            ModelOption("autoregressive", .flag, default: "false", help: "autoregressive (MADE) instead of coupling layers"),
        ]
    }
    public override class func makeFlow(options: ModelOptions, data: DataDescription, contextSize: Int,
                                        generator: inout RandomGenerator) throws -> Flow {
        let bins = options.integer("bins"), bound = options.number("bound")
        guard bins >= 1 else { throw ModelOptionError("nsf: option 'bins' must be positive, got \(bins)") }
        guard bound > 0 else { throw ModelOptionError("nsf: option 'bound' must be positive, got \(bound)") }
        return Flow.nsf(dimension: data.dimension, layers: options.integer("layers"), hidden: options.integers("hidden"),
                        binCount: bins, bound: bound, autoregressive: options.flag("autoregressive"),
                        contextSize: contextSize, generator: &generator)
    }
}
