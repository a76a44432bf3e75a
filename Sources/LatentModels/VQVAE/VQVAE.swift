import Foundation
import LatentCore
import LatentData
import LatentNN

/// The vector-quantised VAE (van den Oord et al., "Neural Discrete Representation
/// Learning", 2017): `latent train vqvae`.
///
/// A convolutional encoder maps an image `[C, H, W]` to a map of vectors `z_e` `[D, h, w]`
/// (`h = H/4` with two stride-2 4×4 convolutions for sides divisible by 4 and at least 16,
/// e.g. 7×7 for MNIST; `h = H/2` with one for other even sides, e.g. 4×4 for the 8×8
/// digits), followed by residual blocks (ReLU, 3×3 conv, ReLU, 1×1 conv). A
/// ``VectorQuantizer`` replaces each vector by its nearest code; the decoder (residual
/// blocks and stride-2 transposed convolutions) maps the codes back to Bernoulli logits
/// `p(x | z_q)`. Features are binarised like the ``VariationalAutoencoder``'s (dynamic draws in
/// training, a fixed draw per example index in evaluation), so NLLs are comparable.
///
/// The posterior is the deterministic one-hot `q(z | x) = δ(z = z_q(x))`. The prior
/// (``CodePrior``) is either a ``PixelCNNCodePrior`` over the code map, trained jointly on the
/// codes of each batch, or an independent categorical per position fitted from code counts
/// (``CodeCountPrior``). Training minimises, per example,
///
///     −log p(x | z_q) + ‖sg(z_e) − e‖² + β ‖z_e − sg(e)‖² [− log p(z_q)]
///
/// (the codebook term only with gradient codebook updates; with moving averages the codebook
/// follows the encoder, and dead codes are restarted on encoder outputs; the prior term only
/// for the PixelCNN prior, and since the codes are indices it trains the prior alone). Evaluation reports `nll` = `−log p(x | z_q) − log p(z_q)`, the negative
/// ELBO of the one-hot posterior (its entropy is zero), an upper bound on `−log p(x)` in nats.
public final class VQVAE: Module, SingleLossModel {
    public static let modelName = "vqvae"
    public static let abstract = "Vector-quantised VAE (van den Oord et al., 2017): conv encoder, codebook with EMA or gradient updates and dead-code restarts, PixelCNN or per-position categorical prior."
    /// How the codebook learns.
    public enum CodebookUpdate: String, OptionChoice { case ema, gradient }
    /// The prior over the code map.
    public enum PriorKind: String, OptionChoice { case pixelcnn, independent }
    /// Whether [0, 1] features are binarised.
    public enum Binarization: String, OptionChoice { case dynamic, none }

    static let codebookSize = ModelOption<Int>("codebook-size", default: 512, bounds: .positive, help: "Number of codes K.")
    static let codeDimension = ModelOption<Int>("code-dimension", default: 64, bounds: .positive, help: "Dimension D of each code (encoder output channels).")
    static let hiddenChannels = ModelOption<Int>("hidden-channels", default: 64, bounds: .positive, help: "Channels of the convolutional encoder and decoder.")
    static let residualBlocks = ModelOption<Int>("residual-blocks", default: 2, bounds: .nonNegative, help: "Residual blocks in the encoder and in the decoder.")
    static let beta = ModelOption<Float>("beta", default: 0.25, bounds: .nonNegative, help: "Weight β of the commitment loss β‖z_e − sg(e)‖².")
    static let codebookUpdate = ModelOption<CodebookUpdate>(
        "codebook-update", default: .ema,
        help: "Codebook learning: exponential moving averages of the assigned encoder outputs, or gradient descent on the codebook loss.")
    static let emaDecay = ModelOption<Float>("ema-decay", default: 0.99, bounds: .halfOpen(0, 1), help: "Decay γ of the moving-average codebook updates, in [0, 1).")
    static let restartThreshold = ModelOption<Float>(
        "restart-threshold", default: 1, bounds: .nonNegative,
        help: "EMA codebook: codes whose moving-average count falls below this many assignments per step are moved onto random encoder outputs of the batch (0: no restarts).")
    static let prior = ModelOption<PriorKind>(
        "prior", default: .pixelcnn,
        help: "Prior over the code map: a PixelCNN trained jointly on the codes, or an independent categorical per position fitted from code counts.")
    static let priorChannels = ModelOption<Int>("prior-channels", default: 64, bounds: .positive, help: "PixelCNN prior: channels of the code embedding and hidden layers.")
    static let priorLayers = ModelOption<Int>("prior-layers", default: 4, bounds: .nonNegative, help: "PixelCNN prior: number of type-B masked residual layers (plain) or of gated layers (gated, at least 1).")
    static let priorArchitecture = ModelOption<PixelCNNNetwork.Architecture>(
        "prior-architecture", default: .plain,
        help: "PixelCNN prior: plain (masked convolutions; the layout of earlier runs) or gated (vertical and horizontal stacks, no blind spot).")
    static let priorDecay = ModelOption<Float>("prior-decay", default: 0.99, bounds: .openClosed(0, 1),
                                               help: "Independent prior: decay of the code counts it is fitted from (per training step), in (0, 1].")
    static let priorPseudocount = ModelOption<Float>("prior-pseudocount", default: 1, bounds: .positive, help: "Independent prior: additive pseudo-count α of the code counts.")
    static let binarization = ModelOption<Binarization>(
        "binarization", default: .dynamic, help: "Binarise [0,1] features (dynamic draws in training; a fixed draw per example index in evaluation).")

