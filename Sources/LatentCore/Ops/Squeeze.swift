/// Adding and removing axes without moving data: squeeze, unsqueeze, flatten.
extension Tensor {
    /// The tensor without axis `axis`, which must have size 1 (negative counts from the end).
    public func squeezed(axis: Int) -> Tensor {
        let s = shape
        let newShape = checkShapes { () throws(ShapeError) in try Shape.squeezed(s, axis: axis) }
        return reshaped(to: newShape)
    }

    /// The tensor without any of its size-1 axes.
    public func squeezed() -> Tensor {
        reshaped(to: shape.filter { $0 != 1 })
    }

    /// The tensor with a new axis of size 1 at position `axis` of the result
    /// (`-(rank + 1)...rank`; `-1` appends).
    public func unsqueezed(axis: Int) -> Tensor {
        let r = rank
        let a = checkShapes { () throws(ShapeError) in try Shape.normalizeAxis(axis, rank: r + 1, op: "unsqueeze") }
        var newShape = shape
        newShape.insert(1, at: a)
        return reshaped(to: newShape)
    }

    /// The tensor with axes `startAxis...endAxis` merged into one (negative axes count
    /// from the end); by default the whole tensor becomes 1-D.
    public func flattened(startAxis: Int = 0, endAxis: Int = -1) -> Tensor {
        if rank == 0 { return reshaped(to: [1]) }
        let r = rank
        let (s, e) = checkShapes { () throws(ShapeError) in
            let s = try Shape.normalizeAxis(startAxis, rank: r, op: "flatten")
            let e = try Shape.normalizeAxis(endAxis, rank: r, op: "flatten")
            guard s <= e else {
                throw ShapeError(op: "flatten", "start axis \(startAxis) comes after end axis \(endAxis) for rank \(r)")
            }
            return (s, e)
        }
        let merged = shape[s...e].reduce(1, *)
        return reshaped(to: Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }
}

extension Shape {
    /// `shape` without axis `axis`, which must have size 1.
    public static func squeezed(_ shape: [Int], axis: Int) throws(ShapeError) -> [Int] {
        let a = try normalizeAxis(axis, rank: shape.count, op: "squeeze")
        guard a < shape.count, shape[a] == 1 else {
            throw ShapeError(op: "squeeze", "axis \(axis) of shape \(shapeString(shape)) has size \(shape.indices.contains(a) ? shape[a] : 0), not 1")
        }
        var out = shape
        out.remove(at: a)
        return out
    }
}
