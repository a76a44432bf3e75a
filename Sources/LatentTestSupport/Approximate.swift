import LatentCore

/// Whether every element of `a` is within `absolute + relative·|b|` of `b` (same shapes).
public func isClose(_ a: Tensor, _ b: Tensor, relative: Float = 1e-5, absolute: Float = 1e-6) -> Bool {
    guard a.shape == b.shape else { return false }
    for (x, y) in zip(a.scalars, b.scalars) {
        if x.isNaN || y.isNaN { if !(x.isNaN && y.isNaN) { return false } else { continue } }
        if x == y { continue }
        if abs(x - y) > absolute + relative * abs(y) { return false }
    }
    return true
}

/// A readable account of the largest difference between two tensors.
public func differenceReport(_ a: Tensor, _ b: Tensor) -> String {
    guard a.shape == b.shape else { return "shapes differ: \(shapeString(a.shape)) vs \(shapeString(b.shape))" }
    var worst = (index: 0, diff: Float(0))
    for (i, (x, y)) in zip(a.scalars, b.scalars).enumerated() where abs(x - y) > worst.diff || (x - y).isNaN {
        worst = (i, (x - y).isNaN ? .nan : abs(x - y))
    }
    return "max |a - b| = \(worst.diff) at flat index \(worst.index): \(a.scalars.isEmpty ? 0 : a.scalars[worst.index]) vs \(b.scalars.isEmpty ? 0 : b.scalars[worst.index])"
}
