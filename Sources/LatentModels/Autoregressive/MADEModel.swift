import Foundation
import LatentCore
import LatentData
import LatentNN

/// MADE as a density model (Germain et al. 2015, "MADE: Masked Autoencoder for
/// Distribution Estimation"): `latent train made`. One masked MLP (``MADE``, the same
/// network MAF and IAF use) gives the parameters of every conditional in one pass.
///
/// - `output=bernoulli` (binary images):
///
///       log p(x) = Σᵢ xᵢ log σ(aᵢ(x<ᵢ)) + (1 − xᵢ) log(1 − σ(aᵢ(x<ᵢ)))
///
///   Images in [0, 1] are binarised like the VAEs' (`binarization=dynamic`: a new draw per
///   training batch, a fixed draw per example in evaluation).
/// - `output=gaussian-mixture` (real data; Germain et al. §6, Uria et al. 2013 "RNADE"):
///   each conditional is a mixture of `components` Gaussians,
///
///       p(xᵢ | x<ᵢ) = Σₖ πᵢₖ N(xᵢ; μᵢₖ, σᵢₖ²),  (logit πᵢ, μᵢ, log σᵢ) = MADE(x<ᵢ)ᵢ.
///
///   Continuous data is modelled as it is; images are uniformly dequantised and
///   logit-transformed as for the flows (``Dequantization``), so the NLL is an upper bound
///   on the discrete NLL, comparable with MAF's.
///
/// **Order- and connectivity-agnostic training.** With `masks K > 1` the model owns K
/// connectivities (random hidden degrees and, with `ordering=agnostic`, a random input
/// order each), determined by a fixed seed; training step s uses mask `s mod K`, and
/// evaluation scores the ensemble `log (1/K) Σₖ pₖ(x)` (log-mean-exp). With `masks=1` it is
/// the plain MADE in the chosen order (cycled hidden degrees).
public final class MADEModel: Module, SingleLossModel {
    public static let modelName = "made"
    public static let abstract = "MADE (Germain et al. 2015): masked autoencoder with Bernoulli (binary images) or Gaussian-mixture (real data) conditionals; order/connectivity-agnostic masks with a test-time ensemble."

    public enum Ordering: String, OptionChoice { case natural, reverse, random, agnostic }
    public enum Output: String, OptionChoice {
        case bernoulli
        case gaussianMixture = "gaussian-mixture"
    }

    static let hidden = ModelOption<[Int]>("hidden", default: [500, 500], bounds: .positiveEntries(nonEmpty: true), help: "Hidden layer widths.")
    static let ordering = ModelOption<Ordering>("ordering", default: .natural,
                                                help: "Input order: natural (raster), reverse, random (one fixed random order) or agnostic (a random order per mask).")
    static let masks = ModelOption<Int>("masks", default: 1, bounds: .within(1...1000),
                                        help: "Connectivity masks K cycled through in training (one per step) and averaged at test time.")
    static let binarization = ModelOption<VAEOptions.Binarization>("binarization", default: .dynamic,
                                                                   help: "Binarise [0,1] features (dynamic draws in training; a fixed draw per example index in evaluation), or none for data that is already binary.")
    static let output = ModelOption<Output>("output", default: .bernoulli,
                                            help: "Conditionals: bernoulli (binary images) or gaussian-mixture (real data; images are dequantised).")
    static let components = ModelOption<Int>("components", default: 5, bounds: .within(1...100),
                                             help: "gaussian-mixture: Gaussians per conditional.")
    public static var options: [any DeclaredOption] { [hidden, ordering, masks, binarization, output, components] }

    public let network: MADE
    public let data: DataDescription
    public let maskCount: Int
    public let orderingChoice: Ordering
    public let binarizes: Bool
    /// The conditionals' family.
    public let outputKind: Output
    /// Gaussians per conditional (`gaussian-mixture`).
    public let componentCount: Int
    /// The dequantisation of image data under `gaussian-mixture` (nil otherwise).
    let dequantization: Dequantization?
    /// Seed of the binarisation of evaluation data (as the VAEs').
    public var binarizationSeed: UInt64 = 2016
    /// Seed of the K connectivities.
    static let maskSeed: UInt64 = 0x4D41_4445

    public init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        outputKind = options[Self.output]
        componentCount = options[Self.components]
        switch (outputKind, data.kind) {
        case (.bernoulli, .image):
            dequantization = nil
        case (.bernoulli, _):
            throw ModelOptionError("\(Self.modelName): output=bernoulli models binary images; '\(data.name)' is not an image dataset (use output=gaussian-mixture for real data)")
        case (.gaussianMixture, .image(let levels)):
            dequantization = Dequantization(levels: levels)
        case (.gaussianMixture, .continuous):
            dequantization = nil
        case (.gaussianMixture, _):
            throw ModelOptionError("\(Self.modelName): output=gaussian-mixture models real vectors or images; '\(data.name)' is neither")
        }
        self.data = data
        maskCount = options[Self.masks]
        orderingChoice = options[Self.ordering]
        binarizes = outputKind == .bernoulli && options[Self.binarization] == .dynamic
        network = MADE(dimension: data.dimension, hidden: options[Self.hidden],
                       parametersPerDimension: outputKind == .bernoulli ? 1 : 3 * componentCount, generator: &generator)
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

