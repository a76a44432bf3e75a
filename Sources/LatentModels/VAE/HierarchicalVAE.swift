import Foundation
import LatentCore
import LatentData
import LatentNN
import LatentProbability

/// A VAE with two stochastic layers (Burda et al., 2016, §5: 784-100-100-z₁-50-50-z₂):
///
/// generative `p(z₂) = N(0, I)`, `p(z₁ | z₂) = N(μ(z₂), diag σ²(z₂))`, `p(x | z₁)`;
/// recognition `q(z₁ | x)`, `q(z₂ | z₁)`, both diagonal Gaussians.
///
/// `log w = log p(x|z₁) + log p(z₁|z₂) + log p(z₂) − log q(z₁|x) − log q(z₂|z₁)`; trained on the
/// ELBO (`E log w`, KL by Monte Carlo) or the IWAE bound: `latent train hvae`.
public final class HierarchicalVAE: Module, SingleLossModel {
    public static let modelName = "hvae"
    public static let abstract = "VAE with two stochastic layers (Burda et al., 2016); ELBO or IWAE bound."
    static let latentDimension = ModelOption<Int>("latent-dimension", default: 100, bounds: .positive, help: "Dimension of the first stochastic layer z₁.")
    static let hidden = ModelOption<[Int]>("hidden", default: [100, 100], bounds: .positiveEntries(), help: "Hidden widths between x and z₁.")
    static let latentDimension2 = ModelOption<Int>("latent-dimension-2", default: 50, bounds: .positive, help: "Dimension of the second stochastic layer z₂.")
    static let hidden2 = ModelOption<[Int]>("hidden-2", default: [50, 50], bounds: .positiveEntries(), help: "Hidden widths between z₁ and z₂.")
    static let bound = ModelOption<VariationalBound>("bound", default: .elbo, help: "Training bound (K = samples).")
    /// The shared VAE options that do not apply to the two-layer model (its own networks and a standard prior).
    static let unsupported: Set<String> = VAEOptions.elboOnly.union([
        VAEOptions.latentDimension.name, VAEOptions.hidden.name, VAEOptions.prior.name, VAEOptions.priorComponents.name,
        VAEOptions.posterior.name, VAEOptions.posteriorFlows.name, VAEOptions.architecture.name, VAEOptions.channels.name,
    ])
    public static var options: [any DeclaredOption] {
        VAEOptions.common(samples: 1).filter { !unsupported.contains($0.name) } + [latentDimension, hidden, latentDimension2, hidden2, bound]
    }

    /// `x ↦ [μ, log σ²]` of `q(z₁ | x)`.
    public let encoder1: MultilayerPerceptron
    /// `z₁ ↦ [μ, log σ²]` of `q(z₂ | z₁)`.
    public let encoder2: MultilayerPerceptron
    /// `z₂ ↦ [μ, log σ²]` of `p(z₁ | z₂)`.
    public let decoder2: MultilayerPerceptron
    /// `p(x | z₁)`.
    public let decoder1: ObservationModel
    public let data: DataDescription
    public let latentDimensions: (Int, Int)
    public var bound: VariationalBound
    public var samples: Int
    /// K of the evaluation NLL.
    public var evaluationSamples: Int
    public let binarizes: Bool
    public var binarizationSeed: UInt64 = 2016
    /// `p(z₂) = N(0, I)`.
    let prior2: Independent

    /// A diagonal Gaussian from `[μ, log σ²]` network outputs.
    static func gaussian(_ parameters: Tensor) -> Independent { DiagonalGaussianPosterior.gaussian(parameters) }

