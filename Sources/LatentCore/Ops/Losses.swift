import Foundation

/// How a loss combines its per-element values (as PyTorch's `reduction=` argument).
public enum Reduction: Sendable, Hashable {
    /// Keep one loss per element (per row for ``crossEntropy(logits:labels:reduction:labelSmoothing:ignoreIndex:)``).
    case none
    /// The mean over elements (over non-ignored rows for cross-entropy).
    case mean
    /// The sum over elements.
    case sum
}

/// Binary cross-entropy on logits (PyTorch's `binary_cross_entropy_with_logits`).
///
/// Per element, with `σ` the logistic sigmoid and targets `t ∈ [0, 1]` (soft targets allowed):
/// `ℓ = −t·log σ(x) − (1 − t)·log(1 − σ(x)) = max(x, 0) − x·t + log(1 + e^{−|x|})`,
/// the last form being stable for logits of any magnitude. Gradients:
/// `∂ℓ/∂x = σ(x) − t` and `∂ℓ/∂t = −x`, written with differentiable ops.
///
/// - Parameters:
///   - logits: Unnormalised log-odds `x`.
///   - targets: Probabilities `t` of the positive class; broadcast against `logits`.
///   - reduction: `.mean` (default), `.sum`, or `.none` for the elementwise losses.
public func binaryCrossEntropy(logits: Tensor, targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    let shape = checkShapes { () throws(ShapeError) in
        try Shape.broadcast(logits.shape, targets.shape, op: "binaryCrossEntropy")
    }
    let out = Tensor(shape: shape) { p, _ in
        Elementwise.broadcastZip(logits, targets, outShape: shape, p, { x, t in
            let absolute = x.replacing(with: -x, where: x .< 0)
            let positive = x.replacing(with: 0, where: x .< 0)
            return positive - x * t + SoftmaxKernels.log1pUnit(SoftmaxKernels.exp(-absolute))
        }, { x, t in
            let softplus = SoftmaxKernels.log1pUnit(SoftmaxKernels.exp(SIMD16(repeating: -Swift.abs(x))))[0]
            return Swift.max(x, 0) - x * t + softplus
        })
    }
    let losses = Tensor.record("binaryCrossEntropy", inputs: [logits, targets], output: out) { ctx in
        let (x, t, g) = (ctx.inputs[0], ctx.inputs[1], ctx.gradient)
        return [ctx.needsGradient(0) ? (g * (x._sigmoidForLosses() - t)).sum(toShape: x.shape) : nil,
                ctx.needsGradient(1) ? (-(g * x)).sum(toShape: t.shape) : nil]
    }
    return losses.reduced(by: reduction)
}

/// Checks the shapes of ``crossEntropy(logits:labels:reduction:labelSmoothing:ignoreIndex:)``:
/// logits `[..., C]` with `C ≥ 1` and labels shaped like the logits without their last axis.
public func validateCrossEntropyShapes(logits: [Int], labels: [Int]) throws(ShapeError) {
    guard let classes = logits.last, classes > 0 else {
        throw ShapeError(op: "crossEntropy", "logits need a non-empty class axis (last), got shape \(shapeString(logits))")
    }
    guard labels == Array(logits.dropLast()) else {
        throw ShapeError(op: "crossEntropy",
                         "labels of shape \(shapeString(labels)) do not match logits of shape \(shapeString(logits)) (expected labels \(shapeString(Array(logits.dropLast()))))")
    }
}

