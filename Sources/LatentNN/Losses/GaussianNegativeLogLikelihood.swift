import Foundation
import LatentCore

/// Validates the shapes of ``gaussianNegativeLogLikelihood(_:target:variance:full:epsilon:reduction:)``
/// and returns the shape to view the variance as.
///
/// Allowed, as in PyTorch: the variance has the input's shape; or it lacks the input's
/// last axis (one variance per row, homoscedastic); or its last axis is 1; or it is a
/// tensor broadcastable in the same way.
public func gaussianNegativeLogLikelihoodVarianceShape(input: [Int], target: [Int], variance: [Int]) throws(ShapeError) -> [Int] {
    let op = "gaussianNegativeLogLikelihood"
    guard input == target else {
        throw ShapeError(op: op, "input of shape \(shapeString(input)) and target of shape \(shapeString(target)) differ")
    }
    if variance == input { return variance }
    if !input.isEmpty, variance == Array(input.dropLast()) { return variance + [1] }
    if variance.count == input.count, variance.last == 1, Array(variance.dropLast()) == Array(input.dropLast()) {
        return variance
    }
    throw ShapeError(op: op, "variance of shape \(shapeString(variance)) does not fit input of shape \(shapeString(input))")
}

/// The negative log-likelihood of `target` under `N(input, variance)` (PyTorch's
/// `GaussianNLLLoss`):
///
///     ℓ = ½ (log max(σ², ε) + (x − y)² / max(σ², ε))  [+ ½ log 2π when `full`]
///
/// The variance is clamped from below at `epsilon` for stability; as in PyTorch the clamp
/// passes gradients through unchanged (it is applied to the value only).
///
/// - Parameters:
///   - input: The predicted means `x`.
///   - target: Observations `y`, the same shape.
///   - variance: Predicted variances `σ² ≥ 0`: shaped like `input`, or without its last
///     axis, or with last axis 1 (one variance per row).
///   - full: Add the constant `½ log 2π`.
///   - epsilon: Floor of the variance.
///   - reduction: `.mean` (default), `.sum` or `.none` (elementwise).
public func gaussianNegativeLogLikelihood(_ input: Tensor, target: Tensor, variance: Tensor, full: Bool = false,
                                          epsilon: Float = 1e-6, reduction: Reduction = .mean) -> Tensor {
    let varianceShape = checkShapes { () throws(ShapeError) in
        try gaussianNegativeLogLikelihoodVarianceShape(input: input.shape, target: target.shape, variance: variance.shape)
    }
    ensure(withoutDerivative { variance.scalars.allSatisfy { $0 >= 0 } },
                 "gaussianNegativeLogLikelihood: variance has a negative entry")
    let v = variance.reshaped(to: varianceShape)
    // max(σ², ε) in value, identity in gradient.
    let shift = withoutDerivative { maximum(v.detached(), epsilon) - v.detached() }
    let clamped = v + shift
    var loss = (clamped.log() + (input - target).square() / clamped) * 0.5
    if full { loss = loss + Float(0.5 * Foundation.log(2 * Double.pi)) }
    switch reduction {
    case .none: return loss
    case .sum: return loss.sum()
    case .mean: return loss.mean()
    }
}
