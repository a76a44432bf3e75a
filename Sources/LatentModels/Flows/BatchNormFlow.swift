import LatentCore
import LatentNN

/// Batch normalisation as an invertible flow layer (RealNVP, Dinh et al. 2017; MAF).
///
/// In the data → latent direction, z = (x − m)/√(v + ε)·exp(γ) + β with per-feature m
/// and v: the batch statistics while training (the running averages are updated), the
/// running averages in evaluation mode and in the latent → data direction. Vectors
/// `[B, D]` only.
///
///     log |det ∂z/∂x| = Σ (γ − ½ log(v + ε)).
///
/// In training mode the inverse pass of a batch and the forward pass use different
/// statistics; round trips hold in evaluation mode.
public final class BatchNormFlow: Module, FlowTransform {
    @Parameter public var logGamma: Tensor
    @Parameter public var beta: Tensor
    @Buffer public var runningMean: Tensor
    @Buffer public var runningVariance: Tensor
    public let featureCount: Int
    public let momentum: Float
    public let epsilon: Float
    public var eventRank: Int { 1 }

    /// - Parameters:
    ///   - featureCount: D.
    ///   - momentum: Weight of the new batch in the running averages.
    ///   - epsilon: Added to the variance.
    public init(featureCount: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        self.featureCount = featureCount
        self.momentum = momentum
        self.epsilon = epsilon
        _logGamma = Parameter(Tensor.zeros([featureCount]))
        _beta = Parameter(Tensor.zeros([featureCount]))
        _runningMean = Buffer(Tensor.zeros([featureCount]))
        _runningVariance = Buffer(Tensor.ones([featureCount]))
    }

    private func check(_ x: Tensor) {
        checkShapes { () throws(ShapeError) in
            guard x.rank == 2, x.shape[1] == featureCount else {
                throw ShapeError(op: "BatchNormFlow", "input of shape \(shapeString(x.shape)) for \(featureCount) features")
            }
        }
    }

    private func logDet(_ variance: Tensor, batch: Int) -> Tensor {
        (logGamma - 0.5 * (variance + epsilon).log()).sum().broadcast(to: [batch])
    }

    public func forwardAndLogAbsDetJacobian(_ z: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        check(z)
        let x = (z - beta) * (-logGamma).exp() * (runningVariance + epsilon).sqrt() + runningMean
        return (x, -logDet(runningVariance, batch: z.shape[0]))
    }

    public func inverseAndLogAbsDetJacobian(_ x: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        check(x)
        let mean: Tensor, variance: Tensor
        if isTraining {
            mean = x.mean(alongAxis: 0)
            variance = (x - mean).square().mean(alongAxis: 0)
            let m = mean.detached(), v = variance.detached()
            runningMean = ((1 - momentum) * runningMean + momentum * m).detached()
            runningVariance = ((1 - momentum) * runningVariance + momentum * v).detached()
        } else {
            mean = runningMean
            variance = runningVariance
        }
        let z = (x - mean) / (variance + epsilon).sqrt() * logGamma.exp() + beta
        return (z, logDet(variance, batch: x.shape[0]))
    }
}