    /// - Parameters:
    ///   - configuration: `latentDimension` and `hidden` are those of z₁ (between x and z₁);
    ///     the likelihood, binarisation, activation and evaluation samples as for a VAE; the
    ///     objective's bound (ELBO or IWAE) and samples are the training bound's.
    ///   - secondLatentDimension: Dimension of z₂.
    ///   - secondHidden: Hidden widths between z₁ and z₂.
    public init(configuration: VAEConfiguration, data: DataDescription, secondLatentDimension z2: Int, secondHidden: [Int],
                generator: inout RandomGenerator) {
        let c = configuration
        let z1 = c.latentDimension
        let d = data.dimension
        self.data = data
        latentDimensions = (z1, z2)
        bound = c.objective.bound
        samples = c.objective.samples
        evaluationSamples = c.evaluationSamples
        binarizes = c.binarizes
        encoder1 = MultilayerPerceptron(sizes: [d] + c.hidden + [2 * z1], activation: c.activation, generator: &generator)
        encoder2 = MultilayerPerceptron(sizes: [z1] + secondHidden + [2 * z2], activation: c.activation, generator: &generator)
        decoder2 = MultilayerPerceptron(sizes: [z2] + secondHidden.reversed() + [2 * z1], activation: c.activation, generator: &generator)
        var levels = 2
        if case .image(let l) = data.kind { levels = l }
        let family = c.likelihood.family(dimension: d, standardDeviation: c.observationStandardDeviation, levels: levels,
                                         mixtureComponents: c.mixtureComponents)
        decoder1 = ObservationModel(network: MultilayerPerceptron(sizes: [z1] + c.hidden.reversed() + [d * family.parametersPerDimension],
                                                                  activation: c.activation, generator: &generator),
                                    family: family, dimension: d)
        prior2 = Independent(Normal.standard([z2]), reinterpretedBatchDimensions: 1)
    }

