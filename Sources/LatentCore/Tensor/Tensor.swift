/// An N-dimensional array of `Float` values with reverse-mode automatic differentiation.
///
/// `Tensor` is a value type over immutable, 64-byte-aligned, row-major storage. Every op
/// returns a new tensor. When an op's input lies on a path to a gradient someone asked
/// for (see ``valueAndGradient(at:createGraph:of:)-(Tensor,_,_)``), the op records a
/// ``GradNode`` with its backward rule; otherwise it records nothing.
///
/// ```swift
/// let x: Tensor = [[1, 2], [3, 4]]
/// let y = (x * x).sum()                  // 30
/// let g = gradient(at: x) { ($0 * $0).sum() }   // [[2, 4], [6, 8]]
/// ```
public struct Tensor: Sendable {
    /// The size of each dimension; `[]` for a scalar.
    public let shape: [Int]
    /// The elements, row-major.
    public let storage: TensorStorage
    /// The autodiff node that produced this tensor, when it is being recorded.
    public let gradNode: GradNode?

    /// Wraps existing storage. `storage.count` must equal the product of `shape`.
    public init(shape: [Int], storage: TensorStorage, gradNode: GradNode? = nil) {
        ensure(Shape.count(shape) == storage.count,
                     "Tensor: shape \(shapeString(shape)) needs \(Shape.count(shape)) elements, storage has \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.gradNode = gradNode
    }

    /// Creates a tensor of the given shape by letting `fill` write every element.
    @inlinable
    public init(shape: [Int], unsafeUninitialized fill: (UnsafeMutablePointer<Float>, Int) throws -> Void) rethrows {
        let storage = TensorStorage(uninitializedCount: Shape.count(shape))
        try fill(storage.pointer, storage.count)
        self.init(shape: shape, storage: storage)
    }

    /// Creates a tensor from a flat array of elements in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        ensure(Shape.count(shape) == scalars.count,
                     "Tensor(shape:scalars:): shape \(shapeString(shape)) needs \(Shape.count(shape)) elements, got \(scalars.count)")
        self.init(shape: shape) { p, n in
            scalars.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: n) }
        }
    }

    /// A 1-D tensor from an array.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A 2-D tensor from nested arrays (rows of equal length).
    public init(_ rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        ensure(rows.allSatisfy { $0.count == columns }, "Tensor: rows have different lengths")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// A 0-d (scalar) tensor.
    public init(_ value: Float) {
        self.init(shape: [], unsafeUninitialized: { p, _ in p.initialize(to: value) })
    }

    /// A tensor of `shape` with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(count: Shape.count(shape), repeating: value))
    }

    // MARK: - Properties

    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// Number of elements.
    @inlinable public var scalarCount: Int { storage.count }
    /// Whether this tensor is recorded for differentiation.
    @inlinable public var isRecorded: Bool { gradNode != nil }

    /// The elements as a flat Swift array (row-major).
    public var scalars: [Float] { Array(storage.buffer) }

    /// The single element of a one-element tensor.
    public var scalar: Float {
        ensure(scalarCount == 1, "scalar: tensor of shape \(shapeString(shape)) has \(scalarCount) elements, not 1")
        return storage.pointer[0]
    }

    /// Reads one element by its full index.
    public subscript(element index: [Int]) -> Float {
        ensure(index.count == rank, "subscript: index \(index) does not match rank \(rank)")
        var offset = 0
        for (i, d) in shape.enumerated() {
            ensure(index[i] >= 0 && index[i] < d, "subscript: index \(index) out of range for shape \(shapeString(shape))")
            offset = offset * d + index[i]
        }
        return storage.pointer[offset]
    }

    /// The same values, cut off from the autodiff graph (no gradient flows through).
    @inlinable public func detached() -> Tensor {
        gradNode == nil ? self : Tensor(shape: shape, storage: storage)
    }

    /// Returns this tensor as a 2-D array (for rank-2 tensors), handy in tests.
    public var array2D: [[Float]] {
        ensure(rank == 2, "array2D: tensor has shape \(shapeString(shape))")
        let s = scalars
        return (0..<shape[0]).map { Array(s[($0 * shape[1])..<(($0 + 1) * shape[1])]) }
    }
}

extension Tensor: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public init(floatLiteral value: Float) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(Float(value)) }

    /// Nested array literals build tensors of any rank: `[[1, 2], [3, 4]]`.
    public init(arrayLiteral elements: Tensor...) {
        guard let first = elements.first else {
            self.init(shape: [0], scalars: [])
            return
        }
        ensure(elements.allSatisfy { $0.shape == first.shape }, "Tensor literal: ragged nested array")
        self.init(shape: [elements.count] + first.shape) { p, _ in
            var offset = 0
            for e in elements {
                p.advanced(by: offset).update(from: e.storage.pointer, count: e.scalarCount)
                offset += e.scalarCount
            }
        }
    }
}
