import Foundation
import LatentCore
import LatentData
import LatentNN

/// The bound a VAE trains on.
public enum VariationalBound: String, Sendable, CaseIterable {
    /// The evidence lower bound, `E_q[log p(x|z)] − β·KL(q(z|x) ‖ p(z))` (Kingma & Welling, 2014).
    case elbo
    /// The importance-weighted bound `E[log (1/K) Σₖ p(x, zₖ)/q(zₖ|x)]` (Burda et al., 2016).
    case iwae
}

/// How the gradient of the IWAE bound reaches the encoder.
public enum IWAEGradientEstimator: String, Sendable, CaseIterable {
    /// Reparameterised gradient of the bound as it is (its signal-to-noise ratio for the
    /// encoder falls as K grows; Rainforth et al., 2018).
    case standard
    /// Doubly reparameterised gradient (Tucker et al., 2019): the encoder's gradient is
    /// `Σₖ w̃ₖ² ∂log wₖ/∂zₖ · ∂zₖ/∂φ` with `log q` evaluated at stopped parameters;
    /// the decoder's gradient is unchanged.
    case dreg
}

/// Training objective settings of the VAE family.
public struct VAEObjective: Sendable {
    /// ELBO or IWAE.
    public var bound: VariationalBound = .elbo
    /// Samples per example: Monte-Carlo samples of the ELBO, or K of the IWAE bound.
    public var samples: Int = 1
    /// Weight β of the KL term (β-VAE, Higgins et al., 2017); ELBO only.
    public var beta: Float = 1
    /// Steps over which the KL weight rises linearly from 0 to β (Bowman et al., 2016); 0 = none.
    public var klWarmupSteps: Int = 0
    /// Free bits λ in nats per latent dimension (Kingma et al., 2016): the KL term becomes
    /// `Σⱼ max(λ, E_batch[KLⱼ])`; 0 = off. ELBO only.
    public var freeBits: Float = 0
    /// Gradient estimator of the IWAE bound.
    public var estimator: IWAEGradientEstimator = .standard

    public init(bound: VariationalBound = .elbo, samples: Int = 1, beta: Float = 1, klWarmupSteps: Int = 0,
                freeBits: Float = 0, estimator: IWAEGradientEstimator = .standard) {
        self.bound = bound
        self.samples = samples
        self.beta = beta
        self.klWarmupSteps = klWarmupSteps
        self.freeBits = freeBits
        self.estimator = estimator
    }

    /// The KL weight at `step`: `β · min(1, step / warm-up)`.
    public func klWeight(step: Int) -> Float {
        klWarmupSteps > 0 ? beta * min(1, Float(step) / Float(klWarmupSteps)) : beta
    }
}

/// A variational autoencoder with MLP encoder `q(z | x, c) = N(μ, diag σ²)`, a
/// standard-normal prior `p(z)` and a decoder `p(x | z, c)` (Kingma & Welling, 2014;
/// Rezende et al., 2014), optionally conditioned on one-hot labels `c` (Sohn et al., 2015).
///
/// The shared machinery of ``VAE``, ``IWAE`` and ``ConditionalVAE``: bounds, the
/// importance-sampled log-likelihood, sampling and pictures. Inputs are flattened to `[B, D]`.
/// With a Bernoulli decoder, features in [0, 1] are binarised dynamically in training and
/// with a fixed, index-determined binarisation in evaluation (so evaluation is reproducible
/// and NLL is in nats per example of the binary data).
open class VariationalAutoencoder: Module {
    /// Recognition network: `[x, c] ↦` the posterior's parameters (`[μ, log σ²]`, then the
    /// Cholesky entries, planar parameters or IAF context; one linear head).
    public let encoder: any Layer
    /// Decoder network and likelihood.
    public let decoder: ObservationModel
    /// The data the model was built for.
    public let data: DataDescription
    /// `Z`.
    public let latentDimension: Int
    /// Width of the one-hot condition (0 for an unconditional model).
    public let conditionDimension: Int
    /// The training objective.
    public var objective: VAEObjective
    /// Importance samples K of the NLL reported by ``evaluationSums(_:generator:)``
    /// (5000 for final numbers; lower it for fast validation passes).
    public var evaluationSamples: Int
    /// Whether features are binarised (dynamic in training, fixed in evaluation).
    public let binarizes: Bool
    /// Seed of the fixed evaluation binarisation.
    public var binarizationSeed: UInt64 = 2016
    /// Whether `q(z|x)` has a full covariance (Cholesky factor from the encoder).
    public let fullCovariance: Bool
    /// The family of `q(z|x)`.
    public let posteriorKind: PosteriorKind
    /// Planar or IAF steps of a flow posterior.
    public let posteriorFlows: Int
    /// The MADE networks of the IAF steps (empty unless ``PosteriorKind/iaf``).
    public let inverseAutoregressiveNetworks: [MADE]
    /// MLP or convolutional networks.
    public let architecture: NetworkArchitecture
    /// The kind of prior `p(z)`.
    public let priorKind: LatentPriorKind
    /// The learned mixture prior (``LatentPriorKind/mixture``).
    public let mixturePrior: GaussianMixturePrior?
    /// VampPrior pseudo-inputs `[C, D]` (``LatentPriorKind/vamp``).
    public let pseudoInputs: Parameter?

