/// What to take along one axis when slicing a tensor: everything, one index (dropping
/// the axis), a strided range, a new size-1 axis, or all remaining axes.
///
/// Integers and Swift ranges convert implicitly in subscripts, and negative indices and
/// bounds count from the end of the axis, as in NumPy:
///
/// ```swift
/// x[0]                         // first row, axis dropped
/// x[.all, -1]                  // last column
/// x[1..<3, .range(0..., stride: 2)]
/// x[.ellipsis, .newAxis]       // append a size-1 axis
/// x[.range(start: nil, end: nil, stride: -1)]   // reversed along axis 0
/// ```
///
/// Unlike NumPy (and like Swift arrays), out-of-range indices and bounds trap instead of
/// being clamped.
public struct TensorRange: Sendable, Equatable, CustomStringConvertible {
    /// The cases of a ``TensorRange``.
    public enum Kind: Sendable, Equatable {
        /// The whole axis.
        case all
        /// As many `.all` as needed to cover the axes not named by the other ranges.
        case ellipsis
        /// Inserts a new axis of size 1 (consumes no axis of the input).
        case newAxis
        /// One position; the axis is dropped from the result.
        case index(Int)
        /// Positions `start, start + stride, …` before `end`, with NumPy's defaults for
        /// `nil` bounds (the whole axis, walked backwards when `stride < 0`).
        case range(start: Int?, end: Int?, stride: Int)
    }

    public let kind: Kind

    public init(_ kind: Kind) { self.kind = kind }

    public var description: String {
        switch kind {
        case .all: return ":"
        case .ellipsis: return "..."
        case .newAxis: return "newAxis"
        case .index(let i): return String(i)
        case let .range(start, end, stride):
            return "\(start.map(String.init) ?? ""):\(end.map(String.init) ?? "")" + (stride == 1 ? "" : ":\(stride)")
        }
    }
}

/// A value that can describe what to take along one axis: ``TensorRange``, `Int`, and
/// Swift's `Int` ranges (`a..<b`, `a...b`, `a...`, `..<b`, `...b`).
public protocol TensorRangeExpression {
    var tensorRange: TensorRange { get }
}

extension TensorRangeExpression where Self == TensorRange {
    /// The whole axis.
    public static var all: TensorRange { TensorRange(.all) }
    /// As many `.all` as needed to cover the remaining axes.
    public static var ellipsis: TensorRange { TensorRange(.ellipsis) }
    /// A new axis of size 1.
    public static var newAxis: TensorRange { TensorRange(.newAxis) }
    /// One position (negative counts from the end); the axis is dropped.
    public static func index(_ i: Int) -> TensorRange { TensorRange(.index(i)) }
    /// NumPy's `start:end:stride`; `nil` bounds default to the ends of the axis.
    public static func range(start: Int?, end: Int?, stride: Int = 1) -> TensorRange {
        TensorRange(.range(start: start, end: end, stride: stride))
    }
    /// `range.lowerBound, + stride, …` before `range.upperBound` (`stride > 0`).
    public static func range(_ range: Range<Int>, stride: Int = 1) -> TensorRange {
        .range(start: range.lowerBound, end: range.upperBound, stride: stride)
    }
    /// The closed range, every `stride`-th position (`stride > 0`).
    public static func range(_ range: ClosedRange<Int>, stride: Int = 1) -> TensorRange {
        .range(start: range.lowerBound, end: range.upperBound == -1 ? nil : range.upperBound + 1, stride: stride)
    }
    /// From `range.lowerBound` to the end of the axis, every `stride`-th position.
    public static func range(_ range: PartialRangeFrom<Int>, stride: Int = 1) -> TensorRange {
        .range(start: range.lowerBound, end: nil, stride: stride)
    }
    /// From the start of the axis up to `range.upperBound`, every `stride`-th position.
    public static func range(_ range: PartialRangeUpTo<Int>, stride: Int = 1) -> TensorRange {
        .range(start: nil, end: range.upperBound, stride: stride)
    }
    /// From the start of the axis through `range.upperBound`, every `stride`-th position.
    public static func range(_ range: PartialRangeThrough<Int>, stride: Int = 1) -> TensorRange {
        .range(start: nil, end: range.upperBound == -1 ? nil : range.upperBound + 1, stride: stride)
    }
    /// The whole axis, every `stride`-th position (backwards from the end when negative).
    public static func stride(_ stride: Int) -> TensorRange { .range(start: nil, end: nil, stride: stride) }
}

extension TensorRange: TensorRangeExpression { public var tensorRange: TensorRange { self } }
extension Int: TensorRangeExpression { public var tensorRange: TensorRange { .index(self) } }
extension Range<Int>: TensorRangeExpression { public var tensorRange: TensorRange { .range(self) } }
extension ClosedRange<Int>: TensorRangeExpression { public var tensorRange: TensorRange { .range(self) } }
extension PartialRangeFrom<Int>: TensorRangeExpression { public var tensorRange: TensorRange { .range(self) } }
extension PartialRangeUpTo<Int>: TensorRangeExpression { public var tensorRange: TensorRange { .range(self) } }
extension PartialRangeThrough<Int>: TensorRangeExpression { public var tensorRange: TensorRange { .range(self) } }

