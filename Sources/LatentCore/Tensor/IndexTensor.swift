/// An N-dimensional array of integer indices (labels, token ids, gather positions).
///
/// Index tensors are never differentiated; ops that take them (gather, embedding,
/// cross-entropy) differentiate with respect to their `Tensor` operands only.
public struct IndexTensor: Sendable, Equatable, CustomStringConvertible {
    /// The size of each dimension.
    public let shape: [Int]
    /// The indices, row-major.
    public let scalars: [Int32]

    public init(shape: [Int], scalars: [Int32]) {
        ensure(Shape.count(shape) == scalars.count,
                     "IndexTensor: shape \(shapeString(shape)) needs \(Shape.count(shape)) elements, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    public init(shape: [Int], scalars: [Int]) {
        self.init(shape: shape, scalars: scalars.map { Int32($0) })
    }

    /// A 1-D index tensor.
    public init(_ scalars: [Int]) { self.init(shape: [scalars.count], scalars: scalars) }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var scalarCount: Int { scalars.count }

    /// The same indices with a new shape.
    public func reshaped(to newShape: [Int]) -> IndexTensor {
        let resolved = checkShapes { () throws(ShapeError) in try Shape.resolveReshape(newShape, count: scalarCount, from: shape) }
        return IndexTensor(shape: resolved, scalars: scalars)
    }

    /// The indices as floats (e.g. to build a mask).
    public var asTensor: Tensor { Tensor(shape: shape, scalars: scalars.map(Float.init)) }

    public var description: String { "IndexTensor(shape: \(shapeString(shape)), \(scalars))" }
}

extension IndexTensor: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Int...) { self.init(elements) }
}