    /// - Parameters:
    ///   - data: Feature shape and kind.
    ///   - latentDimension: `Z`.
    ///   - hidden: Hidden widths of the encoder; the decoder uses them reversed.
    ///   - activation: Nonlinearity of both networks.
    ///   - likelihood: The decoder's distribution.
    ///   - observationStandardDeviation: σ of ``ObservationLikelihood/gaussianFixed``.
    ///   - binarizes: Binarise [0, 1] features (Bernoulli decoders).
    ///   - conditionDimension: Width of one-hot labels to condition on (0 = none).
    ///   - objective: Training objective.
    ///   - evaluationSamples: K of the evaluation NLL.
    ///   - prior: The prior family; `priorComponents` its mixture components or pseudo-inputs.
    ///   - fullCovariance: Full-covariance `q` (the same as `posterior: .full`).
    ///   - posterior: The family of `q` (overrides `fullCovariance` when given).
    ///   - posteriorFlows: Steps of a planar or IAF posterior.
    ///   - architecture: MLP networks (`hidden` widths) or convolutional ones (`channels`).
    ///   - channels: Channels of the two convolutions of ``NetworkArchitecture/conv``.
    ///   - mixtureComponents: Components of the logistic-mixture decoder.
    public init(data: DataDescription, latentDimension: Int, hidden: [Int],
                activation: MultilayerPerceptron.Activation = .relu,
                likelihood: ObservationLikelihood, observationStandardDeviation: Float = 0.1,
                binarizes: Bool, conditionDimension: Int = 0, objective: VAEObjective = VAEObjective(),
                evaluationSamples: Int = 5000, prior: LatentPriorKind = .standard, priorComponents: Int = 10,
                fullCovariance: Bool = false, posterior: PosteriorKind? = nil, posteriorFlows: Int = 4,
                architecture: NetworkArchitecture = .mlp, channels: [Int] = [32, 64], mixtureComponents: Int = 5,
                generator: inout RandomGenerator) {
        ensure(latentDimension > 0, "VariationalAutoencoder: latent dimension must be positive, got \(latentDimension)")
        let d = data.dimension
        let posteriorKind = posterior ?? (fullCovariance ? .full : .diagonal)
        var levels = 2
        if case .image(let l) = data.kind { levels = l }
        ensure(!likelihood.isDiscrete || levels >= 2, "VariationalAutoencoder: \(likelihood.rawValue) decoders need image data")
        ensure(architecture == .mlp || ConvolutionalEncoder.accepts(data.featureShape),
               "VariationalAutoencoder: convolutional networks need [C, H, W] images with H, W divisible by 4, got \(data.featureShape)")
        ensure(!posteriorKind.isFlow || posteriorFlows >= 1, "VariationalAutoencoder: posteriorFlows must be positive")
        ensure(!posteriorKind.isFlow || prior != .vamp, "VariationalAutoencoder: the VampPrior needs a Gaussian posterior")
        self.data = data
        self.latentDimension = latentDimension
        self.conditionDimension = conditionDimension
        self.objective = objective
        self.evaluationSamples = evaluationSamples
        self.binarizes = binarizes
        priorKind = prior
        self.fullCovariance = posteriorKind == .full
        self.posteriorKind = posteriorKind
        self.posteriorFlows = posteriorFlows
        self.architecture = architecture
        mixturePrior = prior == .mixture
            ? GaussianMixturePrior(components: priorComponents, latentDimension: latentDimension, generator: &generator) : nil
        pseudoInputs = prior == .vamp ? Parameter(generator.uniform([priorComponents, d])) : nil
        ensure(prior != .vamp || conditionDimension == 0, "VariationalAutoencoder: the VampPrior needs an unconditional model")
        let z = latentDimension
        let contextSize = Self.inverseAutoregressiveWidth(latentDimension: z)
        let head: Int
        switch posteriorKind {
        case .diagonal: head = 2 * z
        case .full: head = FullCovarianceGaussian.parameterCount(latentDimension: z)
        case .planar: head = 2 * z + posteriorFlows * FlowPosterior.planarParameterCount(latentDimension: z)
        case .iaf: head = 2 * z + contextSize
        }
        let perDimension = ObservationModel.parametersPerDimension(likelihood: likelihood, levels: levels,
                                                                   mixtureComponents: mixtureComponents)
        switch architecture {
        case .mlp:
            encoder = MultilayerPerceptron(sizes: [d + conditionDimension] + hidden + [head],
                                           activation: activation, generator: &generator)
        case .conv:
            encoder = ConvolutionalEncoder(imageShape: data.featureShape, channels: channels, conditionDimension: conditionDimension,
                                           outputSize: head, activation: activation, generator: &generator)
        }
        let decoderNetwork: any Layer
        switch architecture {
        case .mlp:
            decoderNetwork = MultilayerPerceptron(sizes: [z + conditionDimension] + hidden.reversed() + [d * perDimension],
                                                  activation: activation, generator: &generator)
        case .conv:
            decoderNetwork = ConvolutionalDecoder(inputSize: z + conditionDimension, imageShape: data.featureShape,
                                                  channels: channels, parametersPerDimension: perDimension,
                                                  activation: activation, generator: &generator)
        }
        decoder = ObservationModel(network: decoderNetwork, likelihood: likelihood, dimension: d,
                                   fixedScale: observationStandardDeviation, levels: levels, mixtureComponents: mixtureComponents)
        // IAF gates start open (sigmoid(1.5) ≈ 0.82) with zero shifts: close to the identity.
        inverseAutoregressiveNetworks = posteriorKind != .iaf ? [] : (0..<posteriorFlows).map { _ in
            MADE(dimension: z, hidden: [contextSize, contextSize], parametersPerDimension: 2, contextSize: contextSize,
                 outputBias: Array(repeating: [0, 1.5], count: z).flatMap { $0 }, generator: &generator)
        }
    }

