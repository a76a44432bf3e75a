/// A contiguous tensor viewed as `[outer, length, inner]` around one axis (or one
/// contiguous run of axes): the layout that per-axis kernels (softmax, cumulative sum,
/// arg-max) loop over.
///
/// Element `(o, k, i)` sits at flat offset `(o · length + k) · inner + i`; `inner == 1`
/// means the axis is the innermost one and each of the `outer` rows is contiguous.
public struct AxisLayout: Sendable, Equatable {
    /// Product of the dimensions before the axis.
    public let outer: Int
    /// Size of the axis (or the product of the run of axes).
    public let length: Int
    /// Product of the dimensions after the axis.
    public let inner: Int

    public init(outer: Int, length: Int, inner: Int) {
        self.outer = outer
        self.length = length
        self.inner = inner
    }

    /// The layout of `shape` around the (non-negative) `axis`.
    public init(shape: [Int], axis: Int) {
        self.init(shape: shape, axes: axis..<(axis + 1))
    }

    /// The layout of `shape` around a contiguous range of (non-negative) axes.
    public init(shape: [Int], axes: Range<Int>) {
        outer = Shape.count(Array(shape[..<axes.lowerBound]))
        length = Shape.count(Array(shape[axes]))
        inner = Shape.count(Array(shape[axes.upperBound...]))
    }

    /// The layout of a reduction over the axes flagged in `reduced`, when those axes form
    /// one contiguous run once size-1 dimensions are ignored; `nil` otherwise.
    public init?(shape: [Int], reduced: [Bool]) {
        let (sizes, flags) = ReductionKernels.coalesce(shape, reduced: reduced)
        guard flags.filter({ $0 }).count <= 1 else { return nil }
        guard let k = flags.firstIndex(of: true) else {
            // Nothing of size > 1 is reduced: each group has one element.
            self.init(outer: Shape.count(shape), length: 1, inner: 1)
            return
        }
        self.init(outer: Shape.count(Array(sizes[..<k])), length: sizes[k],
                  inner: Shape.count(Array(sizes[(k + 1)...])))
    }
}
