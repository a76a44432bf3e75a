import LatentCore

/// Squared error `(x − y)²`, reduced (PyTorch's `F.mse_loss`).
///
/// `input` and `target` broadcast against each other. The classification losses live in
/// LatentCore as fused ops: ``binaryCrossEntropy(logits:targets:reduction:)`` and
/// ``crossEntropy(logits:labels:reduction:labelSmoothing:ignoreIndex:)``.
///
/// - Parameters:
///   - input: Predictions.
///   - target: Targets.
///   - reduction: `.mean` (default), `.sum` or `.none` (elementwise).
public func meanSquaredError(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    let squared = (input - target).square()
    switch reduction {
    case .none: return squared
    case .sum: return squared.sum()
    case .mean: return squared.mean()
    }
}