    /// Width of the IAF context from the encoder and of the MADE hidden layers: `max(4Z, 64)`.
    public static func inverseAutoregressiveWidth(latentDimension z: Int) -> Int { max(4 * z, 64) }

    // MARK: Data

    /// Flattened `[B, D]` features (binarised when the model binarises: dynamically when
    /// `training`, else by the fixed index-determined draw) and the one-hot condition.
    public func prepare(_ batch: TensorBatch, training: Bool, generator: inout RandomGenerator) -> (x: Tensor, condition: Tensor?) {
        var batch = batch
        if binarizes {
            batch = training ? BatchTransform.dynamicBinarization(batch, generator: &generator)
                             : BatchTransform.fixedBinarization(seed: binarizationSeed)(batch, generator: &generator)
        }
        let x = batch.features.reshaped(to: [batch.count, data.dimension])
        guard conditionDimension > 0 else { return (x, nil) }
        if let oneHot = batch.oneHotLabels { return (x, oneHot.reshaped(to: [batch.count, conditionDimension])) }
        guard let labels = batch.labels else {
            fatalError("\(type(of: self)): a conditional model needs labelled batches")
        }
        return (x, oneHot(labels, classCount: conditionDimension))
    }

    // MARK: Networks

    /// `q(z | x, c)` for `[B, D]` inputs.
    public func posterior(_ x: Tensor, condition: Tensor? = nil) -> any GaussianPosterior {
        let parameters = encoder(Self.appending(condition, to: x))
        let z = latentDimension
        switch posteriorKind {
        case .diagonal: return DiagonalGaussian(parameters: parameters)
        case .full: return FullCovarianceGaussian(parameters: parameters, latentDimension: z)
        case .planar:
            let parts = parameters.split(sizes: [2 * z, parameters.shape[1] - 2 * z], alongAxis: 1)
            let steps = parts[1].chunked(posteriorFlows, alongAxis: 1).map { FlowPosterior.planarStep(parameters: $0) }
            return FlowPosterior(base: DiagonalGaussian(parameters: parts[0]), steps: steps)
        case .iaf:
            let parts = parameters.split(sizes: [2 * z, parameters.shape[1] - 2 * z], alongAxis: 1)
            let steps = inverseAutoregressiveNetworks.map { FlowPosterior.inverseAutoregressiveStep(network: $0, context: parts[1]) }
            return FlowPosterior(base: DiagonalGaussian(parameters: parts[0]), steps: steps)
        }
    }

