import Foundation
import LatentCore
import LatentData
import LatentNN

/// MADE as a density model of binary images (Germain et al. 2015, "MADE: Masked
/// Autoencoder for Distribution Estimation"): `latent train made`.
///
///     log p(x) = Σᵢ xᵢ log σ(aᵢ(x<ᵢ)) + (1 − xᵢ) log(1 − σ(aᵢ(x<ᵢ)))
///
/// one masked MLP (``MADE``) giving every Bernoulli logit `aᵢ` in one pass. Images in
/// [0, 1] are binarised like the VAEs' (`binarization=dynamic`: a new draw per training
/// batch, a fixed draw per example in evaluation).
///
/// **Order- and connectivity-agnostic training.** With `masks K > 1` the model owns K
/// connectivities (random hidden degrees and, with `ordering=agnostic`, a random input
/// order each), determined by a fixed seed; training step s uses mask `s mod K`, and
/// evaluation scores the ensemble `log (1/K) Σₖ pₖ(x)` (log-mean-exp). With `masks=1` it is
/// the plain MADE in the chosen order (cycled hidden degrees).
public final class MADEModel: Module, SingleLossModel {
    public static let modelName = "made"
    public static let abstract = "MADE (Germain et al. 2015): masked autoencoder with Bernoulli outputs for binary images; order/connectivity-agnostic masks with a test-time ensemble."

    public enum Ordering: String, OptionChoice { case natural, reverse, random, agnostic }

    static let hidden = ModelOption<[Int]>("hidden", default: [500, 500], bounds: .positiveEntries(nonEmpty: true), help: "Hidden layer widths.")
    static let ordering = ModelOption<Ordering>("ordering", default: .natural,
                                                help: "Input order: natural (raster), reverse, random (one fixed random order) or agnostic (a random order per mask).")
    static let masks = ModelOption<Int>("masks", default: 1, bounds: .within(1...1000),
                                        help: "Connectivity masks K cycled through in training (one per step) and averaged at test time.")
    static let binarization = ModelOption<VAEOptions.Binarization>("binarization", default: .dynamic,
                                                                   help: "Binarise [0,1] features (dynamic draws in training; a fixed draw per example index in evaluation), or none for data that is already binary.")
    public static var options: [any DeclaredOption] { [hidden, ordering, masks, binarization] }

    public let network: MADE
    public let data: DataDescription
    public let maskCount: Int
    public let orderingChoice: Ordering
    public let binarizes: Bool
    /// Seed of the binarisation of evaluation data (as the VAEs').
    public var binarizationSeed: UInt64 = 2016
    /// Seed of the K connectivities.
    static let maskSeed: UInt64 = 0x4D41_4445

    public init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        guard case .image = data.kind else {
            throw ModelOptionError("\(Self.modelName): models binary images; '\(data.name)' is not an image dataset")
        }
        self.data = data
        maskCount = options[Self.masks]
        orderingChoice = options[Self.ordering]
        binarizes = options[Self.binarization] == .dynamic
        network = MADE(dimension: data.dimension, hidden: options[Self.hidden], parametersPerDimension: 1, generator: &generator)
        super.init()
        useMask(0)
    }

    /// Installs connectivity `k` (a pure function of k and the options; the masks a
    /// checkpoint holds are whichever was installed last, so every use installs its own).
    public func useMask(_ k: Int) {
        let d = data.dimension
        var g = RandomGenerator(seed: Self.maskSeed &+ UInt64(k))
        var order: [Int]
        switch orderingChoice {
        case .natural: order = Array(0..<d)
        case .reverse: order = Array((0..<d).reversed())
        case .random: var fixed = RandomGenerator(seed: Self.maskSeed &- 1); order = fixed.permutation(d)
        case .agnostic: order = g.permutation(d)
        }
        if maskCount == 1 && orderingChoice != .agnostic {
            network.setConnectivity(ordering: order)
        } else {
            network.setConnectivity(ordering: order, hiddenDegrees: MADE.randomDegrees(network.hidden, dimension: d, generator: &g))
        }
    }

    /// `[B, D]` binary features of a batch.
    func prepare(_ batch: TensorBatch, training: Bool, generator: inout RandomGenerator) -> Tensor {
        let batch = binarizes ? BatchTransform.binarization(training: training, seed: binarizationSeed)(batch, generator: &generator) : batch
        return batch.features.reshaped(to: [batch.count, data.dimension])
    }

    /// `log pₖ(x)` `[B]` of binary `x` `[B, D]` under the mask in place.
    func logProbabilityWithCurrentMask(_ x: Tensor) -> Tensor {
        let logits = network(x, context: nil).reshaped(to: x.shape)
        return -binaryCrossEntropy(logits: logits, targets: x, reduction: .none).sum(alongAxis: 1)
    }

    /// `log (1/K) Σₖ pₖ(x)` `[B]` of binary `x` `[B, D]`: the ensemble over the K masks.
    public func logProbability(_ x: Tensor) -> Tensor {
        let perMask = (0..<maskCount).map { k -> Tensor in
            useMask(k)
            return logProbabilityWithCurrentMask(x).reshaped(to: [x.shape[0], 1])
        }
        return concatenate(perMask, alongAxis: 1).logSumExp(alongAxis: 1) - Float(log(Double(maskCount)))
    }

    public func trainingLoss(_ batch: TensorBatch, progress: TrainingProgress, generator: inout RandomGenerator) -> TrainingLoss {
        useMask(progress.step % maskCount)
        let x = prepare(batch, training: true, generator: &generator)
        return TrainingLoss(loss: -logProbabilityWithCurrentMask(x).mean())
    }

    public var evaluationMetrics: [String] { [MetricName.nll] }

    public func evaluationSums(_ batch: TensorBatch, generator: inout RandomGenerator) -> [String: Double] {
        let x = prepare(batch, training: false, generator: &generator)
        return [MetricName.nll: -Double(logProbability(x).sum().scalar)]
    }

    /// Ancestral sampling in the order of mask 0, updating the network incrementally
    /// (``MADE/sampleAutoregressively(count:context:incremental:draw:)``).
    public func sample(count: Int, generator: inout RandomGenerator) -> Tensor {
        sample(count: count, incremental: true, generator: &generator)
    }

    /// Samples `[count] + featureShape`, incrementally or by a full pass per pixel.
    public func sample(count: Int, incremental: Bool, generator: inout RandomGenerator) -> Tensor {
        useMask(0)
        let x = network.sampleAutoregressively(count: count, incremental: incremental) { _, logits in
            let u = generator.uniform([count]).scalars, l = logits.scalars
            return (0..<count).map { u[$0] < 1 / (1 + Foundation.exp(-l[$0])) ? 1 : 0 }
        }
        return x.reshaped(to: [count] + data.featureShape)
    }
}