    /// `log pₖ(x)` `[B]` of `x` `[B, D]` (binary, or real in the modelled space) under the mask in place.
    func logProbabilityWithCurrentMask(_ x: Tensor) -> Tensor {
        let out = network(x, context: nil)
        guard outputKind == .gaussianMixture else {
            return -binaryCrossEntropy(logits: out.reshaped(to: x.shape), targets: x, reduction: .none).sum(alongAxis: 1)
        }
        return Self.mixtureLogDensity(x, parameters: out, components: componentCount).sum(alongAxis: 1)
    }

    /// `log Σₖ πₖ N(x; μₖ, σₖ²)` `[B, D]` for `x` `[B, D]` and parameters `[B, D, 3K]`
    /// (mixture logits, means, log standard deviations; the log-σ clamped to [−9, 9]).
    static func mixtureLogDensity(_ x: Tensor, parameters: Tensor, components k: Int) -> Tensor {
        let b = x.shape[0], d = x.shape[1]
        let logits = parameters.sliced(starts: [0, 0, 0], sizes: [b, d, k])
        let means = parameters.sliced(starts: [0, 0, k], sizes: [b, d, k])
        let logScales = parameters.sliced(starts: [0, 0, 2 * k], sizes: [b, d, k]).clamped(min: -9, max: 9)
        let z = (x.reshaped(to: [b, d, 1]) - means) * (-logScales).exp()
        let logNormal = -0.5 * z * z - logScales - Float(0.5 * log(2 * Double.pi))
        return (logits.logSoftmax(alongAxis: 2) + logNormal).logSumExp(alongAxis: 2)
    }

    /// The modelled values of a batch: binary `[B, D]`, or real values with the log-Jacobian
    /// of the dequantisation and logit transform (`[B]`, zero for continuous data).
    func modelled(_ batch: TensorBatch, training: Bool, generator: inout RandomGenerator) -> (x: Tensor, logDeterminant: Tensor?) {
        let x = prepare(batch, training: training, generator: &generator)
        guard let dequantization else { return (x, nil) }
        let (w, logDet) = dequantization.forward(x, generator: &generator)
        return (w, logDet)
    }

    /// NLL in nats per example `[B]` on the data's own scale (the discrete scale for images).
    func negativeLogLikelihood(_ batch: TensorBatch, training: Bool, generator: inout RandomGenerator,
                               logProbability: (Tensor) -> Tensor) -> Tensor {
        let (x, logDet) = modelled(batch, training: training, generator: &generator)
        let logP = logProbability(x)
        guard let dequantization, let logDet else { return -logP }
        return dequantization.negativeLogLikelihood(flowLogProb: logP, logDeterminant: logDet, dimension: data.dimension)
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
        return TrainingLoss(loss: negativeLogLikelihood(batch, training: true, generator: &generator,
                                                        logProbability: logProbabilityWithCurrentMask).mean())
    }

    public var evaluationMetrics: [String] { [MetricName.nll] }

    public func evaluationSums(_ batch: TensorBatch, generator: inout RandomGenerator) -> [String: Double] {
        [MetricName.nll: Double(negativeLogLikelihood(batch, training: false, generator: &generator, logProbability: logProbability).sum().scalar)]
    }

    /// Ancestral sampling in the order of mask 0 (images under `gaussian-mixture` are mapped
    /// back from the logit space to [0, 1]), updating the network incrementally
    /// (``MADE/sampleAutoregressively(count:context:incremental:draw:)``).
    public func sample(count: Int, generator: inout RandomGenerator) -> Tensor {
        sample(count: count, incremental: true, generator: &generator)
    }

    /// Samples `[count] + featureShape`, incrementally or by a full pass per pixel.
    public func sample(count: Int, incremental: Bool, generator: inout RandomGenerator) -> Tensor {
        useMask(0)
        let k = componentCount
        let x = network.sampleAutoregressively(count: count, incremental: incremental) { _, out in
            let u = generator.uniform([count]).scalars, l = out.scalars
            guard outputKind == .gaussianMixture else {
                return (0..<count).map { u[$0] < 1 / (1 + Foundation.exp(-l[$0])) ? 1 : 0 }
            }
            // A component by inverse CDF of its softmax weights, then μ + σε.
            let e = generator.normal([count]).scalars
            return (0..<count).map { b in
                let row = Array(l[(b * 3 * k)..<((b + 1) * 3 * k)])
                let top = row[0..<k].max()!
                let weights = row[0..<k].map { Foundation.exp(Double($0 - top)) }
                var target = Double(u[b]) * weights.reduce(0, +), c = 0
                while c < k - 1 && target >= weights[c] { target -= weights[c]; c += 1 }
                return row[k + c] + Foundation.exp(min(max(row[2 * k + c], -9), 9)) * e[b]
            }
        }
        let values = dequantization.map { $0.inverse(x) } ?? x
        return values.reshaped(to: [count] + data.featureShape)
    }
}
