/// A shape error: an op was given tensors whose shapes it cannot combine.
///
/// Ops trap with ``message`` (a programmer error); the validation functions that build
/// it are public and throwing so that callers with untrusted shapes can check first.
public struct ShapeError: Error, CustomStringConvertible, Equatable {
    /// The op that rejected its inputs, e.g. `"matmul"`.
    public let op: String
    /// A sentence naming the op and the shapes involved.
    public let message: String

    public init(op: String, _ message: String) {
        self.op = op
        self.message = "\(op): \(message)"
    }

    public var description: String { message }
}

/// Formats a shape the way NumPy prints one: `[2, 3]`.
@inlinable public func shapeString(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}

/// Helpers for shapes: element counts, strides, broadcasting, axis normalisation.
public enum Shape {
    /// Number of elements of a tensor with this shape (1 for a scalar).
    @inlinable public static func count(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { n &*= d }
        return n
    }

    /// Row-major (C-order) strides in elements.
    @inlinable public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = s
            s &*= shape[i]
        }
        return strides
    }

    /// The NumPy broadcast of two shapes, or a ``ShapeError`` naming `op` and both shapes.
    public static func broadcast(_ a: [Int], _ b: [Int], op: String) throws(ShapeError) -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                out[i] = da
            } else if da == 1 {
                out[i] = db
            } else {
                throw ShapeError(op: op, "shapes \(shapeString(a)) and \(shapeString(b)) are not broadcastable")
            }
        }
        return out
    }

    /// Checks that `shape` can be broadcast to `target` (NumPy rules).
    public static func validateBroadcast(_ shape: [Int], to target: [Int], op: String) throws(ShapeError) {
        guard shape.count <= target.count else {
            throw ShapeError(op: op, "cannot broadcast shape \(shapeString(shape)) to \(shapeString(target))")
        }
        let offset = target.count - shape.count
        for (i, d) in shape.enumerated() where d != 1 && d != target[i + offset] {
            throw ShapeError(op: op, "cannot broadcast shape \(shapeString(shape)) to \(shapeString(target))")
        }
    }

    /// Normalises a possibly negative axis for a tensor of the given rank.
    public static func normalizeAxis(_ axis: Int, rank: Int, op: String) throws(ShapeError) -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0 && a < max(rank, 1) else {
            throw ShapeError(op: op, "axis \(axis) is out of range for a tensor of rank \(rank)")
        }
        return a
    }

    /// Checks that two shapes are identical.
    public static func validateEqual(_ a: [Int], _ b: [Int], op: String) throws(ShapeError) {
        guard a == b else {
            throw ShapeError(op: op, "shapes \(shapeString(a)) and \(shapeString(b)) must be equal")
        }
    }

    /// Resolves a reshape target that may contain one `-1`.
    public static func resolveReshape(_ shape: [Int], count: Int, from original: [Int]) throws(ShapeError) -> [Int] {
        var out = shape
        let unknown = shape.indices.filter { shape[$0] == -1 }
        guard unknown.count <= 1, !shape.contains(where: { $0 < -1 }) else {
            throw ShapeError(op: "reshape", "invalid target shape \(shapeString(shape))")
        }
        let known = shape.filter { $0 != -1 }.reduce(1, *)
        if let u = unknown.first {
            guard known != 0, count % known == 0 else {
                throw ShapeError(op: "reshape", "cannot reshape \(shapeString(original)) to \(shapeString(shape))")
            }
            out[u] = count / known
        } else if known != count {
            throw ShapeError(op: "reshape", "cannot reshape \(shapeString(original)) (\(count) elements) to \(shapeString(shape))")
        }
        return out
    }
}

/// Runs a shape validation and traps with its message if it fails.
///
/// Shape mismatches are programmer errors, so ops trap rather than throw (as
/// `Array` does on an out-of-range index); the message names the op and the shapes.
@inlinable
public func checkShapes<T>(_ body: () throws(ShapeError) -> T) -> T {
    do {
        return try body()
    } catch {
        fatalError(error.message)
    }
}
