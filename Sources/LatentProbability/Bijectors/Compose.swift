import LatentCore

/// The composition of bijectors, applied in order: y = f_n ∘ … ∘ f_1 (x).
///
/// log |det J| = Σₖ log |det J_{fₖ}(xₖ)|, where each part's log-determinant is first
/// summed over the event dimensions it does not itself treat as an event. The
/// composition's event rank is the largest any part needs, carried through parts that
/// change the event rank (``Reshape``): for `[Exp(), Permute(p)]` it is 1, and `Exp`'s
/// elementwise log-determinant is summed over the last axis.
public struct Compose: Bijector {
    /// The parts, in the order they are applied by ``forward(_:)``.
    public let parts: [any Bijector]
    public let eventRank: Int
    public let outputEventRank: Int

    /// - Parameter parts: Bijectors applied first to last; an empty list is the identity.
    public init(_ parts: [any Bijector]) {
        self.parts = parts
        // Input event rank: walk back from the output, converting ranks through each part.
        var rank = parts.last?.outputEventRank ?? 0
        for part in parts.reversed() { rank = Swift.max(rank + part.eventRank - part.outputEventRank, part.eventRank) }
        eventRank = rank
        rank = parts.first?.eventRank ?? 0
        for part in parts { rank = Swift.max(rank + part.outputEventRank - part.eventRank, part.outputEventRank) }
        outputEventRank = rank
    }

    public var domain: Constraint { parts.first?.domain ?? .real }
    public var codomain: Constraint { parts.last?.codomain ?? .real }

    public func forward(_ x: Tensor) -> Tensor { parts.reduce(x) { $1.forward($0) } }
    public func inverse(_ y: Tensor) -> Tensor { parts.reversed().reduce(y) { $1.inverse($0) } }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor) {
        var y = x
        var total: Tensor? = nil
        var rank = eventRank          // event rank in the space the next part reads
        for part in parts {
            let (next, logDet) = part.forwardAndLogAbsDetJacobian(y)
            let summed = logDet.summedOverTrailingAxes(rank - part.eventRank)
            total = total.map { $0 + summed } ?? summed
            rank += part.outputEventRank - part.eventRank
            y = next
        }
        return (y, total ?? Tensor.zeros(Array(x.shape.dropLast(eventRank))))
    }

    public func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor) {
        var x = y
        var total: Tensor? = nil
        var rank = outputEventRank
        for part in parts.reversed() {
            let (previous, logDet) = part.inverseAndLogAbsDetJacobian(x)
            let summed = logDet.summedOverTrailingAxes(rank - part.outputEventRank)
            total = total.map { $0 + summed } ?? summed
            rank += part.eventRank - part.outputEventRank
            x = previous
        }
        return (x, total ?? Tensor.zeros(Array(y.shape.dropLast(outputEventRank))))
    }

    public func forwardShape(_ shape: [Int]) -> [Int] { parts.reduce(shape) { $1.forwardShape($0) } }
    public func inverseShape(_ shape: [Int]) -> [Int] { parts.reversed().reduce(shape) { $1.inverseShape($0) } }
}
