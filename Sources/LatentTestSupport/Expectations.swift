import LatentCore
import Testing

/// Records a test issue unless `actual` and `expected` agree elementwise within
/// `absolute + relative·|expected|`.
public func expectClose(_ actual: Tensor, _ expected: Tensor, relative: Float = 1e-5, absolute: Float = 1e-6,
                        _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    if !isClose(actual, expected, relative: relative, absolute: absolute) {
        Issue.record("\(comment) not close: \(differenceReport(actual, expected))", sourceLocation: sourceLocation)
    }
}

/// Records a test issue unless `f`'s autodiff gradient matches central differences.
public func expectGradient(at inputs: [Tensor], tolerance: Double = 2e-2, epsilon: Float = 1e-2,
                           _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation,
                           of f: @escaping ([Tensor]) -> Tensor) {
    let r = checkGradient(at: inputs, epsilon: epsilon, of: f)
    if !(r.maximumError <= tolerance) {
        Issue.record("\(comment) gradient check failed: \(r)", sourceLocation: sourceLocation)
    }
}

/// Records a test issue unless `f`'s second derivatives match finite differences of its gradient.
public func expectSecondOrderGradient(at inputs: [Tensor], tolerance: Double = 3e-2, epsilon: Float = 1e-2,
                                      _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation,
                                      of f: @escaping ([Tensor]) -> Tensor) {
    let r = checkSecondOrderGradient(at: inputs, epsilon: epsilon, of: f)
    if !(r.maximumError <= tolerance) {
        Issue.record("\(comment) second-order gradient check failed: \(r)", sourceLocation: sourceLocation)
    }
}
