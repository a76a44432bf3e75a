import Synchronization

/// The first op that produced a NaN or an infinity inside ``detectAnomalies(_:)``.
public struct AnomalyError: Error, CustomStringConvertible, Equatable {
    /// The op's name (backward ops are the ops their rules call).
    public let op: String
    /// Shapes of the op's inputs.
    public let inputShapes: [[Int]]
    /// `"NaN"` or `"Inf"`.
    public let kind: String

    public var description: String {
        "\(op) produced \(kind) from inputs of shape \(inputShapes.map(shapeString).joined(separator: ", "))"
    }
}

/// Debug mode that watches every op for non-finite results.
public final class AnomalyDetection: Sendable {
    @TaskLocal public static var current: AnomalyDetection?

    private let first = Mutex<AnomalyError?>(nil)
    /// Trap at the first anomaly (stopping the program there, with the message) instead
    /// of recording it and throwing when the block ends.
    public let trapsImmediately: Bool

    public init(trapsImmediately: Bool = false) {
        self.trapsImmediately = trapsImmediately
    }

    /// The first anomaly seen, if any.
    public var anomaly: AnomalyError? { first.withLock { $0 } }

    @usableFromInline
    func check(op: String, inputs: [Tensor], output: Tensor) {
        let p = output.storage.pointer
        var bad: String?
        for i in 0..<output.scalarCount where !p[i].isFinite {
            bad = p[i].isNaN ? "NaN" : "Inf"
            break
        }
        guard let bad else { return }
        // Report only fresh anomalies: an op fed a NaN is not where it started.
        for t in inputs {
            let q = t.storage.pointer
            for i in 0..<t.scalarCount where !q[i].isFinite { return }
        }
        let error = AnomalyError(op: op, inputShapes: inputs.map(\.shape), kind: bad)
        if trapsImmediately { fatalError("anomaly detected: \(error)") }
        first.withLock { current in
            if current == nil { current = error }
        }
    }
}

/// Runs `body` checking every op (forward and backward) for NaN or Inf results, and
/// throws an ``AnomalyError`` naming the first op that produced one from finite inputs,
/// with its input shapes. Slow: use it to debug a loss that turned NaN.
///
/// ```swift
/// try detectAnomalies { _ = valueAndGradient(at: x) { ($0.log() * 0).sum() } }
/// // AnomalyError: log produced Inf from inputs of shape [3]
/// ```
///
/// - Parameter trapsImmediately: stop the program at the offending op (useful under a
///   debugger, where the stack shows the caller) instead of throwing afterwards.
public func detectAnomalies<R>(trapsImmediately: Bool = false, _ body: () throws -> R) throws -> R {
    let detector = AnomalyDetection(trapsImmediately: trapsImmediately)
    let result = try AnomalyDetection.$current.withValue(detector, operation: body)
    if let anomaly = detector.anomaly { throw anomaly }
    return result
}
