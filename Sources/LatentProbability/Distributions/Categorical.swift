import LatentCore

/// The categorical distribution over `0..<K` along the last axis:
/// P(X = k) = softmax(ℓ)ₖ.
///
/// Stored as normalised logits (log-probabilities, `logSoftmax` of the given logits) and
/// probabilities. Values are category indices: `logProb(_: IndexTensor)` takes them as
/// integers; the protocol's `logProb(_: Tensor)` and `sample` use float-coded indices
/// (0.0, 1.0, …) so that a `Categorical` works wherever `any Distribution` does.
public struct Categorical: Distribution, AnalyticKLDivergence, Sendable {
    /// Log-probabilities log P(X = k), shape `batchShape + [K]` (−∞ for impossible classes).
    public let logits: Tensor
    /// Probabilities, shape `batchShape + [K]`.
    public let probabilities: Tensor

    /// A categorical with unnormalised log-probabilities `logits` `[..., K]`.
    public init(logits: Tensor) {
        checkShapes { () throws(ShapeError) in try Categorical.validateShape(logits.shape) }
        self.logits = logits.logSoftmax(alongAxis: -1)
        self.probabilities = self.logits.exp()
    }

    /// A categorical with non-negative weights `probabilities` `[..., K]`, normalised
    /// along the last axis (each row needs a positive sum).
    public init(probabilities: Tensor) {
        checkShapes { () throws(ShapeError) in try Categorical.validateShape(probabilities.shape) }
        checkParameters { () throws(DistributionParameterError) in
            try Categorical.validate(probabilities: probabilities)
        }
        let normalised = probabilities / probabilities.sum(alongAxis: -1, keepDims: true)
        self.probabilities = normalised
        self.logits = normalised.log()
    }

    private init(normalizedLogits: Tensor, probabilities: Tensor) {
        self.logits = normalizedLogits
        self.probabilities = probabilities
    }

    /// Checks that the parameters have a non-empty last axis of categories.
    public static func validateShape(_ shape: [Int]) throws(ShapeError) {
        guard let k = shape.last, k > 0 else {
            throw ShapeError(op: "Categorical", "parameters need a non-empty last axis of categories, got shape \(shapeString(shape))")
        }
    }

    /// Checks that the weights are non-negative and finite with a positive sum per row.
    public static func validate(probabilities: Tensor) throws(DistributionParameterError) {
        try DistributionValidation.requireAll("Categorical", "probabilities", probabilities, "non-negative and finite") {
            $0 >= 0 && $0.isFinite
        }
        let k = probabilities.shape.last ?? 1
        let s = probabilities.scalars
        for row in 0..<(s.count / Swift.max(k, 1)) where !(s[(row * k)..<((row + 1) * k)].reduce(0, +) > 0) {
            throw DistributionParameterError("Categorical", "probabilities of row \(row) sum to zero")
        }
    }

    /// The number of categories K.
    public var categoryCount: Int { logits.shape.last! }
    public var batchShape: [Int] { Array(logits.shape.dropLast()) }
    public var eventShape: [Int] { [] }
    public var support: Constraint { .nonnegativeInteger(upper: categoryCount - 1) }

    /// Log-probabilities with −∞ replaced by the most negative finite Float, so that
    /// 0 · log 0 terms vanish instead of giving NaN.
    var finiteLogits: Tensor { logits.clamped(min: -.greatestFiniteMagnitude) }

    /// Category indices of shape `sampleShape + batchShape` (Gumbel-max).
    public func sampleIndices(_ sampleShape: [Int], generator: inout RandomGenerator) -> IndexTensor {
        generator.categorical(logits: logits.detached(), sampleShape: sampleShape)
    }

    /// Float-coded category indices of shape `sampleShape + batchShape`.
    public func sample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        sampleIndices(sampleShape, generator: &generator).asTensor
    }

    /// log P(X = k) for integer labels of shape `sampleShape + batchShape` (or any shape
    /// broadcastable with `batchShape`).
    public func logProb(_ labels: IndexTensor) -> Tensor {
        let shape = DistributionShapes.broadcast([labels.shape, batchShape], op: "Categorical.logProb")
        let k = categoryCount
        if let bad = labels.scalars.firstIndex(where: { $0 < 0 || Int($0) >= k }) {
            fatalError("Categorical.logProb: label \(labels.scalars[bad]) at flat index \(bad) is not in 0..<\(k)")
        }
        let index = DistributionShapes.broadcast(labels, to: shape).reshaped(to: shape + [1])
        return logits.broadcast(to: shape + [k]).gathering(alongAxis: -1, indices: index).reshaped(to: shape)
    }

    /// log P(X = k) for float-coded labels (each an integer in `0..<K`; traps otherwise).
    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        return logProb(DistributionShapes.indices(value, upperBound: categoryCount, op: "Categorical.logProb"))
    }

    /// H = −Σₖ pₖ log pₖ.
    public func entropy() -> Tensor { -(probabilities * finiteLogits).sum(alongAxis: -1) }

    /// P(X ≤ x) = Σ_{k ≤ ⌊x⌋} pₖ (0 below 0, 1 from K − 1 on).
    public func cdf(_ value: Tensor) -> Tensor {
        let k = categoryCount
        let shape = checkValue("cdf", value)
        let v = value.broadcast(to: shape)
        let position = Tensor.arange(0, Float(k)).reshaped(to: Array(repeating: 1, count: shape.count) + [k])
        let included = position .<= v.floor().unsqueezed(axis: -1)
        return (probabilities.broadcast(to: shape + [k]) * included).sum(alongAxis: -1)
    }

    /// KL(p ‖ q) = Σₖ pₖ (log pₖ − log qₖ) (terms with pₖ = 0 vanish).
    public func analyticKLDivergence(to other: any Distribution) -> Tensor? {
        guard let q = other as? Categorical else { return nil }
        return Categorical.klDivergence(self, q)
    }

    static func klDivergence(_ p: Categorical, _ q: Categorical) -> Tensor {
        (p.probabilities * (p.finiteLogits - q.finiteLogits)).sum(alongAxis: -1)
    }
}

extension Categorical {
    /// The same distribution with its parameters broadcast to `batchShape`.
    public func expand(_ batchShape: [Int]) -> Categorical {
        checkExpansion(to: batchShape)
        let k = categoryCount
        return Categorical(normalizedLogits: logits.broadcast(to: batchShape + [k]),
                           probabilities: probabilities.broadcast(to: batchShape + [k]))
    }
}
