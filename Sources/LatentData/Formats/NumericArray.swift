import LatentCore

/// An N-dimensional array of one of the numeric element types found in data files (IDX,
/// NPY, NPZ), kept in its file type until converted to a ``Tensor`` or ``IndexTensor``.
///
/// ```swift
/// let images = try IDX.read(from: url)          // NumericArray, scalarType .uint8, shape [60000, 28, 28]
/// let x = images.tensor()                       // Float values 0…255
/// let labels = try IDX.read(from: labelsURL).indexTensor()
/// ```
public struct NumericArray: Sendable, Equatable {
    /// The element type.
    public enum ScalarType: String, Sendable, CaseIterable {
        case uint8, int8, int16, int32, int64, float32, float64

        /// Bytes per element.
        public var byteCount: Int {
            switch self {
            case .uint8, .int8: 1
            case .int16: 2
            case .int32, .float32: 4
            case .int64, .float64: 8
            }
        }

        /// Whether the type holds integers.
        public var isInteger: Bool { self != .float32 && self != .float64 }
    }

    /// The elements, row-major, in their own type.
    public enum Elements: Sendable, Equatable {
        case uint8([UInt8])
        case int8([Int8])
        case int16([Int16])
        case int32([Int32])
        case int64([Int64])
        case float32([Float])
        case float64([Double])
    }

    /// The size of each dimension.
    public let shape: [Int]
    /// The elements.
    public let elements: Elements

    /// An array of the given shape; the element count must match the shape.
    public init(shape: [Int], elements: Elements) {
        let n = Self.count(of: elements)
        ensure(checkedProduct(shape) == n,
                     "NumericArray: shape \(shape) does not hold \(n) elements")
        self.shape = shape
        self.elements = elements
    }

    /// The values of a tensor, as `float32`.
    public init(_ tensor: Tensor) {
        self.init(shape: tensor.shape, elements: .float32(tensor.scalars))
    }

    /// The indices of an index tensor, as `int64` (NumPy's default integer).
    public init(_ indices: IndexTensor) {
        self.init(shape: indices.shape, elements: .int64(indices.scalars.map(Int64.init)))
    }

    static func count(of elements: Elements) -> Int {
        switch elements {
        case .uint8(let v): v.count
        case .int8(let v): v.count
        case .int16(let v): v.count
        case .int32(let v): v.count
        case .int64(let v): v.count
        case .float32(let v): v.count
        case .float64(let v): v.count
        }
    }

    /// The element type.
    public var scalarType: ScalarType {
        switch elements {
        case .uint8: .uint8
        case .int8: .int8
        case .int16: .int16
        case .int32: .int32
        case .int64: .int64
        case .float32: .float32
        case .float64: .float64
        }
    }

    /// Number of elements.
    public var scalarCount: Int { Self.count(of: elements) }

    /// The values as Float (integers convert exactly up to 2²⁴; `float64` rounds).
    public func tensor() -> Tensor {
        Tensor(shape: shape) { p, n in
            switch elements {
            case .uint8(let v): for i in 0..<n { p[i] = Float(v[i]) }
            case .int8(let v): for i in 0..<n { p[i] = Float(v[i]) }
            case .int16(let v): for i in 0..<n { p[i] = Float(v[i]) }
            case .int32(let v): for i in 0..<n { p[i] = Float(v[i]) }
            case .int64(let v): for i in 0..<n { p[i] = Float(v[i]) }
            case .float32(let v): v.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: n) }
            case .float64(let v): for i in 0..<n { p[i] = Float(v[i]) }
            }
        }
    }

    /// The values as indices (labels, token ids).
    ///
    /// Throws when an element is not an integer within `Int32`.
    /// - Parameter file: Named in the error.
    public func indexTensor(file: String = "array") throws(DataError) -> IndexTensor {
        var out = [Int32](repeating: 0, count: scalarCount)
        func put(_ i: Int, _ value: Double) throws(DataError) {
            guard value.rounded() == value, value >= Double(Int32.min), value <= Double(Int32.max) else {
                throw DataError(file: file, "element \(i) is \(value), not an integer index")
            }
            out[i] = Int32(value)
        }
        switch elements {
        case .uint8(let v): for i in v.indices { out[i] = Int32(v[i]) }
        case .int8(let v): for i in v.indices { out[i] = Int32(v[i]) }
        case .int16(let v): for i in v.indices { out[i] = Int32(v[i]) }
        case .int32(let v): out = v
        case .int64(let v):
            for i in v.indices {
                guard let x = Int32(exactly: v[i]) else { throw DataError(file: file, "element \(i) is \(v[i]), outside Int32") }
                out[i] = x
            }
        case .float32(let v): for i in v.indices { try put(i, Double(v[i])) }
        case .float64(let v): for i in v.indices { try put(i, v[i]) }
        }
        return IndexTensor(shape: shape, scalars: out)
    }

    /// Decodes `count` elements of `type` from raw bytes with the given byte order.
    static func decode(_ bytes: ArraySlice<UInt8>, type: ScalarType, count: Int, bigEndian: Bool) -> Elements {
        ensure(bytes.count == count * type.byteCount)
        return bytes.withUnsafeBytes { raw -> Elements in
            func load<T: FixedWidthInteger>(_: T.Type) -> [T] {
                (0..<count).map { i in
                    let v = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
                    return bigEndian ? T(bigEndian: v) : T(littleEndian: v)
                }
            }
            switch type {
            case .uint8: return .uint8(Array(raw.bindMemory(to: UInt8.self)))
            case .int8: return .int8(Array(raw.bindMemory(to: Int8.self)))
            case .int16: return .int16(load(Int16.self))
            case .int32: return .int32(load(Int32.self))
            case .int64: return .int64(load(Int64.self))
            case .float32: return .float32(load(UInt32.self).map { Float(bitPattern: $0) })
            case .float64: return .float64(load(UInt64.self).map { Double(bitPattern: $0) })
            }
        }
    }

    /// The raw bytes of the elements with the given byte order.
    func encodedBytes(bigEndian: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(scalarCount * scalarType.byteCount)
        func store<T: FixedWidthInteger>(_ values: [T]) {
            for v in values {
                withUnsafeBytes(of: bigEndian ? v.bigEndian : v.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        switch elements {
        case .uint8(let v): out = v
        case .int8(let v): out = v.map { UInt8(bitPattern: $0) }
        case .int16(let v): store(v)
        case .int32(let v): store(v)
        case .int64(let v): store(v)
        case .float32(let v): store(v.map(\.bitPattern))
        case .float64(let v): store(v.map(\.bitPattern))
        }
        return out
    }
}