    public convenience init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        var configuration = try VAEOptions.parse(options, data: data, model: Self.modelName)
        configuration.latentDimension = options[Self.latentDimension]
        configuration.hidden = options[Self.hidden]
        configuration.objective.bound = options[Self.bound]
        self.init(configuration: configuration, data: data, secondLatentDimension: options[Self.latentDimension2],
                  secondHidden: options[Self.hidden2], generator: &generator)
    }

    /// Flattened (and binarised) `[B, D]` features.
    public func prepare(_ batch: TensorBatch, training: Bool, generator: inout RandomGenerator) -> Tensor {
        let batch = binarizes ? BatchTransform.binarization(training: training, seed: binarizationSeed)(batch, generator: &generator) : batch
        return batch.features.reshaped(to: [batch.count, data.dimension])
    }

    /// The two parts of `log w` for `k` samples, `[k, B]` each: `log p(x | z₁)` and
    /// `log p(z₁, z₂) − log q(z₁, z₂ | x)` (the negative Monte-Carlo KL).
    public func logWeightTerms(_ x: Tensor, samples k: Int, generator: inout RandomGenerator)
        -> (reconstruction: Tensor, negativeKL: Tensor) {
        let q1 = Self.gaussian(encoder1(x))
        let z1 = q1.rsample([k], generator: &generator)
        let q2 = Self.gaussian(encoder2(z1))
        let z2 = q2.rsample([1], generator: &generator).squeezed(axis: 0)
        let p1 = Self.gaussian(decoder2(z2))
        let reconstruction = decoder1.logLikelihood(x, output: decoder1(z1))
        let negativeKL = p1.logProb(z1) + prior2.logProb(z2) - q1.logProb(z1) - q2.logProb(z2)
        return (reconstruction, negativeKL)
    }

    /// `log wₖ`, `[k, B]`.
    public func logImportanceWeights(_ x: Tensor, samples k: Int, generator: inout RandomGenerator) -> Tensor {
        let t = logWeightTerms(x, samples: k, generator: &generator)
        return t.reconstruction + t.negativeKL
    }

    public func trainingLoss(_ batch: TensorBatch, progress: TrainingProgress, generator: inout RandomGenerator) -> TrainingLoss {
        let x = prepare(batch, training: true, generator: &generator)
        let t = logWeightTerms(x, samples: samples, generator: &generator)
        switch bound {
        case .elbo:
            let reconstruction = t.reconstruction.mean(), kl = -t.negativeKL.mean()
            let (r, k) = (Double(reconstruction.scalar), Double(kl.scalar))
            return TrainingLoss(loss: kl - reconstruction, metrics: ["elbo": r - k, "kl": k, "reconstruction": -r])
        case .iwae:
            let value = ((t.reconstruction + t.negativeKL).logSumExp(alongAxis: 0) - Float(log(Double(samples)))).mean()
            return TrainingLoss(loss: -value, metrics: ["iwae-bound": Double(value.scalar)])
        }
    }

    public func evaluationSums(_ batch: TensorBatch, generator: inout RandomGenerator) -> [String: Double] {
        withoutDerivative {
            let x = prepare(batch, training: false, generator: &generator)
            let t = logWeightTerms(x, samples: 1, generator: &generator)
            let reconstruction = -Double(t.reconstruction.sum().scalar), kl = -Double(t.negativeKL.sum().scalar)
            var g = generator
            let logLikelihood = importanceSampledLogLikelihood(
                samples: evaluationSamples,
                chunkSize: importanceSamplingChunkSize(batchSize: batch.count, rowBudget: max(1, 16_384 / decoder1.parametersPerDimension))) { k in
                logImportanceWeights(x, samples: k, generator: &g)
            }
            generator = g
            // Active units of both layers: E_q[z₁] = μ₁(x); E_q[z₂] is approximated by the mean
            // of q(z₂ | z₁ = μ₁(x)).
            let mean1 = Self.gaussian(encoder1(x)).mean
            let mean2 = Self.gaussian(encoder2(mean1)).mean
            return ["nll": -Double(logLikelihood.sum().scalar), "negative-elbo": reconstruction + kl,
                    "kl": kl, "reconstruction": reconstruction]
                .merging(ActiveUnitStatistics.sums(posteriorMeans: mean1, name: "active-units")) { a, _ in a }
                .merging(ActiveUnitStatistics.sums(posteriorMeans: mean2, name: "active-units-2")) { a, _ in a }
        }
    }

    /// Headline `nll`, then the bound's terms and the active units of z₁ (`active-units`) and
    /// z₂ (`active-units-2`).
    public var evaluationMetrics: [String] { ["nll", "negative-elbo", "kl", "reconstruction", "active-units", "active-units-2"] }

    /// Active units of both stochastic layers (Burda et al., 2016, §5.2); for z₂ from the
    /// means of `q(z₂ | μ₁(x))`.
    public func finalizeEvaluation(_ means: [String: Double]) -> [String: Double] {
        ActiveUnitStatistics.finalize(ActiveUnitStatistics.finalize(means), name: "active-units-2")
            .filter { !$0.key.hasPrefix("_") }
    }

    /// Decoder means of `x` for ancestral draws `z₂ ~ p(z₂)`, `z₁ ~ p(z₁ | z₂)`.
    public func sample(count: Int, generator: inout RandomGenerator) -> Tensor {
        withoutDerivative {
            let z2 = generator.normal([count, latentDimensions.1])
            let z1 = Self.gaussian(decoder2(z2)).rsample([1], generator: &generator).squeezed(axis: 0)
            var means = decoder1.mean(output: decoder1(z1))
            if case .image = data.kind { means = means.clamped(min: 0, max: 1) }
            return means.reshaped(to: [count] + data.featureShape)
        }
    }

    public func figures(data batch: TensorBatch, generator: inout RandomGenerator) -> [ModelFigure] {
        guard data.featureShape.count >= 2 else { return [] }
        let n = 64
        let samples = sample(count: n, generator: &generator)
        let images = data.featureShape.count == 2 ? samples.reshaped(to: [n, 1] + data.featureShape) : samples
        return [ModelFigure(name: "samples", caption: "Decoder means of 64 ancestral draws z₂ → z₁ → x",
                            pixels: imageGrid(images, rows: 8))]
    }
}
