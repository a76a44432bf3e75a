import LatentCore

/// The elementwise affine map y = shift + scale ⊙ x.
///
/// log |det J| = Σ log |scale|, summed over the last `eventRank` dimensions (0: the
/// elementwise log |scale| broadcast to the shape of y). `shift` and `scale` broadcast
/// against x and may be tracked parameters (their gradients flow).
public struct Affine: Bijector, Sendable {
    /// Added after scaling.
    public let shift: Tensor
    /// Multiplies x; no element may be zero.
    public let scale: Tensor
    public let eventRank: Int
    public var domain: Constraint { .real }
    public var codomain: Constraint { .real }

    /// - Parameters:
    ///   - shift: The offset, broadcast against x.
    ///   - scale: The non-zero factor, broadcast against x.
    ///   - eventRank: Trailing dimensions over which the log-determinant is summed.
    public init(shift: Tensor = 0, scale: Tensor = 1, eventRank: Int = 0) {
        checkParameters { () throws(DistributionParameterError) in
            try Affine.validate(scale: scale, eventRank: eventRank)
        }
        self.shift = shift
        self.scale = scale
        self.eventRank = eventRank
    }

    /// Checks that `scale` has no zero (or non-finite) element and `eventRank ≥ 0`.
    public static func validate(scale: Tensor, eventRank: Int) throws(DistributionParameterError) {
        guard eventRank >= 0 else { throw DistributionParameterError("Affine", "eventRank must be non-negative, got \(eventRank)") }
        try DistributionValidation.requireAll("Affine", "scale", scale, "finite and non-zero") { $0 != 0 && $0.isFinite }
    }

    private func logAbsScale(like y: Tensor) -> Tensor {
        scale.abs().log().broadcast(to: y.shape).summedOverTrailingAxes(eventRank)
    }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor) {
        let y = shift + scale * x
        return (y, logAbsScale(like: y))
    }

    public func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor) {
        let x = (y - shift) / scale
        return (x, -logAbsScale(like: x))
    }

    public func forwardShape(_ shape: [Int]) -> [Int] {
        checkShapes { () throws(ShapeError) in
            try Shape.broadcast(try Shape.broadcast(shape, shift.shape, op: "Affine"), scale.shape, op: "Affine")
        }
    }
    public func inverseShape(_ shape: [Int]) -> [Int] { forwardShape(shape) }
}
