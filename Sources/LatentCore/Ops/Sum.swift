/// Sums and means along axes.
extension Tensor {
    /// Sum of all elements (a scalar tensor).
    public func sum() -> Tensor {
        sum(toShape: [])
    }

    /// Sum along `axes` (negative axes count from the end).
    public func sum(alongAxes axes: [Int], keepDims: Bool = false) -> Tensor {
        let keptShape = reducedShape(axes, op: "sum")
        let s = sum(toShape: keptShape)
        return keepDims ? s : s.reshaped(to: keptShape.enumerated().filter { !normalizedAxes(axes, op: "sum").contains($0.offset) }.map(\.element))
    }

    /// Sum along one axis.
    public func sum(alongAxis axis: Int, keepDims: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepDims: keepDims)
    }

    /// Mean of all elements.
    public func mean() -> Tensor { sum() / Float(max(scalarCount, 1)) }

    /// Mean along `axes`.
    public func mean(alongAxes axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = normalizedAxes(axes, op: "mean").reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes, keepDims: keepDims) / Float(max(n, 1))
    }

    /// Mean along one axis.
    public func mean(alongAxis axis: Int, keepDims: Bool = false) -> Tensor {
        mean(alongAxes: [axis], keepDims: keepDims)
    }

    /// Distinct, non-negative axes; traps naming `op` if one is out of range.
    public func normalizedAxes(_ axes: [Int], op: String) -> [Int] {
        let r = rank
        return Array(Set(axes.map { a in checkShapes { () throws(ShapeError) in try Shape.normalizeAxis(a, rank: r, op: op) } })).sorted()
    }

    /// This tensor's shape with `axes` set to 1.
    public func reducedShape(_ axes: [Int], op: String) -> [Int] {
        var s = shape
        for a in normalizedAxes(axes, op: op) { s[a] = 1 }
        return s
    }
}
