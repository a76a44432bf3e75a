import LatentCore

/// Reshapes events: x of shape `batch + inputEventShape` becomes y of shape
/// `batch + outputEventShape` (same elements, row-major order).
///
/// Volume-preserving (log |det J| = 0, of shape `batch`). Its input event rank is
/// `inputEventShape.count` and its output event rank `outputEventShape.count`, so
/// ``Compose`` and ``TransformedDistribution`` sum log-determinants over the right axes
/// on either side (e.g. flattening an image `[C, H, W]` to a vector `[C·H·W]`).
public struct Reshape: Bijector, Sendable {
    public let inputEventShape: [Int]
    public let outputEventShape: [Int]
    public var eventRank: Int { inputEventShape.count }
    public var outputEventRank: Int { outputEventShape.count }
    public var domain: Constraint { .real }
    public var codomain: Constraint { .real }

    /// - Parameters:
    ///   - inputEventShape: The trailing shape of x.
    ///   - outputEventShape: The trailing shape of y; the same number of elements.
    public init(inputEventShape: [Int], outputEventShape: [Int]) {
        checkShapes { () throws(ShapeError) in
            try Reshape.validate(inputEventShape: inputEventShape, outputEventShape: outputEventShape)
        }
        self.inputEventShape = inputEventShape
        self.outputEventShape = outputEventShape
    }

    /// Checks that both event shapes are non-negative and have the same element count.
    public static func validate(inputEventShape: [Int], outputEventShape: [Int]) throws(ShapeError) {
        guard inputEventShape.allSatisfy({ $0 >= 0 }), outputEventShape.allSatisfy({ $0 >= 0 }),
              Shape.count(inputEventShape) == Shape.count(outputEventShape) else {
            throw ShapeError(op: "Reshape", "event shapes \(shapeString(inputEventShape)) and \(shapeString(outputEventShape)) do not have the same number of elements")
        }
    }

    private static func replaceEvent(_ shape: [Int], _ from: [Int], _ to: [Int]) -> [Int] {
        checkShapes { () throws(ShapeError) in
            guard shape.count >= from.count, Array(shape.suffix(from.count)) == from else {
                throw ShapeError(op: "Reshape", "shape \(shapeString(shape)) does not end in the event shape \(shapeString(from))")
            }
            return Array(shape.dropLast(from.count)) + to
        }
    }

    public func forwardShape(_ shape: [Int]) -> [Int] { Reshape.replaceEvent(shape, inputEventShape, outputEventShape) }
    public func inverseShape(_ shape: [Int]) -> [Int] { Reshape.replaceEvent(shape, outputEventShape, inputEventShape) }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor) {
        (x.reshaped(to: forwardShape(x.shape)), Tensor.zeros(Array(x.shape.dropLast(eventRank))))
    }

    public func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor) {
        (y.reshaped(to: inverseShape(y.shape)), Tensor.zeros(Array(y.shape.dropLast(outputEventRank))))
    }
}