    public static var options: [any DeclaredOption] {
        [codebookSize, codeDimension, hiddenChannels, residualBlocks, beta, codebookUpdate, emaDecay, restartThreshold,
         prior, priorChannels, priorLayers, priorArchitecture, priorDecay, priorPseudocount, binarization]
    }

    /// `x ↦ z_e`, `[B, C, H, W] → [B, D, h, w]`.
    public let encoder: Sequential
    /// The codebook bottleneck.
    public let quantizer: VectorQuantizer
    /// `z_q ↦` Bernoulli logits, `[B, D, h, w] → [B, C, H, W]`.
    public let decoder: Sequential
    /// `p(z)` over code maps.
    public let prior: any CodePrior
    /// The data the model was built for.
    public let data: DataDescription
    /// `[C, H, W]` of one example.
    public let imageShape: [Int]
    /// `[h, w]` of the code map.
    public let latentShape: [Int]
    /// Whether features are binarised (dynamic in training, fixed in evaluation).
    public let binarizes: Bool
    /// Seed of the fixed evaluation binarisation.
    public var binarizationSeed: UInt64 = 2016

    /// - Parameters:
    ///   - data: An image dataset whose sides are even (see the type's documentation).
    ///   - codebookSize: `K`.
    ///   - codeDimension: `D`.
    ///   - hiddenChannels: Channels of the encoder and decoder.
    ///   - residualBlocks: Residual blocks in each of encoder and decoder.
    ///   - commitmentWeight: β.
    ///   - update: Moving-average or gradient codebook learning.
    ///   - restartThreshold: Dead-code restart threshold of the moving-average codebook (0: none).
    ///   - prior: The code prior for a code map `[h, w]` (see ``codeMapShape(for:)``) and `K`
    ///     codes; `nil` for a ``CodeCountPrior`` with `priorDecay` and `priorPseudoCount`.
    ///   - priorDecay: Decay of the count prior's code counts per step.
    ///   - priorPseudoCount: The count prior's additive pseudo-count.
    ///   - binarizes: Binarise [0, 1] features.
    public init(data: DataDescription, codebookSize: Int = 512, codeDimension: Int = 64, hiddenChannels: Int = 64,
                residualBlocks: Int = 2, commitmentWeight: Float = 0.25,
                update: VectorQuantizer.CodebookUpdate = .movingAverage(decay: 0.99), restartThreshold: Float = 1,
                prior: (any CodePrior)? = nil, priorDecay: Float = 0.99, priorPseudoCount: Float = 1, binarizes: Bool = true,
                generator: inout RandomGenerator) throws(ModelOptionError) {
        let (shape, downsamplings) = try Self.imageLayout(data)
        let (c, h) = (shape[0], hiddenChannels)
        self.data = data
        imageShape = shape
        latentShape = [shape[1] >> downsamplings, shape[2] >> downsamplings]
        if let pixelCNN = prior as? PixelCNNCodePrior {
            guard pixelCNN.latentShape == latentShape && pixelCNN.codebookSize == codebookSize else {
                throw ModelOptionError("\(Self.modelName): the prior is for \(pixelCNN.codebookSize) codes on \(pixelCNN.latentShape), the model has \(codebookSize) on \(latentShape)")
            }
        }
        self.binarizes = binarizes

        func residualStack() -> [any Layer] {
            (0..<residualBlocks).map { _ in
                Residual(Sequential(ReLU(), Conv2d(h, h, kernelSize: 3, padding: 1, generator: &generator),
                                    ReLU(), Conv2d(h, h, kernelSize: 1, generator: &generator)))
            }
        }
        var encoderLayers: [any Layer] = []
        for i in 0..<downsamplings {
            encoderLayers += [Conv2d(i == 0 ? c : h, h, kernelSize: 4, stride: 2, padding: 1, generator: &generator), ReLU()]
        }
        encoderLayers.append(Conv2d(h, h, kernelSize: 3, padding: 1, generator: &generator))
        encoderLayers += residualStack()
        encoderLayers += [ReLU(), Conv2d(h, codeDimension, kernelSize: 1, generator: &generator)]
        encoder = Sequential(encoderLayers)

        quantizer = VectorQuantizer(codebookSize: codebookSize, codeDimension: codeDimension,
                                    commitmentWeight: commitmentWeight, update: update,
                                    restartThreshold: restartThreshold, generator: &generator)

        var decoderLayers: [any Layer] = [Conv2d(codeDimension, h, kernelSize: 3, padding: 1, generator: &generator)]
        decoderLayers += residualStack()
        decoderLayers.append(ReLU())
        for i in 0..<downsamplings {
            let last = i == downsamplings - 1
            decoderLayers.append(ConvTranspose2d(h, last ? c : h, kernelSize: 4, stride: 2, padding: 1, generator: &generator))
            if !last { decoderLayers.append(ReLU()) }
        }
        decoder = Sequential(decoderLayers)

        self.prior = prior ?? (CodeCountPrior(positions: latentShape[0] * latentShape[1], codebookSize: codebookSize,
                                              decay: priorDecay, pseudoCount: priorPseudoCount) as any CodePrior)
    }

