import LatentCore

/// A monotonic rational-quadratic spline with linear tails (Durkan, Bekasov, Murray &
/// Papamakarios 2019, "Neural Spline Flows").
///
/// Each element has its own spline on [−B, B] with K bins, and is the identity outside
/// that interval (linear tails of slope 1, matching the boundary derivatives, which are
/// fixed to 1). The unnormalised parameters, typically a network's outputs, are turned
/// into knots as in the paper's reference implementation:
///
/// - bin widths `w = m_w + (1 − K m_w) softmax(widths)`, scaled by 2B, so that the knots
///   xₖ run from −B to B (likewise the heights give the knots yₖ);
/// - inner derivatives `dₖ = m_d + softplus(derivatives)`, boundary derivatives d₀ = d_K = 1.
///
/// In bin k, with sₖ = (yₖ₊₁ − yₖ)/(xₖ₊₁ − xₖ) and θ = (x − xₖ)/(xₖ₊₁ − xₖ) ∈ [0, 1]:
///
///     y = yₖ + (yₖ₊₁ − yₖ)(sₖθ² + dₖθ(1 − θ)) / (sₖ + (dₖ₊₁ + dₖ − 2sₖ)θ(1 − θ))
///     dy/dx = sₖ²(dₖ₊₁θ² + 2sₖθ(1 − θ) + dₖ(1 − θ)²) / (sₖ + (dₖ₊₁ + dₖ − 2sₖ)θ(1 − θ))²
///
/// The inverse solves the quadratic aθ² + bθ + c = 0 for θ ∈ [0, 1] with the stable root
/// θ = 2c / (−b − √(b² − 4ac)). Everything is written with differentiable tensor ops
/// (the bin comes from ``searchSorted(_:_:right:)`` and the knots are picked with
/// ``Tensor/gathering(alongAxis:indices:)``), so gradients flow to the parameters. The
/// spline is evaluated on inputs clamped to [−B, B] and then selected against the
/// identity, so values and gradients stay finite at ±B and anywhere beyond.
///
/// Parameter shapes: `widths` and `heights` `[..., K]`, `derivatives` `[..., K − 1]` (the
/// inner knots) or `[..., K + 1]` (then the two boundary entries are ignored: the boundary
/// derivatives are 1). The leading shape broadcasts against the inputs.
public struct RationalQuadraticSpline: Bijector, Sendable {
    /// Unnormalised bin widths, `[..., K]`.
    public let widths: Tensor
    /// Unnormalised bin heights, `[..., K]`.
    public let heights: Tensor
    /// Unnormalised inner derivatives, `[..., K − 1]` or `[..., K + 1]`.
    public let derivatives: Tensor
    /// The half-width B of the interval [−B, B] covered by the spline.
    public let bound: Float
    /// Smallest bin width m_w, as a fraction of 2B.
    public let minimumBinWidth: Float
    /// Smallest bin height m_h, as a fraction of 2B.
    public let minimumBinHeight: Float
    /// Smallest inner derivative m_d.
    public let minimumDerivative: Float

    public var eventRank: Int { 0 }
    public var domain: Constraint { .real }
    public var codomain: Constraint { .real }
    /// The number of bins K.
    public var binCount: Int { widths.shape.last! }

    /// - Parameters:
    ///   - widths: Unnormalised bin widths `[..., K]`.
    ///   - heights: Unnormalised bin heights `[..., K]`.
    ///   - derivatives: Unnormalised inner derivatives `[..., K − 1]` or `[..., K + 1]`.
    ///   - bound: B > 0; the spline covers [−B, B] and is the identity outside.
    ///   - minimumBinWidth: m_w with K·m_w < 1.
    ///   - minimumBinHeight: m_h with K·m_h < 1.
    ///   - minimumDerivative: m_d ≥ 0.
    public init(widths: Tensor, heights: Tensor, derivatives: Tensor, bound: Float = 3,
                minimumBinWidth: Float = 1e-3, minimumBinHeight: Float = 1e-3, minimumDerivative: Float = 1e-3) {
        checkShapes { () throws(ShapeError) in
            try RationalQuadraticSpline.validateShapes(widths: widths.shape, heights: heights.shape, derivatives: derivatives.shape)
        }
        checkParameters { () throws(DistributionParameterError) in
            try RationalQuadraticSpline.validate(binCount: widths.shape.last!, bound: bound, minimumBinWidth: minimumBinWidth,
                                                 minimumBinHeight: minimumBinHeight, minimumDerivative: minimumDerivative)
        }
        self.widths = widths
        self.heights = heights
        self.derivatives = derivatives
        self.bound = bound
        self.minimumBinWidth = minimumBinWidth
        self.minimumBinHeight = minimumBinHeight
        self.minimumDerivative = minimumDerivative
    }

