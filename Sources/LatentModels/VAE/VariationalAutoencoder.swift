import Foundation
import LatentCore
import LatentData
import LatentNN
import LatentProbability

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

/// A variational autoencoder (Kingma & Welling, 2014; Rezende et al., 2014): an encoder
/// network whose outputs parameterise `q(z | x, c)` (a ``VariationalPosterior`` family), a
/// prior `p(z)` (a ``LatentPrior``) and a decoder `p(x | z, c)` (an ``ObservationModel``),
/// optionally conditioned on one-hot labels `c` (Sohn et al., 2015). All three are
/// LatentProbability distributions; the KL term is analytic when a rule is registered for
/// the pair (diagonal or full Gaussian against the standard normal) and a Monte-Carlo
/// estimate on the bound's own samples otherwise.
///
/// The shared machinery of ``VAE``, ``IWAE`` and ``ConditionalVAE``: bounds, the
/// importance-sampled log-likelihood, sampling and pictures, built from one
/// ``VAEConfiguration``. Inputs are flattened to `[B, D]`. With a Bernoulli decoder,
/// features in [0, 1] are binarised dynamically in training and with a fixed,
/// index-determined binarisation in evaluation (so evaluation is reproducible and NLL is
/// in nats per example of the binary data).
open class VariationalAutoencoder: Module {
    /// Recognition network: `[x, c] ↦` the posterior family's parameters (one linear head).
    public let encoder: any Layer
    /// Decoder network and likelihood.
    public let decoder: ObservationModel
    /// The family of `q(z | x)` (parameters inlined: `inverseAutoregressiveNetworks.…`).
    public let posteriorFamily: any VariationalPosterior
    /// The prior `p(z)` (parameters inlined: `mixturePrior.…`, `pseudoInputs`, `flow.…`).
    public let prior: any LatentPrior
    /// The configuration the model was built from.
    public let configuration: VAEConfiguration
    /// The data the model was built for.
    public let data: DataDescription
    /// The training objective.
    public var objective: VAEObjective
    /// Importance samples K of the NLL reported by ``evaluationSums(_:generator:)``
    /// (5000 for final numbers; lower it for fast validation passes).
    public var evaluationSamples: Int
    /// Seed of the fixed evaluation binarisation.
    public var binarizationSeed: UInt64 = 2016

    open override class var stateKeys: [String: String] { ["posteriorFamily": "", "prior": ""] }

    /// `Z`.
    public var latentDimension: Int { configuration.latentDimension }
    /// Width of the one-hot condition (0 for an unconditional model).
    public var conditionDimension: Int { configuration.conditionDimension }
    /// Whether features are binarised (dynamic in training, fixed in evaluation).
    public var binarizes: Bool { configuration.binarizes }
    /// MLP or convolutional networks.
    public var architecture: NetworkArchitecture { configuration.architecture }

    /// Builds the networks, prior and posterior family of `configuration` for `data`.
    public init(configuration: VAEConfiguration, data: DataDescription, generator: inout RandomGenerator) {
        let c = configuration
        let (z, d) = (c.latentDimension, data.dimension)
        ensure(z > 0, "VariationalAutoencoder: latent dimension must be positive, got \(z)")
        var levels = 2
        if case .image(let l) = data.kind { levels = l }
        ensure(!c.likelihood.isDiscrete || levels >= 2, "VariationalAutoencoder: \(c.likelihood.rawValue) decoders need image data")
        ensure(c.architecture == .mlp || ConvolutionalEncoder.accepts(data.featureShape),
               "VariationalAutoencoder: convolutional networks need [C, H, W] images with H, W divisible by 4, got \(data.featureShape)")
        self.configuration = configuration
        self.data = data
        objective = c.objective
        evaluationSamples = c.evaluationSamples
        // Draw order (prior, encoder, decoder, posterior family) fixes every initial value.
        prior = c.prior.make(z, d, &generator)
        ensure(!(prior is VampPrior) || c.conditionDimension == 0, "VariationalAutoencoder: the VampPrior needs an unconditional model")
        let head = c.posterior.encoderOutputCount(z)
        let family = c.likelihood.family(dimension: d, standardDeviation: c.observationStandardDeviation, levels: levels,
                                         mixtureComponents: c.mixtureComponents)
        let perDimension = family.parametersPerDimension
        switch c.architecture {
        case .mlp:
            encoder = MultilayerPerceptron(sizes: [d + c.conditionDimension] + c.hidden + [head],
                                           activation: c.activation, generator: &generator)
        case .conv:
            encoder = ConvolutionalEncoder(imageShape: data.featureShape, channels: c.channels, conditionDimension: c.conditionDimension,
                                           outputSize: head, activation: c.activation, generator: &generator)
        }
        let decoderNetwork: any Layer
        switch c.architecture {
        case .mlp:
            decoderNetwork = MultilayerPerceptron(sizes: [z + c.conditionDimension] + c.hidden.reversed() + [d * perDimension],
                                                  activation: c.activation, generator: &generator)
        case .conv:
            decoderNetwork = ConvolutionalDecoder(inputSize: z + c.conditionDimension, imageShape: data.featureShape,
                                                  channels: c.channels, parametersPerDimension: perDimension,
                                                  activation: c.activation, generator: &generator)
        }
        decoder = ObservationModel(network: decoderNetwork, family: family, dimension: d)
        posteriorFamily = c.posterior.make(z, &generator)
        ensure(posteriorFamily.encoderOutputCount == head && posteriorFamily.scoresExternalPoints == c.posterior.scoresExternalPoints,
               "VariationalAutoencoder: the posterior '\(c.posterior.name)' is not what its choice declared (\(posteriorFamily.encoderOutputCount) encoder outputs, declared \(head))")
        ensure(!(prior is VampPrior) || posteriorFamily.scoresExternalPoints,
               "VariationalAutoencoder: the VampPrior needs a posterior that scores external points (diagonal or full Gaussian)")
    }