/// Cross-entropy between logits and integer class labels (PyTorch's `cross_entropy`, with
/// the class axis last).
///
/// For a row of logits `x` (`C` classes) and label `y`, with `lse = log Σ_c exp(x_c)`:
/// `ℓ = Σ_c q_c (lse − x_c)` where `q = (1 − ε)·onehot(y) + ε/C` (`ε` the label smoothing);
/// without smoothing `ℓ = lse − x_y`. Rows whose label is `ignoreIndex` give 0 and are left
/// out of the mean. The forward pass is one fused kernel per row; the gradient
/// `(softmax(x) − q)·g` is written with differentiable ops (second order works).
///
/// - Parameters:
///   - logits: Scores of shape `[..., C]` (e.g. `[N, C]` or `[N, T, C]`).
///   - labels: Class indices in `0..<C`, shaped like `logits` without the last axis.
///   - reduction: `.mean` (default, over non-ignored rows), `.sum`, or `.none` for the per-row losses.
///   - labelSmoothing: `ε ∈ [0, 1]`, the probability mass spread uniformly over all classes.
///   - ignoreIndex: A label value whose rows contribute nothing (neither loss nor gradient).
public func crossEntropy(logits: Tensor, labels: IndexTensor, reduction: Reduction = .mean,
                         labelSmoothing: Float = 0, ignoreIndex: Int? = nil) -> Tensor {
    checkShapes { () throws(ShapeError) in try validateCrossEntropyShapes(logits: logits.shape, labels: labels.shape) }
    ensure(labelSmoothing >= 0 && labelSmoothing <= 1,
                 "crossEntropy: labelSmoothing must lie in [0, 1], got \(labelSmoothing)")
    let classes = logits.shape[logits.rank - 1]
    let rowShape = labels.shape
    let rows = labels.scalarCount
    let isIgnored: @Sendable (Int32) -> Bool = { label in Int(label) == ignoreIndex }
    var validCount = 0
    for (r, label) in labels.scalars.enumerated() {
        if isIgnored(label) { continue }
        ensure(label >= 0 && Int(label) < classes,
                     "crossEntropy: label \(label) at row \(r) is out of range for \(classes) classes")
        validCount += 1
    }
    let smoothing = labelSmoothing
    let out = Tensor(shape: rowShape) { p, _ in
        let x = logits.storage.pointer
        labels.scalars.withUnsafeBufferPointer { labelBuffer in
            let labelPointer = UncheckedSendable(labelBuffer.baseAddress!)
            Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, Elementwise.parallelGrain / classes)) { range in
                for r in range {
                    let label = labelPointer.value[r]
                    if isIgnored(label) { p[r] = 0; continue }
                    let row = x + r * classes
                    let lse = SoftmaxKernels.rowLogSumExp(row, classes)
                    var loss = lse - (1 - smoothing) * row[Int(label)]
                    if smoothing != 0 {
                        var total: Float = 0
                        for c in 0..<classes { total += row[c] }
                        loss -= smoothing / Float(classes) * total
                    }
                    p[r] = loss
                }
            }
        }
    }
    let hasIgnored = validCount < rows
    let losses = Tensor.record("crossEntropy", inputs: [logits], output: out) { ctx in
        let x = ctx.inputs[0]
        // q: the smoothed one-hot targets, zero on ignored rows (untracked).
        let targets = Tensor(shape: x.shape) { q, count in
            q.update(repeating: smoothing / Float(classes), count: count)
            for (r, label) in labels.scalars.enumerated() {
                if isIgnored(label) {
                    (q + r * classes).update(repeating: 0, count: classes)
                } else {
                    q[r * classes + Int(label)] += 1 - smoothing
                }
            }
        }
        var probabilities = x.softmax(alongAxis: -1)
        if hasIgnored {
            let valid = Tensor(shape: rowShape + [1], scalars: labels.scalars.map { isIgnored($0) ? 0 : 1 })
            probabilities = probabilities * valid
        }
        return [(probabilities - targets) * ctx.gradient.reshaped(to: rowShape + [1])]
    }
    switch reduction {
    case .none: return losses
    case .sum: return losses.sum()
    case .mean: return losses.sum() / Float(validCount)
    }
}

extension Tensor {
    /// Applies a loss ``Reduction`` to elementwise losses.
    func reduced(by reduction: Reduction) -> Tensor {
        switch reduction {
        case .none: self
        case .mean: mean()
        case .sum: sum()
        }
    }

    /// The logistic sigmoid `σ(x) = 1 / (1 + e^{−x})` with backward `g·σ(1 − σ)`: a
    /// private stand-in for the elementwise `sigmoid()` op (another branch adds it), used
    /// by the loss gradients so that this file builds on its own.
    func _sigmoidForLosses() -> Tensor {
        let out = unaryKernel({ 1 / (1 + SoftmaxKernels.exp(-$0)) }, { 1 / (1 + SoftmaxKernels.exp(-$0)) })
        return Tensor.record("sigmoid", inputs: [self], output: out) { ctx in
            [ctx.gradient * ctx.output * (1 - ctx.output)]
        }
    }
}
