/// Constant padding.
extension Tensor {
    /// The tensor surrounded by `value`: along axis `d`, `padding[d].before` positions
    /// of `value` come first and `padding[d].after` last.
    ///
    /// `result[i + before] = self[i]`, `value` elsewhere. The gradient is the matching
    /// slice of the incoming gradient.
    ///
    /// - Parameters:
    ///   - padding: One `(before, after)` pair of non-negative widths per axis.
    ///   - value: The constant to pad with.
    public func padded(_ padding: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        let s = shape
        checkShapes { () throws(ShapeError) in try Shape.validatePadding(padding, shape: s) }
        let newShape = zip(shape, padding).map { $0 + $1.before + $1.after }
        if newShape == shape { return self }
        let starts = padding.map(\.before)
        let out = embedded(into: newShape, starts: starts, strides: Array(repeating: 1, count: rank),
                           fill: value, op: "pad")
        return Tensor.record("pad", inputs: [self], output: out) { ctx in
            [ctx.gradient.sliced(starts: starts, sizes: ctx.inputs[0].shape)]
        }
    }
}

extension Shape {
    /// Checks that `padding` has one pair of non-negative widths per axis of `shape`.
    public static func validatePadding(_ padding: [(before: Int, after: Int)], shape: [Int]) throws(ShapeError) {
        let text = "[" + padding.map { "(\($0.before), \($0.after))" }.joined(separator: ", ") + "]"
        guard padding.count == shape.count else {
            throw ShapeError(op: "pad", "padding \(text) has \(padding.count) pairs for a tensor of shape \(shapeString(shape))")
        }
        guard padding.allSatisfy({ $0.before >= 0 && $0.after >= 0 }) else {
            throw ShapeError(op: "pad", "padding \(text) has negative widths")
        }
    }
}
