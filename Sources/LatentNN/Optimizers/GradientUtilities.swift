import LatentCore

/// Scales all gradients together so that their global L2 norm is at most `maximumNorm`
/// (Pascanu et al. 2013; PyTorch's `clip_grad_norm_`). Returns the clipped gradients and
/// the norm before clipping.
public func clipGradientsByGlobalNorm(_ gradients: [String: Tensor], maximumNorm: Float)
    -> (gradients: [String: Tensor], norm: Float) {
    var total = 0.0
    for g in gradients.values {
        let p = g.storage.pointer
        var s = 0.0
        for i in 0..<g.scalarCount { s += Double(p[i]) * Double(p[i]) }
        total += s
    }
    let norm = Float(total.squareRoot())
    guard norm > maximumNorm, norm.isFinite else { return (gradients, norm) }
    let scale = maximumNorm / (norm + 1e-6)
    return (gradients.mapValues { g in withoutDerivative { g.detached() * scale } }, norm)
}

/// Clamps every gradient element to [−limit, limit] (PyTorch's `clip_grad_value_`).
public func clipGradientsByValue(_ gradients: [String: Tensor], limit: Float) -> [String: Tensor] {
    gradients.mapValues { g in
        Tensor(shape: g.shape) { out, n in
            let p = g.storage.pointer
            for i in 0..<n { out[i] = Swift.min(Swift.max(p[i], -limit), limit) }
        }
    }
}

/// Sums gradients over micro-batches, for an effective batch larger than fits at once.
///
/// ```swift
/// var accumulator = GradientAccumulator()
/// for micro in microBatches { accumulator.add(gradient(of: model) { loss($0, micro) }) }
/// optimizer.update(model, with: accumulator.average())
/// ```
public struct GradientAccumulator {
    public private(set) var sum: [String: Tensor] = [:]
    public private(set) var count = 0

    public init() {}

    /// Adds one micro-batch's gradients.
    public mutating func add(_ gradients: [String: Tensor]) {
        withoutDerivative {
            for (k, g) in gradients {
                sum[k] = sum[k].map { $0 + g.detached() } ?? g.detached()
            }
        }
        count += 1
    }

    /// The mean over the micro-batches added so far (use when each loss is a batch mean).
    public func average() -> [String: Tensor] {
        let n = Float(Swift.max(count, 1))
        return withoutDerivative { sum.mapValues { $0 / n } }
    }

    /// Clears the accumulated gradients.
    public mutating func reset() { sum = [:]; count = 0 }
}
