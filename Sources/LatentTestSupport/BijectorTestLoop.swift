import LatentCore
import LatentProbability
import Testing

/// The shared test loop every bijector goes through (as zuko's transform tests).
///
/// For inputs `x` of shape `batch + inputEvent` it records a test issue unless:
/// 1. shapes agree: `forward(x)` has shape `forwardShape(x.shape)`, the log-determinant
///    has the batch shape, `forward`/`inverse` match the one-pass methods, and the first
///    batch element transformed alone matches the batched result (when the bijector's
///    parameters allow a batch of one);
/// 2. the round trips `inverse(forward(x)) ≈ x` and `forward(inverse(y)) ≈ y` hold
///    (`y` = `outputs`, or `forward(x)`);
/// 3. log |det J| from `forwardAndLogAbsDetJacobian` matches the log-determinant of the
///    autodiff Jacobian (built row by row with `valueWithPullback` and one-hot seeds, one
///    square matrix per batch element); for elementwise bijectors (event rank 0) the full
///    Jacobian of a small input is also checked to be diagonal;
/// 4. the inverse log-determinant at `forward(x)` is minus the forward one at `x`;
/// 5. values, log-determinants and the gradients of `Σ y + Σ log|det J|` (forward, at `x`)
///    and of `Σ x + Σ log|det J⁻¹|` (inverse, at `y`) are finite.
///
/// - Parameters:
///   - bijector: The bijector under test.
///   - inputs: Points of the domain, `batch + inputEvent` (the batch shape must not be
///     changed by the bijector's parameters).
///   - outputs: Points of the codomain for the inverse round trip (default: `forward(inputs)`).
///   - roundTripTolerance: Absolute (and relative) tolerance of the round trips.
///   - logDetTolerance: Absolute (and relative) tolerance of log-determinants.
///   - checkRoundTrip: Whether to check round trips (off for inputs outside the
///     numerically invertible range, e.g. `Tanh` at |x| > 8, where only finiteness matters).
///   - checkJacobian: Whether to compare with the autodiff Jacobian.
public func checkBijector(_ bijector: any Bijector, inputs x: Tensor, outputs: Tensor? = nil,
                          roundTripTolerance: Float = 1e-4, logDetTolerance: Float = 1e-3,
                          checkRoundTrip: Bool = true, checkJacobian: Bool = true,
                          _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    let name = "\(type(of: bijector))\(comment.isEmpty ? "" : " (\(comment))")"
    func fail(_ message: String) { Issue.record("\(name): \(message)", sourceLocation: sourceLocation) }
    func allFinite(_ t: Tensor) -> Bool { t.scalars.allSatisfy { $0.isFinite } }

    // 1. Shapes and consistency of the one-pass methods.
    let (y, logDet) = bijector.forwardAndLogAbsDetJacobian(x)
    guard y.shape == bijector.forwardShape(x.shape) else {
        return fail("forward gives shape \(shapeString(y.shape)), forwardShape says \(shapeString(bijector.forwardShape(x.shape)))")
    }
    let batch = Array(x.shape.dropLast(bijector.eventRank))
    guard Array(y.shape.dropLast(bijector.outputEventRank)) == batch, logDet.shape == batch else {
        return fail("input \(shapeString(x.shape)) (event rank \(bijector.eventRank)) gives output \(shapeString(y.shape)) (event rank \(bijector.outputEventRank)) and log-determinant \(shapeString(logDet.shape)); expected batch shape \(shapeString(batch))")
    }
    if !isClose(bijector.forward(x), y, relative: 1e-6, absolute: 1e-6) { fail("forward differs from forwardAndLogAbsDetJacobian") }
    let target = outputs ?? y
    let (xBack, inverseLogDet) = bijector.inverseAndLogAbsDetJacobian(y)
    if !isClose(bijector.inverse(y), xBack, relative: 1e-6, absolute: 1e-6) { fail("inverse differs from inverseAndLogAbsDetJacobian") }
    if bijector.inverseShape(y.shape) != x.shape { fail("inverseShape(\(shapeString(y.shape))) is not \(shapeString(x.shape))") }
    // Bijectors whose parameters carry the batch shape cannot take a single element.
    let firstElement = x.sliced(alongAxis: 0, range: 0..<min(1, x.shape.first ?? 0))
    if let first = batch.first, first > 1, bijector.forwardShape(firstElement.shape) == [1] + y.shape.dropFirst() {
        let (y0, l0) = bijector.forwardAndLogAbsDetJacobian(firstElement)
        if !isClose(y0, y.sliced(alongAxis: 0, range: 0..<1), relative: 1e-5, absolute: 1e-5)
            || !isClose(l0, logDet.sliced(alongAxis: 0, range: 0..<1), relative: 1e-5, absolute: 1e-5) {
            fail("the first batch element alone transforms differently from the batch")
        }
    }

    // 5a. Finite values.
    if !allFinite(y) || !allFinite(logDet) { fail("forward gives non-finite values: y \(y.scalars.prefix(8)), log-det \(logDet.scalars.prefix(8))") }
    if !allFinite(xBack) || !allFinite(inverseLogDet) { fail("inverse gives non-finite values") }

    // 2. Round trips.
    if checkRoundTrip {
        if !isClose(xBack, x, relative: roundTripTolerance, absolute: roundTripTolerance) {
            fail("inverse(forward(x)) ≠ x: \(differenceReport(xBack, x))")
        }
        let again = bijector.forward(bijector.inverse(target))
        if !isClose(again, target, relative: roundTripTolerance, absolute: roundTripTolerance) {
            fail("forward(inverse(y)) ≠ y: \(differenceReport(again, target))")
        }
        // 4. Inverse log-determinant is minus the forward one at the matching point.
        if !isClose(inverseLogDet, -logDet, relative: logDetTolerance, absolute: logDetTolerance) {
            fail("inverse log|det J| ≠ −forward log|det J|: \(differenceReport(inverseLogDet, -logDet))")
        }
    }

    // 3. Log-determinant against the autodiff Jacobian.
    if checkJacobian {
        let inputEvent = Array(x.shape.suffix(bijector.eventRank))
        let outputEvent = Array(y.shape.suffix(bijector.outputEventRank))
        let n = Shape.count(inputEvent), m = Shape.count(outputEvent), batchCount = Shape.count(batch)
        guard n == m else { return fail("events of \(n) inputs and \(m) outputs: the Jacobian is not square") }
        let (_, pullback) = valueWithPullback(at: [x]) { bijector.forward($0[0]) }
        var rows: [Tensor] = []
        for j in 0..<m {
            let seed = Tensor(shape: y.shape) { p, count in
                for i in 0..<count { p[i] = i % m == j ? 1 : 0 }
            }
            rows.append(pullback(seed)[0].reshaped(to: [batchCount, 1, n]))
        }
        let jacobian = concatenate(rows, alongAxis: 1)
        let expected = n == 1 ? jacobian.abs().log().reshaped(to: batch) : jacobian.logAbsDeterminant().reshaped(to: batch)
        if !isClose(logDet, expected, relative: logDetTolerance, absolute: logDetTolerance) {
            fail("log|det J| differs from the autodiff Jacobian: \(differenceReport(logDet, expected))")
        }
        if bijector.eventRank == 0 && bijector.outputEventRank == 0 && x.scalarCount <= 64 {
            let count = x.scalarCount
            for j in 0..<count {
                let seed = Tensor(shape: y.shape) { p, c in for i in 0..<c { p[i] = i == j ? 1 : 0 } }
                let row = pullback(seed)[0].scalars
                if let k = row.indices.first(where: { $0 != j && row[$0] != 0 }) {
                    fail("elementwise bijector: output \(j) depends on input \(k)")
                    break
                }
            }
        }
    }

    // 5b. Finite gradients, forward at x and inverse at y.
    let forwardGradient = gradient(at: x) { t in
        let (v, l) = bijector.forwardAndLogAbsDetJacobian(t)
        return v.sum() + l.sum()
    }
    if !allFinite(forwardGradient) { fail("non-finite gradient of the forward pass: \(forwardGradient.scalars.prefix(16))") }
    let inverseGradient = gradient(at: target) { t in
        let (v, l) = bijector.inverseAndLogAbsDetJacobian(t)
        return v.sum() + l.sum()
    }
    if !allFinite(inverseGradient) { fail("non-finite gradient of the inverse pass: \(inverseGradient.scalars.prefix(16))") }
}
