/// What a backward rule receives: the upstream gradient, the op's output and inputs.
///
/// When the gradient itself is being recorded (`createGraph: true`), `output` and
/// `inputs` carry their graph nodes, so a backward rule written with ordinary tensor ops
/// is itself differentiable. Rules must take tracked tensors from here, never capture
/// them in the closure (capturing *untracked* helpers, such as a dropout mask, is fine).
public struct BackwardContext {
    /// ∂L/∂output, shaped like the output.
    public let gradient: Tensor
    /// The op's result.
    public let output: Tensor
    /// The op's inputs, in the order they were recorded.
    public let inputs: [Tensor]
    @usableFromInline let needs: [Bool]

    /// Whether input `i` lies on a path to a requested gradient; rules may skip the
    /// others and return `nil` for them.
    @inlinable public func needsGradient(_ i: Int) -> Bool { needs[i] }
}

/// A recorded op in the autodiff graph: its inputs and its backward rule.
///
/// Nodes are created by ``Tensor/record(_:inputs:output:backward:)`` (every built-in op
/// and every custom op goes through it) and by the gradient transforms for the tensors
/// they differentiate with respect to. The graph is implicit: a tensor holds its node, a
/// node holds its input tensors.
public final class GradNode: @unchecked Sendable {
    /// Name of the op, used in anomaly reports.
    public let op: String
    /// Input tensors (with their own nodes).
    @usableFromInline var inputs: [Tensor]
    @usableFromInline let outputShape: [Int]
    @usableFromInline let outputStorage: TensorStorage
    @usableFromInline let backward: (BackwardContext) -> [Tensor?]

    @usableFromInline
    init(op: String, inputs: [Tensor], outputShape: [Int], outputStorage: TensorStorage,
         backward: @escaping (BackwardContext) -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.outputShape = outputShape
        self.outputStorage = outputStorage
        self.backward = backward
    }

    /// Shapes of the op's inputs.
    public var inputShapes: [[Int]] { inputs.map(\.shape) }

    /// The output tensor, reattached to this node.
    @usableFromInline var output: Tensor {
        Tensor(shape: outputShape, storage: outputStorage, gradNode: self)
    }

    // A chain of 100,000 recorded ops would otherwise be freed recursively (each node
    // releasing its inputs from inside its own deinit) and overflow the stack. Nodes that
    // are about to die have their inputs taken here first, so freeing is a loop.
    deinit {
        guard !inputs.isEmpty else { return }
        var pending: [GradNode] = []
        for t in inputs { if let n = t.gradNode { pending.append(n) } }
        inputs = []
        while var node = pending.popLast() {
            if isKnownUniquelyReferenced(&node) {
                for t in node.inputs { if let n = t.gradNode { pending.append(n) } }
                node.inputs = []
            }
        }
    }
}

extension Tensor {
    /// Records the result of an op so that gradients can flow back through it.
    ///
    /// This is the single entry point through which every differentiable op (built-in or
    /// user-defined) joins the graph. If no input is recorded, or recording is off
    /// (``withoutDerivative(_:)``), it returns `output` unchanged and keeps nothing alive.
    ///
    /// - Parameters:
    ///   - op: A short name, e.g. `"exp"`; it appears in anomaly reports.
    ///   - inputs: The op's tensor inputs.
    ///   - output: The computed result (untracked).
    ///   - backward: Given ∂L/∂output, returns ∂L/∂input for each input (or `nil` for
    ///     inputs that need no gradient). Write it with tensor ops so that it is itself
    ///     differentiable, and read tracked tensors from the context.
    @inlinable
    public static func record(_ op: String, inputs: [Tensor], output: Tensor,
                              backward: @escaping (BackwardContext) -> [Tensor?]) -> Tensor {
        if let detector = AnomalyDetection.current {
            detector.check(op: op, inputs: inputs, output: output)
        }
        guard GradientMode.isRecording, inputs.contains(where: { $0.gradNode != nil }) else {
            return output
        }
        let node = GradNode(op: op, inputs: inputs, outputShape: output.shape,
                            outputStorage: output.storage, backward: backward)
        return Tensor(shape: output.shape, storage: output.storage, gradNode: node)
    }
}

/// Switches for the recording of ops.
public enum GradientMode {
    @TaskLocal public static var isRecording: Bool = true
}

/// Runs `body` without recording any op: results carry no gradient.
@inlinable
public func withoutDerivative<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isRecording.withValue(false, operation: body)
}

/// Runs `body` with recording switched back on (inside a `withoutDerivative` block).
@inlinable
public func withDerivative<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isRecording.withValue(true, operation: body)
}