    // MARK: Data

    /// Flattened `[B, D]` features (binarised when the model binarises: dynamically when
    /// `training`, else by the fixed index-determined draw) and the one-hot condition.
    public func prepare(_ batch: TensorBatch, training: Bool, generator: inout RandomGenerator) -> (x: Tensor, condition: Tensor?) {
        let batch = binarizes ? BatchTransform.binarization(training: training, seed: binarizationSeed)(batch, generator: &generator) : batch
        let x = batch.features.reshaped(to: [batch.count, data.dimension])
        guard conditionDimension > 0 else { return (x, nil) }
        if let oneHot = batch.oneHotLabels { return (x, oneHot.reshaped(to: [batch.count, conditionDimension])) }
        guard let labels = batch.labels else {
            fatalError("\(type(of: self)): a conditional model needs labelled batches")
        }
        return (x, oneHot(labels, classCount: conditionDimension))
    }

    // MARK: Networks

    /// `q(z | x, c)` for `[B, D]` inputs: batch `[B]`, event `[Z]`.
    public func posterior(_ x: Tensor, condition: Tensor? = nil) -> any Distribution {
        posteriorFamily.distribution(encoder(Self.appending(condition, to: x)))
    }

    /// A point summary of `q(z | x, c)`, `[B, Z]`: the mean (Gaussians) or the flow's
    /// image of the base mean (flow posteriors).
    public func posteriorLocation(_ x: Tensor, condition: Tensor? = nil) -> Tensor {
        posteriorFamily.location(encoder(Self.appending(condition, to: x)))
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

    /// `p(z)` over `[Z]`.
    public func priorDistribution() -> any Distribution {
        prior.distribution { [posteriorFamily, encoder] u in posteriorFamily.distribution(encoder(u)) }
    }

    /// `log p(z)` for `z` of shape `[..., Z]`.
    public func priorLogProb(_ z: Tensor) -> Tensor { priorDistribution().logProb(z) }

    /// `count` draws from `p(z)`, `[count, Z]` (no gradient).
    public func samplePrior(count: Int, generator: inout RandomGenerator) -> Tensor {
        var g = generator
        defer { generator = g }
        return withoutDerivative { priorDistribution().sample([count], generator: &g) }
    }

    // MARK: Bounds

    /// `log wₖ = log p(x | zₖ) + log p(zₖ) − log q(zₖ | x)` for `k` reparameterised samples,
    /// shaped `[k, B]`.
    ///
    /// - Parameter gradientSlot: For DReG: `log q` uses stopped parameters and the gradient
    ///   into `z` is scaled by the slot (filled by the caller).
    func logWeights(_ x: Tensor, condition: Tensor?, samples k: Int, generator: inout RandomGenerator,
                    gradientSlot: GradientScaleSlot? = nil) -> Tensor {
        let parameters = encoder(Self.appending(condition, to: x))
        let q = posteriorFamily.distribution(parameters)
        var (z, logQ) = (Tensor(0), Tensor(0))
        if let gradientSlot {
            ensure(posteriorFamily.scoresExternalPoints, "VariationalAutoencoder: the DReG estimator needs a Gaussian posterior")
            z = q.rsample([k], generator: &generator).scalingGradient(by: gradientSlot)
            logQ = posteriorFamily.distribution(parameters.detached()).logProb(z)
        } else {
            (z, logQ) = q.sampleAndLogProb([k], generator: &generator)
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
    /// `E_q[log p(x|z)]` (`[B]`), `KL(q ‖ p)` (`[B]`) and, when it factorises (a diagonal
    /// Gaussian against the standard normal), the analytic per-dimension KL (`[B, Z]`). The
    /// KL is analytic when LatentProbability knows a rule for the pair; otherwise (mixture,
    /// VampPrior and flow priors, flow posteriors) it is the Monte-Carlo estimate
    /// `E_q[log q(z|x) − log p(z)]` on the same samples, and the per-dimension KL is `nil`.
    public func elboTerms(_ x: Tensor, condition: Tensor? = nil, samples: Int = 1, generator: inout RandomGenerator)
        -> (reconstruction: Tensor, kl: Tensor, klPerDimension: Tensor?) {
        let q = posterior(x, condition: condition)
        let p = priorDistribution()
        let (z, logQ) = q.sampleAndLogProb([samples], generator: &generator)
        let logLikelihood = decoder.logLikelihood(x, output: decode(z, condition: condition)).mean(alongAxis: 0)
        if let qi = q as? Independent, let pi = p as? Independent, qi.reinterpretedBatchDimensions == 1,
           pi.reinterpretedBatchDimensions == 1, let perDimension = KLDivergence.analytic(qi.base, pi.base) {
            return (logLikelihood, perDimension.sum(alongAxis: -1), perDimension)
        }
        if let kl = KLDivergence.analytic(q, p) { return (logLikelihood, kl, nil) }
        return (logLikelihood, (logQ - p.logProb(z)).mean(alongAxis: 0), nil)
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
                .merging(ActiveUnitStatistics.sums(posteriorMeans: posteriorLocation(x, condition: c))) { a, _ in a }
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
            return posteriorLocation(x, condition: c)
        }
    }
}