    public convenience init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        let codebookSize = options[Self.codebookSize]
        var prior: (any CodePrior)?
        if options[Self.prior] == .pixelcnn {
            prior = PixelCNNCodePrior(codebookSize: codebookSize, latentShape: try Self.codeMapShape(for: data),
                                      channels: options[Self.priorChannels], layers: options[Self.priorLayers],
                                      architecture: options[Self.priorArchitecture], generator: &generator)
        }
        try self.init(data: data, codebookSize: codebookSize, codeDimension: options[Self.codeDimension],
                      hiddenChannels: options[Self.hiddenChannels], residualBlocks: options[Self.residualBlocks],
                      commitmentWeight: options[Self.beta],
                      update: options[Self.codebookUpdate] == .ema ? .movingAverage(decay: options[Self.emaDecay]) : .gradient,
                      restartThreshold: options[Self.restartThreshold], prior: prior, priorDecay: options[Self.priorDecay],
                      priorPseudoCount: options[Self.priorPseudocount],
                      binarizes: options[Self.binarization] == .dynamic, generator: &generator)
    }

    /// `[h, w]` of the code map the model builds for `data`.
    public static func codeMapShape(for data: DataDescription) throws(ModelOptionError) -> [Int] {
        let (shape, downsamplings) = try imageLayout(data)
        return [shape[1] >> downsamplings, shape[2] >> downsamplings]
    }

    /// `[C, H, W]` of the data and the number of stride-2 stages, or an error for data the
    /// convolutional networks cannot take.
    static func imageLayout(_ data: DataDescription) throws(ModelOptionError) -> (shape: [Int], downsamplings: Int) {
        guard case .image = data.kind else {
            throw ModelOptionError("\(modelName): needs an image dataset, got '\(data.name)' with continuous features")
        }
        let s = data.featureShape
        guard s.count == 2 || s.count == 3 else {
            throw ModelOptionError("\(modelName): needs images [C, H, W] or [H, W], got feature shape \(s) of '\(data.name)'")
        }
        let shape = s.count == 2 ? [1] + s : s
        let (height, width) = (shape[1], shape[2])
        if height % 4 == 0 && width % 4 == 0 && min(height, width) >= 16 { return (shape, 2) }
        if height % 2 == 0 && width % 2 == 0 && min(height, width) >= 4 { return (shape, 1) }
        throw ModelOptionError("\(modelName): image sides must be even and at least 4 (divisible by 4 and at least 16 for two stride-2 stages), got \(height)×\(width) for '\(data.name)'")
    }

    // MARK: Data and networks

    /// `[B, C, H, W]` features, binarised when the model binarises: dynamically when
    /// `training`, else by the fixed index-determined draw.
    public func prepare(_ batch: TensorBatch, training: Bool, generator: inout RandomGenerator) -> Tensor {
        let batch = binarizes ? BatchTransform.binarization(training: training, seed: binarizationSeed)(batch, generator: &generator) : batch
        return batch.features.reshaped(to: [batch.count] + imageShape)
    }

    /// The encoder's outputs quantised, and the decoder's logits for them.
    public func reconstruct(_ x: Tensor) -> (quantization: VectorQuantizer.Quantization, logits: Tensor) {
        let quantization = quantizer(encoder(x))
        return (quantization, decoder(quantization.quantized))
    }

    /// `log p(x | z)` per example for Bernoulli `logits`, `[B]`: independent ``Bernoulli``
    /// pixels, the VAEs' ``BernoulliObservation``.
    public func logLikelihood(_ x: Tensor, logits: Tensor) -> Tensor {
        let flat = [x.shape[0], x.scalarCount / max(x.shape[0], 1)]
        return BernoulliObservation().distribution(output: logits.reshaped(to: flat)).logProb(x.reshaped(to: flat))
    }

    // MARK: GenerativeModel

    /// The per-example mean of `−log p(x|z_q) + ‖sg(z_e) − e‖² + β‖z_e − sg(e)‖²`, plus
    /// `−log p(z_q)` for a prior that learns by gradient. In training mode it also moves the
    /// moving-average codebook, restarts its dead codes (drawing from `generator`) and lets the
    /// prior observe the batch's codes (after the loss and the metrics are computed with the
    /// current ones).
    public func trainingLoss(_ batch: TensorBatch, progress: TrainingProgress, generator: inout RandomGenerator) -> TrainingLoss {
        let x = prepare(batch, training: true, generator: &generator)
        let (q, logits) = reconstruct(x)
        let reconstruction = -logLikelihood(x, logits: logits).mean()
        let commitment = q.commitment.mean()
        var loss = reconstruction + commitment * quantizer.commitmentWeight + q.codebookLoss.mean()
        let priorNLL: Double
        if prior.learnsByGradient {
            let priorTerm = -prior.logProb(q.indices).mean()
            loss = loss + priorTerm
            priorNLL = Double(priorTerm.scalar)
        } else {
            priorNLL = withoutDerivative { -Double(prior.logProb(q.indices).mean().scalar) }
        }
        if isTraining {
            quantizer.updateCodebook(q)
            quantizer.restartDeadCodes(q, generator: &generator)
            prior.observe(q.indices)
        }
        let r = Double(reconstruction.scalar)
        return TrainingLoss(loss: loss, metrics: ["negative-elbo": r + priorNLL, "reconstruction": r, "prior-nll": priorNLL,
                                                  "commitment": Double(commitment.scalar), "perplexity": q.perplexity])
    }

    /// Sums over the batch of `nll` (`−log p(x|z_q) − log p(z_q)`, an upper bound on `−log p(x)`),
    /// `reconstruction` (`−log p(x|z_q)`), `prior-nll` (`−log p(z_q)`), `perplexity` (of the
    /// batch's code usage, times the batch size, so the split average weights batches by size)
    /// and `commitment` (`‖z_e − sg(e)‖²` without β), in nats of the fixed-binarised data.
    public func evaluationSums(_ batch: TensorBatch, generator: inout RandomGenerator) -> [String: Double] {
        withoutDerivative {
            let x = prepare(batch, training: false, generator: &generator)
            let (q, logits) = reconstruct(x)
            let reconstruction = -Double(logLikelihood(x, logits: logits).sum().scalar)
            let priorNLL = -Double(prior.logProb(q.indices).sum().scalar)
            return ["nll": reconstruction + priorNLL, "reconstruction": reconstruction, "prior-nll": priorNLL,
                    "perplexity": q.perplexity * Double(batch.count), "commitment": Double(q.commitment.sum().scalar)]
        }
    }

    public var evaluationMetrics: [String] { ["nll", "reconstruction", "prior-nll", "perplexity", "commitment"] }

    /// Decoder means (pixel probabilities) of `x` for codes `z ~ p(z)`, `[count] + featureShape`.
    public func sample(count: Int, generator: inout RandomGenerator) -> Tensor {
        withoutDerivative {
            let indices = prior.sample(count: count, generator: &generator).reshaped(to: [count] + latentShape)
            return decoder(quantizer.codes(indices)).sigmoid().clamped(min: 0, max: 1).reshaped(to: [count] + data.featureShape)
        }
    }

    /// `samples` (decoder means of 64 prior draws) and `reconstructions` (inputs above the
    /// decoder means of their quantised codes).
    public func figures(data batch: TensorBatch, generator: inout RandomGenerator) -> [ModelFigure] {
        withoutDerivative {
            let samples = sample(count: 64, generator: &generator).reshaped(to: [64] + imageShape)
            let m = min(batch.count, 32)
            let x = prepare(batch, training: false, generator: &generator).sliced(alongAxis: 0, range: 0..<m)
            let reconstructions = reconstruct(x).logits.sigmoid()
            return [ModelFigure(name: "samples", caption: "Decoder means of 64 code maps drawn from the prior",
                                pixels: imageGrid(samples, rows: 8)),
                    ModelFigure(name: "reconstructions",
                                caption: "Inputs (odd rows) and decoder means of their quantised codes (even rows)",
                                pixels: reconstructionGrid(inputs: x, reconstructions: reconstructions))]
        }
    }
}
