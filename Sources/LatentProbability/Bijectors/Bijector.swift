import LatentCore

/// An invertible, differentiable map y = f(x) with a tractable log |det ∂f/∂x|.
///
/// `eventRank` is the number of trailing dimensions that the map treats as one event:
/// 0 for elementwise maps (their log-determinant is elementwise and is summed over the
/// event dimensions of the distribution that uses them), 1 for maps that mix a vector,
/// and so on. `forwardAndLogAbsDetJacobian` returns the log-determinant with the event
/// dimensions (the last `eventRank`) already summed: shape = `x.shape.dropLast(eventRank)`.
///
/// A map may change the rank of its events (``Reshape``): `eventRank` counts the
/// trailing dimensions of x, `outputEventRank` those of y (equal by default).
public protocol Bijector {
    /// Number of trailing dimensions forming one event of the map's input x.
    var eventRank: Int { get }
    /// Number of trailing dimensions forming one event of the output y = f(x)
    /// (`eventRank` unless the map reshapes its events).
    var outputEventRank: Int { get }
    /// Where x lives.
    var domain: Constraint { get }
    /// Where y = f(x) lives.
    var codomain: Constraint { get }

    /// y = f(x).
    func forward(_ x: Tensor) -> Tensor
    /// x = f⁻¹(y).
    func inverse(_ y: Tensor) -> Tensor
    /// y = f(x) and log |det ∂f/∂x| in one pass.
    func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor)
    /// x = f⁻¹(y) and log |det ∂f⁻¹/∂y| = −log |det ∂f/∂x| in one pass.
    func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor)
    /// The shape of f(x) for inputs of `shape` (identity except for reshaping maps).
    func forwardShape(_ shape: [Int]) -> [Int]
    /// The shape of f⁻¹(y) for outputs of `shape`.
    func inverseShape(_ shape: [Int]) -> [Int]
}

extension Bijector {
    public var outputEventRank: Int { eventRank }
    public func forward(_ x: Tensor) -> Tensor { forwardAndLogAbsDetJacobian(x).0 }
    public func inverse(_ y: Tensor) -> Tensor { inverseAndLogAbsDetJacobian(y).0 }
    public func forwardShape(_ shape: [Int]) -> [Int] { shape }
    public func inverseShape(_ shape: [Int]) -> [Int] { shape }
}
