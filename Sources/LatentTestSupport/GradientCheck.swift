import LatentCore

/// Result of comparing an autodiff gradient with central finite differences.
public struct GradientCheckResult: CustomStringConvertible {
    /// Largest |analytic − numeric| / max(1, |numeric|) over all elements of all inputs.
    public var maximumError: Double
    /// Where it happened: input index and flat element index.
    public var worst: (input: Int, element: Int, analytic: Double, numeric: Double)

    public var description: String {
        "max error \(maximumError) at input \(worst.input) element \(worst.element): analytic \(worst.analytic) vs numeric \(worst.numeric)"
    }
}

/// Compares the gradient of `f` (reduced to a scalar by a fixed random projection) with
/// central differences of step `epsilon`, accumulated in Double.
///
/// The projection `Σ w ⊙ f(x)` with fixed pseudo-random weights makes every output
/// element count, so a wrong gradient in any of them is caught.
public func checkGradient(at inputs: [Tensor], epsilon: Float = 1e-2,
                          of f: @escaping ([Tensor]) -> Tensor) -> GradientCheckResult {
    let probe = withoutDerivative { f(inputs) }
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    let weights = Tensor(shape: probe.shape, scalars: (0..<probe.scalarCount).map { _ -> Float in
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return Float(Double(seed >> 11) / Double(1 << 53)) * 2 - 1
    })
    func scalarF(_ xs: [Tensor]) -> Tensor { (f(xs) * weights).sum() }
    func evaluate(_ xs: [Tensor]) -> Double {
        let y = withoutDerivative { f(xs) }
        var s = 0.0
        for (a, w) in zip(y.scalars, weights.scalars) { s += Double(a) * Double(w) }
        return s
    }
    let analytic = gradient(at: inputs, of: scalarF)
    var result = GradientCheckResult(maximumError: 0, worst: (0, 0, 0, 0))
    for (k, x) in inputs.enumerated() {
        let base = x.scalars
        let g = analytic[k].scalars
        for i in 0..<base.count {
            var plus = base, minus = base
            plus[i] += epsilon
            minus[i] -= epsilon
            var xp = inputs, xm = inputs
            xp[k] = Tensor(shape: x.shape, scalars: plus)
            xm[k] = Tensor(shape: x.shape, scalars: minus)
            let numeric = (evaluate(xp) - evaluate(xm)) / (Double(plus[i]) - Double(minus[i]))
            let err = abs(Double(g[i]) - numeric) / max(1, abs(numeric))
            if err > result.maximumError || err.isNaN {
                result.maximumError = err.isNaN ? .infinity : err
                result.worst = (k, i, Double(g[i]), numeric)
            }
        }
    }
    return result
}

/// Checks second derivatives: the gradient of `⟨v, ∇f(x)⟩` (computed with
/// `createGraph: true`) against central differences of `⟨v, ∇f(x)⟩`.
public func checkSecondOrderGradient(at inputs: [Tensor], epsilon: Float = 1e-2,
                                     of f: @escaping ([Tensor]) -> Tensor) -> GradientCheckResult {
    var seed: UInt64 = 0x1234_5678_9ABC_DEF1
    let directions = inputs.map { x in
        Tensor(shape: x.shape, scalars: (0..<x.scalarCount).map { _ -> Float in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Float(Double(seed >> 11) / Double(1 << 53)) * 2 - 1
        })
    }
    // Scalarise f by a fixed projection, as in checkGradient.
    let probe = withoutDerivative { f(inputs) }
    let weights = Tensor(shape: probe.shape, scalars: (0..<probe.scalarCount).map { i in Float(i % 7) / 7 - 0.4 })
    let directional: ([Tensor]) -> Tensor = { xs in
        let g = gradient(at: xs, createGraph: true) { (f($0) * weights).sum() }
        var total = Tensor(0)
        for (gi, v) in zip(g, directions) { total = total + (gi * v).sum() }
        return total
    }
    return checkGradient(at: inputs, epsilon: epsilon, of: directional)
}
