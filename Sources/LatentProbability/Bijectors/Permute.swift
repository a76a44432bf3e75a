import LatentCore

/// A permutation of the last axis: y[..., i] = x[..., permutation[i]].
///
/// Volume-preserving (log |det J| = 0) with event rank 1; used between coupling layers
/// of a flow so that every coordinate gets transformed.
public struct Permute: Bijector, Sendable {
    /// Output position i takes input position `permutation[i]`.
    public let permutation: [Int]
    /// The inverse permutation.
    public let inversePermutation: [Int]
    public var eventRank: Int { 1 }
    public var domain: Constraint { .realVector }
    public var codomain: Constraint { .realVector }

    /// - Parameter permutation: A permutation of `0..<n`, n the size of the last axis.
    public init(_ permutation: [Int]) {
        checkParameters { () throws(DistributionParameterError) in try Permute.validate(permutation) }
        self.permutation = permutation
        var inverse = [Int](repeating: 0, count: permutation.count)
        for (i, p) in permutation.enumerated() { inverse[p] = i }
        self.inversePermutation = inverse
    }

    /// The reversal of n coordinates, `[n − 1, …, 1, 0]`.
    public static func reversal(_ n: Int) -> Permute { Permute(Array((0..<n).reversed())) }

    /// Checks that `permutation` contains each of `0..<count` exactly once.
    public static func validate(_ permutation: [Int]) throws(DistributionParameterError) {
        var seen = [Bool](repeating: false, count: permutation.count)
        for p in permutation {
            guard p >= 0 && p < permutation.count && !seen[p] else {
                throw DistributionParameterError("Permute", "\(permutation) is not a permutation of 0..<\(permutation.count)")
            }
            seen[p] = true
        }
    }

    private func apply(_ order: [Int], _ x: Tensor) -> Tensor {
        checkShapes { () throws(ShapeError) in
            guard let last = x.shape.last, last == order.count else {
                throw ShapeError(op: "Permute", "input of shape \(shapeString(x.shape)) does not end in an axis of size \(order.count)")
            }
        }
        return x.indexSelect(alongAxis: -1, indices: IndexTensor(order))
    }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor) {
        (apply(permutation, x), Tensor.zeros(Array(x.shape.dropLast())))
    }

    public func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor) {
        (apply(inversePermutation, y), Tensor.zeros(Array(y.shape.dropLast())))
    }
}
