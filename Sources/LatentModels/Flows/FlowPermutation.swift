import LatentCore
import LatentNN
import LatentProbability

/// A fixed permutation of the last axis as a flow layer (volume preserving): the
/// reversal between MAF/MADE layers, or a random permutation.
///
/// Forward: y[..., i] = x[..., permutation[i]].
public final class FlowPermutation: Module, FlowTransform {
    /// The permutation, stored as floats in a buffer so checkpoints keep it.
    @Buffer public var order: Tensor
    /// Rebuilt from the buffer on use, so a loaded checkpoint's order is the one applied.
    private var permute: Permute { Permute(order.scalars.map { Int($0) }) }
    public var eventRank: Int { 1 }

    /// - Parameter permutation: A permutation of `0..<D`.
    public init(_ permutation: [Int]) {
        _ = Permute(permutation)
        _order = Buffer(Tensor(shape: [permutation.count], scalars: permutation.map(Float.init)))
    }

    /// The reversal `[D − 1, …, 0]`.
    public static func reversal(_ dimension: Int) -> FlowPermutation { FlowPermutation(Array((0..<dimension).reversed())) }

    /// A uniformly random permutation of `0..<D`.
    public static func random(_ dimension: Int, generator: inout RandomGenerator) -> FlowPermutation {
        FlowPermutation(generator.permutation(dimension))
    }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        permute.forwardAndLogAbsDetJacobian(x)
    }
    public func inverseAndLogAbsDetJacobian(_ y: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        permute.inverseAndLogAbsDetJacobian(y)
    }
}