    /// Decoder output (logits or means) for latents `[..., B, Z]`.
    public func decode(_ z: Tensor, condition: Tensor? = nil) -> Tensor {
        decoder(Self.appending(condition, to: z))
    }

    static func appending(_ condition: Tensor?, to x: Tensor) -> Tensor {
        guard let condition else { return x }
        let c = condition.rank == x.rank ? condition
            : condition.broadcast(to: Array(x.shape.dropLast()) + [condition.shape.last!])
        return concatenate([x, c], alongAxis: x.rank - 1)
    }

    // MARK: Prior

    /// `log p(z)` for `z` of shape `[..., Z]`.
    public func priorLogProb(_ z: Tensor) -> Tensor {
        switch priorKind {
        case .standard: return standardNormalLogProb(z)
        case .mixture: return mixturePrior!.logProb(z)
        case .vamp:
            let components = DiagonalGaussian(parameters: encoder(pseudoInputs!.wrappedValue))
            let c = components.mean.shape[0]
            return mixtureLogProb(z, components: components, logWeights: Tensor.full([c], -Float(log(Double(c)))))
        }
    }

    /// `count` draws from `p(z)`, `[count, Z]`.
    public func samplePrior(count: Int, generator: inout RandomGenerator) -> Tensor {
        switch priorKind {
        case .standard: return generator.normal([count, latentDimension])
        case .mixture: return mixturePrior!.sample(count: count, generator: &generator)
        case .vamp:
            let components = withoutDerivative { DiagonalGaussian(parameters: encoder(pseudoInputs!.wrappedValue)) }
            let c = components.mean.shape[0]
            return sampleComponents(components, chosen: (0..<count).map { _ in Int.random(in: 0..<c, using: &generator) },
                                    generator: &generator)
        }
    }

    // MARK: Bounds

    /// `log wₖ = log p(x | zₖ) + log p(zₖ) − log q(zₖ | x)` for `k` reparameterised samples,
    /// shaped `[k, B]`.
    ///
    /// - Parameter gradientSlot: For DReG: `log q` uses stopped parameters and the gradient
    ///   into `z` is scaled by the slot (filled by the caller).
    func logWeights(_ x: Tensor, condition: Tensor?, samples k: Int, generator: inout RandomGenerator,
                    gradientSlot: GradientScaleSlot? = nil) -> Tensor {
        let q = posterior(x, condition: condition)
        var (z, logQ) = (Tensor(0), Tensor(0))
        if let gradientSlot {
            ensure(q.hasAnalyticKL, "VariationalAutoencoder: the DReG estimator needs a Gaussian posterior")
            z = q.rsample(sampleCount: k, generator: &generator).scalingGradient(by: gradientSlot)
            logQ = q.detachedPosterior().logProb(z)
        } else {
            (z, logQ) = q.rsampleWithLogProb(sampleCount: k, generator: &generator)
        }
        let output = decode(z, condition: condition)
        return decoder.logLikelihood(x, output: output) + priorLogProb(z) - logQ
    }

    /// `log wₖ` for `k` samples (`[k, B]`), public for evaluation and tests.
    public func logImportanceWeights(_ x: Tensor, condition: Tensor? = nil, samples k: Int,
                                     generator: inout RandomGenerator) -> Tensor {
        logWeights(x, condition: condition, samples: k, generator: &generator)
    }