    /// A spline from one parameter tensor `[..., 3K − 1]`: widths, heights and inner
    /// derivatives concatenated along the last axis (the layout a network outputs).
    public init(parameters: Tensor, binCount: Int, bound: Float = 3) {
        ensure(binCount >= 1, "RationalQuadraticSpline: binCount must be positive, got \(binCount)")
        checkShapes { () throws(ShapeError) in
            guard parameters.shape.last == Self.parameterCount(binCount: binCount) else {
                throw ShapeError(op: "RationalQuadraticSpline",
                                 "parameters of shape \(shapeString(parameters.shape)) must end in 3K − 1 = \(Self.parameterCount(binCount: binCount)) for K = \(binCount) bins")
            }
        }
        let parts = parameters.split(sizes: [binCount, binCount, binCount - 1], alongAxis: -1)
        self.init(widths: parts[0], heights: parts[1], derivatives: parts[2], bound: bound)
    }

    /// Unnormalised parameters per element for K bins: 3K − 1.
    public static func parameterCount(binCount: Int) -> Int { 3 * binCount - 1 }

    /// Checks the parameter shapes: `[..., K]`, `[..., K]`, `[..., K ∓ 1]` with K ≥ 1 and
    /// the same leading shape.
    public static func validateShapes(widths: [Int], heights: [Int], derivatives: [Int]) throws(ShapeError) {
        guard let k = widths.last, k >= 1 else {
            throw ShapeError(op: "RationalQuadraticSpline", "widths need a non-empty last axis of bins, got shape \(shapeString(widths))")
        }
        guard heights == widths else {
            throw ShapeError(op: "RationalQuadraticSpline", "heights of shape \(shapeString(heights)) must match widths of shape \(shapeString(widths))")
        }
        guard derivatives.count == widths.count, derivatives.dropLast() == widths.dropLast(),
              derivatives.last == k - 1 || derivatives.last == k + 1 else {
            throw ShapeError(op: "RationalQuadraticSpline",
                             "derivatives of shape \(shapeString(derivatives)) must be \(shapeString(widths.dropLast() + [k - 1])) or \(shapeString(widths.dropLast() + [k + 1])) for widths of shape \(shapeString(widths))")
        }
    }

    /// Checks the bound and the minimum bin sizes and derivative.
    public static func validate(binCount: Int, bound: Float, minimumBinWidth: Float, minimumBinHeight: Float,
                                minimumDerivative: Float) throws(DistributionParameterError) {
        guard bound > 0 && bound.isFinite else {
            throw DistributionParameterError("RationalQuadraticSpline", "bound must be positive and finite, got \(bound)")
        }
        guard minimumBinWidth >= 0, minimumBinWidth * Float(binCount) < 1,
              minimumBinHeight >= 0, minimumBinHeight * Float(binCount) < 1 else {
            throw DistributionParameterError("RationalQuadraticSpline",
                                             "minimum bin width \(minimumBinWidth) and height \(minimumBinHeight) must be ≥ 0 and below 1/K = \(1 / Float(binCount))")
        }
        guard minimumDerivative >= 0 && minimumDerivative.isFinite else {
            throw DistributionParameterError("RationalQuadraticSpline", "minimum derivative must be non-negative, got \(minimumDerivative)")
        }
    }

    // MARK: - Knots

    /// The knot positions `[..., K + 1]` (from −B to B exactly) and bin sizes `[..., K]`.
    private func knots(_ unnormalised: Tensor, minimum: Float) -> (positions: Tensor, sizes: Tensor) {
        let k = unnormalised.shape.last!
        let lead = Array(unnormalised.shape.dropLast())
        let fractions = minimum + (1 - minimum * Float(k)) * unnormalised.softmax(alongAxis: -1)
        var pieces = [Tensor.full(lead + [1], -bound)]
        if k > 1 {
            let inner = fractions.cumulativeSum(alongAxis: -1).sliced(alongAxis: -1, range: 0..<(k - 1))
            pieces.append(2 * bound * inner - bound)
        }
        pieces.append(Tensor.full(lead + [1], bound))
        let positions = concatenate(pieces, alongAxis: -1)
        let sizes = positions.sliced(alongAxis: -1, range: 1..<(k + 1)) - positions.sliced(alongAxis: -1, range: 0..<k)
        return (positions, sizes)
    }

    /// All K + 1 knot derivatives, the boundary ones equal to 1.
    private func knotDerivatives() -> Tensor {
        let k = binCount
        let lead = Array(derivatives.shape.dropLast())
        let raw = derivatives.shape.last! == k + 1 ? derivatives.sliced(alongAxis: -1, range: 1..<k) : derivatives
        let ones = Tensor.ones(lead + [1])
        return concatenate([ones, minimumDerivative + raw.softplus(), ones], alongAxis: -1)
    }

