/// Maxima and minima along axes (PyTorch's `amax`/`amin`, NumPy's `max`/`min`).
extension Tensor {
    /// Largest elements along `axes` (negative axes count from the end).
    ///
    /// `y = maxₐ x`. The gradient goes to the positions that attain the maximum; when
    /// several tie, it is split equally among them (as PyTorch's `amax` does):
    /// `∂y/∂xᵢ = [xᵢ = y] / #{j : xⱼ = y}`. NaN propagates.
    ///
    /// - Parameters:
    ///   - axes: The axes to reduce; each must be non-empty.
    ///   - keepDims: Keep reduced axes with size 1 (so the result broadcasts against `self`).
    public func max(alongAxes axes: [Int], keepDims: Bool = false) -> Tensor {
        extremum(.maximum, alongAxes: axes, keepDims: keepDims)
    }

    /// Smallest elements along `axes`; the gradient is split among tied minima, as for
    /// ``max(alongAxes:keepDims:)``.
    ///
    /// - Parameters:
    ///   - axes: The axes to reduce; each must be non-empty.
    ///   - keepDims: Keep reduced axes with size 1.
    public func min(alongAxes axes: [Int], keepDims: Bool = false) -> Tensor {
        extremum(.minimum, alongAxes: axes, keepDims: keepDims)
    }

    /// Largest elements along one axis.
    public func max(alongAxis axis: Int, keepDims: Bool = false) -> Tensor {
        max(alongAxes: [axis], keepDims: keepDims)
    }

    /// Smallest elements along one axis.
    public func min(alongAxis axis: Int, keepDims: Bool = false) -> Tensor {
        min(alongAxes: [axis], keepDims: keepDims)
    }

    /// The largest element (a scalar tensor).
    public func max() -> Tensor { max(alongAxes: Array(0..<rank)) }

    /// The smallest element (a scalar tensor).
    public func min() -> Tensor { min(alongAxes: Array(0..<rank)) }

    @usableFromInline enum Extremum: Sendable {
        case maximum, minimum
        var name: String { self == .maximum ? "max" : "min" }
    }

    func extremum(_ kind: Extremum, alongAxes axes: [Int], keepDims: Bool) -> Tensor {
        let op = kind.name
        let normalized = normalizedAxes(axes, op: op)
        checkShapes { () throws(ShapeError) in try validateNonEmptyReduction(shape, axes: normalized, op: op) }
        let reduced = (0..<rank).map { normalized.contains($0) }
        let kept = reducedShape(normalized, op: op)
        let outShape = keepDims ? kept : kept.enumerated().filter { !reduced[$0.offset] }.map(\.element)
        let out = Tensor(shape: outShape) { p, _ in
            switch kind {
            case .maximum:
                ReductionKernels.reduce(storage.pointer, shape: shape, reduced: reduced, into: p, initial: -.infinity,
                                        maxPropagatingNaN, maxPropagatingNaN, horizontal: Self.horizontalMax)
            case .minimum:
                ReductionKernels.reduce(storage.pointer, shape: shape, reduced: reduced, into: p, initial: .infinity,
                                        minPropagatingNaN, minPropagatingNaN, horizontal: Self.horizontalMin)
            }
        }
        return Tensor.record(op, inputs: [self], output: out) { ctx in
            // The selection weights [x = y] / count are locally constant, so the rule
            // `g · weights` is exact to every order where the extremum is unique.
            let weights = Tensor.tieSplittingWeights(ctx.inputs[0].detached(),
                                                     ctx.output.detached().reshaped(to: kept), reduced: reduced)
            return [ctx.gradient.reshaped(to: kept) * weights]
        }
    }

    /// `[xᵢ = y] / #{j in i's group : xⱼ = y}` for a reduction with result `extremum`
    /// (shaped like `x` with reduced axes of size 1). Untracked.
    static func tieSplittingWeights(_ x: Tensor, _ extremum: Tensor, reduced: [Bool]) -> Tensor {
        let mask = Tensor(shape: x.shape) { p, _ in
            Elementwise.broadcastZip(x, extremum, outShape: x.shape, p,
                                     { a, b in SIMD16<Float>(repeating: 0).replacing(with: 1, where: a .== b) },
                                     { a, b in a == b ? 1 : 0 })
        }
        let counts = Tensor(shape: extremum.shape) { p, _ in
            ReductionKernels.reduce(mask.storage.pointer, shape: x.shape, reduced: reduced, into: p, initial: 0,
                                    { $0 + $1 }, { $0 + $1 }, horizontal: { $0.sum() })
        }
        return Tensor(shape: x.shape) { p, _ in
            Elementwise.broadcastZip(mask, counts, outShape: x.shape, p, { $0 / $1 }, { $0 / $1 })
        }
    }

    @usableFromInline static func horizontalMax(_ v: SIMD16<Float>) -> Float {
        var m = v[0]
        for i in 1..<16 { m = maxPropagatingNaN(m, v[i]) }
        return m
    }

    @usableFromInline static func horizontalMin(_ v: SIMD16<Float>) -> Float {
        var m = v[0]
        for i in 1..<16 { m = minPropagatingNaN(m, v[i]) }
        return m
    }
}

/// Checks that none of `axes` (non-negative) of `shape` is empty: the maximum, minimum,
/// arg-max and arg-min of nothing are undefined.
public func validateNonEmptyReduction(_ shape: [Int], axes: [Int], op: String) throws(ShapeError) {
    for a in axes where a < shape.count && shape[a] == 0 {
        throw ShapeError(op: op, "cannot reduce the empty axis \(a) of shape \(shapeString(shape))")
    }
}

// Naming a method `max`/`min` on `Tensor` hides the global `Swift.max`/`Swift.min` from
// unqualified calls inside every `Tensor` extension ("use of 'max' refers to instance
// method"). These internal forwarders make `max(a, b)` there resolve as before.
extension Tensor {
    @usableFromInline @inline(__always)
    func max<T: Comparable>(_ a: T, _ b: T) -> T { Swift.max(a, b) }
    @usableFromInline @inline(__always)
    static func max<T: Comparable>(_ a: T, _ b: T) -> T { Swift.max(a, b) }
    @usableFromInline @inline(__always)
    func min<T: Comparable>(_ a: T, _ b: T) -> T { Swift.min(a, b) }
    @usableFromInline @inline(__always)
    static func min<T: Comparable>(_ a: T, _ b: T) -> T { Swift.min(a, b) }
}