    /// Per-example ELBO terms with one reparameterised sample (or `samples` averaged):
    /// `E_q[log p(x|z)]` (`[B]`), `KL(q ‖ p)` (`[B]`) and, for the standard-normal prior, the
    /// analytic per-dimension KL (`[B, Z]`; otherwise — other priors, flow posteriors — the
    /// KL is the Monte-Carlo estimate `E_q[log q(z|x) − log p(z)]` on the same samples and the
    /// per-dimension KL is `nil`).
    public func elboTerms(_ x: Tensor, condition: Tensor? = nil, samples: Int = 1, generator: inout RandomGenerator)
        -> (reconstruction: Tensor, kl: Tensor, klPerDimension: Tensor?) {
        let q = posterior(x, condition: condition)
        if priorKind == .standard && q.hasAnalyticKL {
            let z = q.rsample(sampleCount: samples, generator: &generator)
            let logLikelihood = decoder.logLikelihood(x, output: decode(z, condition: condition)).mean(alongAxis: 0)
            if let perDimension = q.klDivergencePerDimension {
                return (logLikelihood, perDimension.sum(alongAxis: -1), perDimension)
            }
            return (logLikelihood, q.klDivergenceFromStandardNormal(), nil)
        }
        let (z, logQ) = q.rsampleWithLogProb(sampleCount: samples, generator: &generator)
        let logLikelihood = decoder.logLikelihood(x, output: decode(z, condition: condition)).mean(alongAxis: 0)
        return (logLikelihood, (logQ - priorLogProb(z)).mean(alongAxis: 0), nil)
    }

    /// The ELBO per example, `[B]`.
    public func elbo(_ x: Tensor, condition: Tensor? = nil, samples: Int = 1, generator: inout RandomGenerator) -> Tensor {
        let terms = elboTerms(x, condition: condition, samples: samples, generator: &generator)
        return terms.reconstruction - terms.kl
    }

    /// The IWAE bound `log (1/K) Σₖ wₖ` per example, `[B]` (Burda et al., 2016).
    public func iwaeBound(_ x: Tensor, condition: Tensor? = nil, samples k: Int, generator: inout RandomGenerator) -> Tensor {
        logWeights(x, condition: condition, samples: k, generator: &generator).logSumExp(alongAxis: 0) - Float(log(Double(k)))
    }

    /// The importance-sampled `log p(x)` per example (`[B]`, nats), with `samples` draws from
    /// `q` in memory-bounded chunks; no gradients.
    public func importanceSampledLogLikelihood(_ x: Tensor, condition: Tensor? = nil, samples: Int,
                                               generator: inout RandomGenerator) -> Tensor {
        var g = generator
        defer { generator = g }
        // The row budget counts decoder outputs: P per data dimension for the discrete decoders.
        let rowBudget = max(1, 16_384 / decoder.parametersPerDimension)
        return LatentModels.importanceSampledLogLikelihood(
            samples: samples, chunkSize: importanceSamplingChunkSize(batchSize: x.shape[0], rowBudget: rowBudget)) { k in
            logWeights(x, condition: condition, samples: k, generator: &g)
        }
    }

    // MARK: Training

    /// The training loss of a batch (`GenerativeModel` requirement of the subclasses):
    /// prepares it (binarisation, labels) and applies ``loss(_:condition:step:generator:)``.
    public func trainingLoss(_ batch: TensorBatch, progress: TrainingProgress, generator: inout RandomGenerator) -> TrainingLoss {
        let (x, c) = prepare(batch, training: true, generator: &generator)
        return loss(x, condition: c, step: progress.step, generator: &generator)
    }

    /// Decoder means for latents from the prior (`GenerativeModel` requirement of the subclasses).
    public func sample(count: Int, generator: inout RandomGenerator) -> Tensor {
        sampleMeans(count: count, generator: &generator)
    }

    /// Reconstructions, samples and latent pictures (`GenerativeModel` requirement of the subclasses).
    public func figures(data batch: TensorBatch, generator: inout RandomGenerator) -> [ModelFigure] {
        vaeFigures(batch, generator: &generator)
    }

