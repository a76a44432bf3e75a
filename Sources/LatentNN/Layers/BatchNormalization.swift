import LatentCore

/// The computation shared by ``BatchNorm1d`` and ``BatchNorm2d`` (Ioffe & Szegedy,
/// "Batch Normalization", 2015), with PyTorch's semantics:
///
/// - With batch statistics (training, or no running statistics): per channel (axis 1)
///   over all other axes, `y = (x − μ_B)/√(σ²_B + ε)·w + b` with the *biased* batch
///   variance; in training the running statistics are updated, without gradient, as
///   `r ← (1 − m)·r + m·s` with momentum `m` (or the cumulative average `m = 1/t` when
///   momentum is `nil`, `t` = batches tracked), using the *unbiased* batch variance
///   `σ²_B · n/(n − 1)` for the running variance.
/// - In evaluation with running statistics: `y = (x − μ_run)/√(σ²_run + ε)·w + b`.
func batchNormalize(_ x: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Buffer?, runningVariance: Buffer?,
                    numBatchesTracked: Buffer?, momentum: Float?, epsilon: Float, isTraining: Bool) -> Tensor {
    let channels = x.shape[1]
    let n = x.scalarCount / channels
    let broadcastShape = [1, channels] + [Int](repeating: 1, count: x.rank - 2)
    var y: Tensor
    if let runningMean, let runningVariance, !isTraining {
        let (scale, shift) = withoutDerivative { () -> (Tensor, Tensor) in
            let scale = (runningVariance.wrappedValue + epsilon).rsqrt()
            return (scale.reshaped(to: broadcastShape), (-runningMean.wrappedValue * scale).reshaped(to: broadcastShape))
        }
        y = x * scale + shift
    } else {
        ensure(n > 1, "BatchNorm: expected more than 1 value per channel when training, got input of shape \(shapeString(x.shape))")
        let (normalized, mean, variance) = x.normalizedWithStatistics(keepingAxes: 1..<2, epsilon: epsilon)
        y = normalized
        if isTraining, let runningMean, let runningVariance {
            withoutDerivative {
                var factor = momentum ?? 0
                if let numBatchesTracked {
                    numBatchesTracked.wrappedValue = numBatchesTracked.wrappedValue + 1
                    if momentum == nil { factor = 1 / numBatchesTracked.wrappedValue.scalar }
                }
                runningMean.wrappedValue = runningMean.wrappedValue * (1 - factor) + mean * factor
                runningVariance.wrappedValue = runningVariance.wrappedValue * (1 - factor)
                    + variance * (factor * Float(n) / Float(n - 1))
            }
        }
    }
    if let weight { y = y * weight.reshaped(to: broadcastShape) }
    if let bias { y = y + bias.reshaped(to: broadcastShape) }
    return y
}

/// Summary of a batch-norm layer's options.
func batchNormSummary(_ name: String, features: Int, epsilon: Float, momentum: Float?, affine: Bool, tracks: Bool) -> String {
    var s = "\(name)(\(features)"
    if epsilon != 1e-5 { s += ", epsilon: \(epsilon)" }
    if momentum != 0.1 { s += ", momentum: \(momentum.map { "\($0)" } ?? "nil")" }
    if !affine { s += ", affine: false" }
    if !tracks { s += ", trackRunningStatistics: false" }
    return s + ")"
}
