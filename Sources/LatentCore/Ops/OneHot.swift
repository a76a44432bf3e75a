/// One-hot encoding of integer labels.

/// A tensor of shape `indices.shape + [classCount]` with `1` at each label's class and
/// `0` elsewhere (not differentiable: labels are integers).
///
/// - Parameters:
///   - indices: Class labels in `0..<classCount`.
///   - classCount: The number of classes.
public func oneHot(_ indices: IndexTensor, classCount: Int) -> Tensor {
    checkShapes { () throws(ShapeError) in
        try indices.validate(axisSize: classCount, axis: indices.rank, op: "oneHot")
    }
    return Tensor(shape: indices.shape + [classCount]) { p, n in
        p.update(repeating: 0, count: n)
        for (i, label) in indices.scalars.enumerated() { p[i * classCount + Int(label)] = 1 }
    }
}
