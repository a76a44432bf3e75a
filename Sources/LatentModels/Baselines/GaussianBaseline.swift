import Foundation
import LatentCore
import LatentData
import LatentNN

/// A diagonal Gaussian fitted by maximum likelihood: the simplest density model, and the
/// baseline every other model should beat.
///
/// `p(x) = ∏ᵢ N(xᵢ; μᵢ, σᵢ²)` with learnable `μ` and `log σ` (one per data dimension).
///
/// **Images.** For ``DataDescription/Kind/image(levels:)`` data with `L` levels, each value
/// `x = v / (L − 1)` is first dequantised to `y = (v + u) / L`, `u ~ U(0, 1)` (Theis et al.,
/// 2016), and the reported negative log-likelihood is that of the dequantised image on the
/// discrete scale `[0, L)`: `nll = −log p(y) + D log L`. This is a one-sample estimate of an
/// upper bound on the discrete NLL `−log P(v)`, the usual convention for bits per dimension.
public final class GaussianBaseline: Module, SingleLossModel {
    public static let modelName = "gaussian"
    public static let abstract = "Diagonal Gaussian with learnable mean and standard deviation (a baseline)."
    /// Initial log standard deviation of every dimension.
    public static let initialLogStandardDeviation = ModelOption<Float>(
        "init-log-std", default: 0, bounds: .within(-20...20), help: "initial log standard deviation of every dimension")
    public static let options: [any DeclaredOption] = [initialLogStandardDeviation]

    /// Mean, `featureShape`.
    @Parameter public var mean: Tensor
    /// Log standard deviation, `featureShape`.
    @Parameter public var logStandardDeviation: Tensor

    /// What the model was built for.
    public let data: DataDescription

    public init(options: ModelOptions, data: DataDescription, generator: inout RandomGenerator) throws {
        self.data = data
        _mean = Parameter(.zeros(data.featureShape))
        _logStandardDeviation = Parameter(.full(data.featureShape, options[Self.initialLogStandardDeviation]))
        super.init()
    }

    /// Intensity levels for image data, nil for continuous data.
    private var levels: Int? {
        if case .image(let levels) = data.kind { return levels }
        return nil
    }

    /// Dequantises image batches (see the type's documentation); continuous data unchanged.
    private func prepared(_ features: Tensor, generator: inout RandomGenerator) -> Tensor {
        guard let levels else { return features }
        let l = Float(levels)
        let values = (features * Float(levels - 1)).rounded()
        return (values + generator.uniform(features.shape)) / l
    }

    /// Per-example negative log-likelihood in nats, on the discrete scale for images. `[B]`.
    private func negativeLogLikelihood(_ features: Tensor, generator: inout RandomGenerator) -> Tensor {
        let x = prepared(features, generator: &generator)
        let b = x.shape[0]
        let d = data.dimension
        let z = (x - mean) * (-logStandardDeviation).exp()
        let perDimension = 0.5 * z.square() + logStandardDeviation
        var constant = Float(d) * 0.5 * Float(Foundation.log(2 * Double.pi))
        if let levels { constant += Float(d) * Float(Foundation.log(Double(levels))) }
        return perDimension.reshaped(to: [b, d]).sum(alongAxis: 1) + constant
    }

    public func trainingLoss(_ batch: TensorBatch, progress: TrainingProgress, generator: inout RandomGenerator) -> TrainingLoss {
        let nll = negativeLogLikelihood(batch.features, generator: &generator).mean()
        return TrainingLoss(loss: nll)
    }

    public var evaluationMetrics: [String] { ["nll"] }

    public func evaluationSums(_ batch: TensorBatch, generator: inout RandomGenerator) -> [String: Double] {
        let nll = withoutDerivative { negativeLogLikelihood(batch.features, generator: &generator) }
        return ["nll": nll.scalars.reduce(0) { $0 + Double($1) }]
    }

    public func sample(count: Int, generator: inout RandomGenerator) -> Tensor {
        withoutDerivative {
            let shape = [count] + data.featureShape
            let x = mean + logStandardDeviation.exp() * generator.normal(shape)
            return levels == nil ? x : LatentCore.minimum(LatentCore.maximum(x, Float(0)), Float(1))
        }
    }
}
