import LatentCore

/// `x Wᵀ` over the last axis of `x` (leading axes flattened into one product).
func project(_ x: Tensor, weight: Tensor) -> Tensor {
    let features = x.shape[x.rank - 1]
    let rows = x.scalarCount / max(features, 1)
    return matmul(x.reshaped(to: [rows, features]), weight.transposed())
        .reshaped(to: Array(x.shape.dropLast()) + [weight.shape[0]])
}