    /// The training loss on a batch of prepared inputs, with metrics.
    public func loss(_ x: Tensor, condition: Tensor?, step: Int, generator: inout RandomGenerator) -> TrainingLoss {
        switch objective.bound {
        case .elbo:
            let terms = elboTerms(x, condition: condition, samples: objective.samples, generator: &generator)
            let reconstruction = terms.reconstruction.mean()
            let kl = terms.kl.mean()
            // Free bits per dimension with the analytic KL; on the total (λ·Z) otherwise.
            let klTerm = objective.freeBits <= 0 ? kl
                : terms.klPerDimension.map { maximum($0.mean(alongAxis: 0), objective.freeBits).sum() }
                    ?? maximum(kl, objective.freeBits * Float(latentDimension))
            let weight = objective.klWeight(step: step)
            let loss = klTerm * weight - reconstruction
            let (r, k) = (Double(reconstruction.scalar), Double(kl.scalar))
            return TrainingLoss(loss: loss, metrics: ["elbo": r - k, "kl": k, "reconstruction": -r, "kl-weight": Double(weight)])
        case .iwae:
            let k = objective.samples
            let slot: GradientScaleSlot? = objective.estimator == .dreg ? GradientScaleSlot() : nil
            let logW = logWeights(x, condition: condition, samples: k, generator: &generator, gradientSlot: slot)
            let bound = logW.logSumExp(alongAxis: 0) - Float(log(Double(k)))
            let boundValue = Double(bound.mean().scalar)
            if let slot {
                // Surrogate: Σₖ w̃ₖ log wₖ with w̃ stopped gives the IWAE gradient for the decoder;
                // the slot scales the gradient into z by w̃ again, giving w̃² for the encoder.
                let normalized = withoutDerivative { (logW - logW.logSumExp(alongAxis: 0, keepDims: true)).exp() }
                slot.scale = normalized.unsqueezed(axis: -1)
                let surrogate = (normalized * logW).sum(alongAxis: 0).mean()
                return TrainingLoss(loss: -surrogate, metrics: ["iwae-bound": boundValue])
            }
            return TrainingLoss(loss: -bound.mean(), metrics: ["iwae-bound": boundValue])
        }
    }

    // MARK: Evaluation

    /// Sums over the batch of: `nll` (importance-sampled, K = ``evaluationSamples``),
    /// `negative-elbo`, `kl` and `reconstruction` (`−E_q log p(x|z)`), all in nats, and the
    /// hidden per-dimension sums of the posterior means behind `active-units`.
    public func evaluationSums(_ batch: TensorBatch, generator: inout RandomGenerator) -> [String: Double] {
        withoutDerivative {
            let (x, c) = prepare(batch, training: false, generator: &generator)
            let terms = elboTerms(x, condition: c, generator: &generator)
            let reconstruction = -Double(terms.reconstruction.sum().scalar)
            let kl = Double(terms.kl.sum().scalar)
            let logLikelihood = importanceSampledLogLikelihood(x, condition: c, samples: evaluationSamples, generator: &generator)
            return ["nll": -Double(logLikelihood.sum().scalar), "negative-elbo": reconstruction + kl,
                    "kl": kl, "reconstruction": reconstruction]
                .merging(ActiveUnitStatistics.sums(posteriorMeans: posterior(x, condition: c).mean)) { a, _ in a }
        }
    }

    /// Names of the reported metrics, headline first: the sums of
    /// ``evaluationSums(_:generator:)`` and `active-units` from ``finalizeEvaluation(_:)``.
    public var evaluationMetrics: [String] { ["nll", "negative-elbo", "kl", "reconstruction", "active-units"] }

    /// The split's metrics with the hidden per-dimension posterior-mean statistics turned
    /// into `active-units`, the number of latent dimensions with `Var_x(E_q[z_j]) > 10⁻²`
    /// (Burda et al., 2016, §5.2).
    public func finalizeEvaluation(_ means: [String: Double]) -> [String: Double] {
        ActiveUnitStatistics.finalize(means).filter { !$0.key.hasPrefix("_") }
    }

    /// Means of `p(x | z)` for `z ~ p(z)`, shaped `[count] + featureShape` (for a conditional
    /// model, labels cycle through the classes unless given). Decoder means (pixel
    /// probabilities for Bernoulli decoders) are what VAE papers show as samples; for
    /// image data they are clamped to [0, 1].
    public func sampleMeans(count: Int, labels: [Int]? = nil, generator: inout RandomGenerator) -> Tensor {
        withoutDerivative {
            let z = samplePrior(count: count, generator: &generator)
            var condition: Tensor?
            if conditionDimension > 0 {
                let l = labels ?? (0..<count).map { $0 % conditionDimension }
                condition = oneHot(IndexTensor(l), classCount: conditionDimension)
            }
            var means = decoder.mean(output: decode(z, condition: condition))
            if case .image = data.kind { means = means.clamped(min: 0, max: 1) }
            return means.reshaped(to: [count] + data.featureShape)
        }
    }

    /// Posterior means `E_q[z]` of a batch, `[B, Z]` (fixed binarisation).
    public func posteriorMeans(_ batch: TensorBatch) -> Tensor {
        withoutDerivative {
            var g = RandomGenerator(seed: 0)
            let (x, c) = prepare(batch, training: false, generator: &g)
            return posterior(x, condition: c).mean
        }
    }
}
