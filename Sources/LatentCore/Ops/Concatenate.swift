/// Joining tensors along an axis: `concatenate` and `stack`.

/// The tensors joined end to end along `axis`; all other dimensions must agree.
///
/// `result[…, o_k + i, …] = tensors[k][…, i, …]` with `o_k` the sizes of the earlier
/// tensors along `axis`. The gradient of each input is its slice of the incoming gradient.
///
/// - Parameters:
///   - tensors: At least one tensor, all of the same rank.
///   - axis: The axis to join along; negative counts from the end.
public func concatenate(_ tensors: [Tensor], alongAxis axis: Int) -> Tensor {
    let (outShape, a) = checkShapes { () throws(ShapeError) in
        try Shape.concatenated(tensors.map(\.shape), alongAxis: axis)
    }
    if tensors.count == 1 { return tensors[0] }
    let outStrides = Shape.strides(outShape)
    let out = Tensor(shape: outShape) { o, _ in
        var position = 0
        for t in tensors {
            StridedCopy.copy(shape: t.shape, from: t.storage.pointer, offset: 0, strides: Shape.strides(t.shape),
                             to: o, offset: position * outStrides[a], strides: outStrides)
            position += t.shape[a]
        }
    }
    let sizes = tensors.map { $0.shape[a] }
    return Tensor.record("concatenate", inputs: tensors, output: out) { ctx in
        var position = 0
        return sizes.enumerated().map { k, n in
            defer { position += n }
            guard ctx.needsGradient(k) else { return nil }
            var starts = [Int](repeating: 0, count: outShape.count), counts = outShape
            starts[a] = position
            counts[a] = n
            return ctx.gradient.sliced(starts: starts, sizes: counts)
        }
    }
}

/// The tensors stacked along a new axis at position `axis` (they must share one shape).
///
/// `result[…, k, …] = tensors[k]`; a new axis of size `tensors.count` is inserted.
///
/// - Parameters:
///   - tensors: At least one tensor, all of the same shape.
///   - axis: Position of the new axis in the result, in `-(rank + 1)...rank`.
public func stack(_ tensors: [Tensor], alongAxis axis: Int) -> Tensor {
    let shapes = tensors.map(\.shape)
    let a = checkShapes { () throws(ShapeError) in
        guard let first = shapes.first else { throw ShapeError(op: "stack", "needs at least one tensor") }
        guard shapes.allSatisfy({ $0 == first }) else {
            throw ShapeError(op: "stack", "shapes \(shapes.map(shapeString).joined(separator: ", ")) must be equal")
        }
        return try Shape.normalizeAxis(axis, rank: first.count + 1, op: "stack")
    }
    return concatenate(tensors.map { $0.unsqueezed(axis: a) }, alongAxis: a)
}

extension Shape {
    /// Validates the shapes joined by ``concatenate(_:alongAxis:)`` and returns the
    /// result's shape and the non-negative axis.
    public static func concatenated(_ shapes: [[Int]], alongAxis axis: Int) throws(ShapeError) -> ([Int], Int) {
        guard let first = shapes.first else { throw ShapeError(op: "concatenate", "needs at least one tensor") }
        let a = try normalizeAxis(axis, rank: first.count, op: "concatenate")
        guard !first.isEmpty else { throw ShapeError(op: "concatenate", "cannot concatenate scalars") }
        var out = first
        out[a] = 0
        for s in shapes {
            var t = s
            if s.count == first.count { t[a] = 0 }
            guard t == out else {
                throw ShapeError(op: "concatenate", "shapes \(shapes.map(shapeString).joined(separator: ", ")) differ outside axis \(a)")
            }
        }
        out[a] = shapes.reduce(0) { $0 + $1[a] }
        return (out, a)
    }
}