    /// The knots of the bin holding each value, each of shape `shape + [1]`.
    private struct Bin {
        var x: Tensor, width: Tensor, y: Tensor, height: Tensor, d0: Tensor, d1: Tensor
        var slope: Tensor { height / width }
    }

    /// Parameters broadcast to `shape + [·]`, and the bin of every value of `search`
    /// (clamped to [−B, B], shape `shape + [1]`) among `searchKnots` (x or y knots).
    private func bins(for values: Tensor, shape: [Int], searchInY: Bool) -> Bin {
        let k = binCount
        let (xKnots, xSizes) = knots(widths, minimum: minimumBinWidth)
        let (yKnots, ySizes) = knots(heights, minimum: minimumBinHeight)
        let d = knotDerivatives()
        func expand(_ t: Tensor) -> Tensor { t.broadcast(to: shape + [t.shape.last!]) }
        let xs = expand(xKnots), ys = expand(yKnots)
        let positions = searchSorted(searchInY ? ys : xs, values, right: true)
        let index = IndexTensor(shape: positions.shape, scalars: positions.scalars.map { Swift.min(Swift.max($0 - 1, 0), Int32(k - 1)) })
        let next = IndexTensor(shape: index.shape, scalars: index.scalars.map { $0 + 1 })
        let ds = expand(d)
        return Bin(x: xs.gathering(alongAxis: -1, indices: index), width: expand(xSizes).gathering(alongAxis: -1, indices: index),
                   y: ys.gathering(alongAxis: -1, indices: index), height: expand(ySizes).gathering(alongAxis: -1, indices: index),
                   d0: ds.gathering(alongAxis: -1, indices: index), d1: ds.gathering(alongAxis: -1, indices: next))
    }

    /// log dy/dx at θ within `bin`.
    private func logDerivative(_ bin: Bin, _ theta: Tensor) -> Tensor {
        let s = bin.slope
        let t1t = theta * (1 - theta)
        let denominator = s + (bin.d0 + bin.d1 - 2 * s) * t1t
        let numerator = s.square() * (bin.d1 * theta.square() + 2 * s * t1t + bin.d0 * (1 - theta).square())
        return numerator.log() - 2 * denominator.log()
    }

    private func commonShape(_ shape: [Int]) -> [Int] {
        checkShapes { () throws(ShapeError) in
            try Shape.broadcast(shape, Array(widths.shape.dropLast()), op: "RationalQuadraticSpline")
        }
    }

    public func forwardShape(_ shape: [Int]) -> [Int] { commonShape(shape) }
    public func inverseShape(_ shape: [Int]) -> [Int] { commonShape(shape) }

    public func forwardAndLogAbsDetJacobian(_ x: Tensor) -> (Tensor, Tensor) {
        let shape = commonShape(x.shape)
        let xb = x.broadcast(to: shape)
        let inside = (xb .>= -bound) * (xb .<= bound)
        let xc = xb.clamped(min: -bound, max: bound).reshaped(to: shape + [1])
        let bin = bins(for: xc, shape: shape, searchInY: false)
        let theta = (xc - bin.x) / bin.width
        let s = bin.slope
        let t1t = theta * (1 - theta)
        let numerator = bin.height * (s * theta.square() + bin.d0 * t1t)
        let denominator = s + (bin.d0 + bin.d1 - 2 * s) * t1t
        let y = (bin.y + numerator / denominator).reshaped(to: shape)
        let logDet = logDerivative(bin, theta).reshaped(to: shape)
        return (`where`(inside, y, xb), `where`(inside, logDet, Tensor(0)))
    }

    public func inverseAndLogAbsDetJacobian(_ y: Tensor) -> (Tensor, Tensor) {
        let shape = commonShape(y.shape)
        let yb = y.broadcast(to: shape)
        let inside = (yb .>= -bound) * (yb .<= bound)
        let yc = yb.clamped(min: -bound, max: bound).reshaped(to: shape + [1])
        let bin = bins(for: yc, shape: shape, searchInY: true)
        let s = bin.slope
        let offset = yc - bin.y
        let curvature = bin.d0 + bin.d1 - 2 * s
        let a = bin.height * (s - bin.d0) + offset * curvature
        let b = bin.height * bin.d0 - offset * curvature
        let c = -s * offset
        let discriminant = (b.square() - 4 * a * c).clamped(min: 0)
        let theta = (2 * c) / (-b - discriminant.sqrt())
        let x = (bin.x + theta * bin.width).reshaped(to: shape)
        let logDet = (-logDerivative(bin, theta)).reshaped(to: shape)
        return (`where`(inside, x, yb), `where`(inside, logDet, Tensor(0)))
    }
}