/// A strided window of a tensor: for each axis of the input, the first position, the
/// number of positions and the step between them.
public struct StridedWindow: Sendable, Equatable {
    /// First position along each input axis.
    public var starts: [Int]
    /// Number of positions along each input axis (the shape of the window).
    public var sizes: [Int]
    /// Step along each input axis (non-zero; negative walks backwards).
    public var strides: [Int]
    /// Shape of the result after dropping indexed axes and inserting new ones.
    public var resultShape: [Int]

    public init(starts: [Int], sizes: [Int], strides: [Int], resultShape: [Int]) {
        self.starts = starts
        self.sizes = sizes
        self.strides = strides
        self.resultShape = resultShape
    }
}

extension Shape {
    /// Resolves one range per axis (with `.ellipsis`, `.newAxis` and negative indices)
    /// against `shape`, or throws a ``ShapeError`` naming `op`, the axis and its size.
    public static func resolveSlice(_ ranges: [TensorRange], shape: [Int], op: String = "slice") throws(ShapeError) -> StridedWindow {
        let consuming = ranges.filter { $0.kind != .newAxis && $0.kind != .ellipsis }.count
        let ellipses = ranges.filter { $0.kind == .ellipsis }.count
        guard ellipses <= 1 else {
            throw ShapeError(op: op, "at most one ellipsis is allowed, got \(ranges)")
        }
        guard consuming <= shape.count else {
            throw ShapeError(op: op, "\(consuming) indices for a tensor of shape \(shapeString(shape))")
        }
        var specs: [TensorRange] = []
        for r in ranges {
            if r.kind == .ellipsis {
                specs += Array(repeating: .all, count: shape.count - consuming)
            } else {
                specs.append(r)
            }
        }
        if ellipses == 0 { specs += Array(repeating: .all, count: shape.count - consuming) }

        var window = StridedWindow(starts: [], sizes: [], strides: [], resultShape: [])
        var axis = 0
        for spec in specs {
            if case .newAxis = spec.kind { window.resultShape.append(1); continue }
            let n = shape[axis]
            switch spec.kind {
            case .all:
                window.starts.append(0); window.sizes.append(n); window.strides.append(1)
                window.resultShape.append(n)
            case .index(let i):
                let j = i < 0 ? i + n : i
                guard j >= 0 && j < n else {
                    throw ShapeError(op: op, "index \(i) is out of range for axis \(axis) of size \(n)")
                }
                window.starts.append(j); window.sizes.append(1); window.strides.append(1)
            case let .range(start, end, step):
                guard step != 0 else { throw ShapeError(op: op, "stride must not be zero (axis \(axis))") }
                let (first, count) = try resolveRange(start: start, end: end, stride: step, size: n, axis: axis, op: op)
                window.starts.append(first); window.sizes.append(count); window.strides.append(step)
                window.resultShape.append(count)
            case .newAxis, .ellipsis:
                break
            }
            axis += 1
        }
        return window
    }

    /// The first position and the count of `start:end:stride` on an axis of size `size`.
    static func resolveRange(start: Int?, end: Int?, stride: Int, size n: Int, axis: Int,
                             op: String) throws(ShapeError) -> (Int, Int) {
        func bad() -> ShapeError {
            ShapeError(op: op, "range \(TensorRange(.range(start: start, end: end, stride: stride))) is out of range for axis \(axis) of size \(n)")
        }
        if stride > 0 {
            let s = start.map { $0 < 0 ? $0 + n : $0 } ?? 0
            let e = end.map { $0 < 0 ? $0 + n : $0 } ?? n
            guard s >= 0, e <= n, s <= e else { throw bad() }
            return (s, (e - s + stride - 1) / stride)
        } else {
            // Walking backwards: start defaults to the last position, end to before the first.
            let s = start.map { $0 < 0 ? $0 + n : $0 } ?? n - 1
            let e = end.map { $0 < 0 ? $0 + n : $0 } ?? -1
            guard e >= -1, s <= n - 1, e <= s else { throw bad() }
            let count = (s - e + (-stride) - 1) / (-stride)
            return (count == 0 ? 0 : s, count)
        }
    }

    /// Checks that a window (`starts`, `sizes`, `strides`, one per axis) lies inside `shape`.
    public static func validateWindow(_ shape: [Int], starts: [Int], sizes: [Int], strides: [Int],
                                      op: String) throws(ShapeError) {
        guard starts.count == shape.count, sizes.count == shape.count, strides.count == shape.count else {
            throw ShapeError(op: op, "window with starts \(starts), sizes \(sizes), strides \(strides) does not match shape \(shapeString(shape))")
        }
        for d in shape.indices {
            guard sizes[d] >= 0, strides[d] != 0 else {
                throw ShapeError(op: op, "invalid size \(sizes[d]) or stride \(strides[d]) for axis \(d)")
            }
            if sizes[d] == 0 { continue }
            let last = starts[d] + (sizes[d] - 1) * strides[d]
            guard starts[d] >= 0, starts[d] < shape[d], last >= 0, last < shape[d] else {
                throw ShapeError(op: op, "window from \(starts[d]) by \(strides[d]) for \(sizes[d]) positions is out of range for axis \(d) of size \(shape[d])")
            }
        }
    }
}
