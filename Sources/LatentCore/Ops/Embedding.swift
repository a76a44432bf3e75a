/// Embedding lookup: rows of a weight table picked by integer ids.

/// The rows of `weight` named by `indices`: `result[i…, :] = weight[indices[i…], :]`.
///
/// The result has shape `indices.shape + weight.shape.dropFirst()`. The gradient with
/// respect to `weight` index-adds the incoming gradient into the rows that were used
/// (a recorded op, whose own gradient is this lookup again).
///
/// - Parameters:
///   - weight: The table, `[count, dimension]` (or any rank >= 1, rows along axis 0).
///   - indices: Row ids in `0..<weight.shape[0]`, of any shape.
public func embedding(_ weight: Tensor, _ indices: IndexTensor) -> Tensor {
    let flat = indices.reshaped(to: [indices.scalarCount])
    return weight.indexSelect(alongAxis: 0, indices: flat, op: "embedding")
        .reshaped(to: indices.shape + weight.shape.dropFirst())
}
