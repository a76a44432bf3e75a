/// The reverse sweep: walks the recorded graph from an output back to the requested
/// tensors, in topological order, visiting only nodes that lie on a path to one of them.
enum Backpropagation {
    /// ∂(seed · output)/∂target for each target node (`nil` when output does not depend on it).
    static func run(output: Tensor, seed: Tensor, targets: [GradNode], createGraph: Bool) -> [Tensor?] {
        guard let root = output.gradNode, !targets.isEmpty else {
            return Array(repeating: nil, count: targets.count)
        }
        let targetIDs = Set(targets.map(ObjectIdentifier.init))

        // Iterative post-order DFS; a node is relevant if it is a target or feeds one.
        var relevant: [ObjectIdentifier: Bool] = [:]
        var order: [GradNode] = []
        var stack: [(node: GradNode, next: Int)] = [(root, 0)]
        relevant[ObjectIdentifier(root)] = false
        while !stack.isEmpty {
            let top = stack.count - 1
            let node = stack[top].node
            let i = stack[top].next
            if i < node.inputs.count {
                stack[top].next = i + 1
                if let child = node.inputs[i].gradNode {
                    let id = ObjectIdentifier(child)
                    if relevant[id] == nil {
                        relevant[id] = false
                        stack.append((child, 0))
                    }
                }
            } else {
                stack.removeLast()
                let id = ObjectIdentifier(node)
                var isRelevant = targetIDs.contains(id)
                if !isRelevant {
                    for t in node.inputs {
                        if let c = t.gradNode, relevant[ObjectIdentifier(c)] == true { isRelevant = true; break }
                    }
                }
                relevant[id] = isRelevant
                if isRelevant { order.append(node) }
            }
        }

        return GradientMode.$isRecording.withValue(createGraph) {
            var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
            var results: [ObjectIdentifier: Tensor] = [:]
            for node in order.reversed() {
                let id = ObjectIdentifier(node)
                guard let gradient = pending.removeValue(forKey: id) else { continue }
                if targetIDs.contains(id) { results[id] = gradient }
                let needs = node.inputs.map { t -> Bool in
                    guard let c = t.gradNode else { return false }
                    return relevant[ObjectIdentifier(c)] == true
                }
                guard needs.contains(true) else { continue }
                let context = BackwardContext(gradient: gradient, output: node.output,
                                              inputs: node.inputs, needs: needs)
                let inputGradients = node.backward(context)
                ensure(inputGradients.count == node.inputs.count,
                             "\(node.op) backward: returned \(inputGradients.count) gradients for \(node.inputs.count) inputs")
                for (k, g) in inputGradients.enumerated() where needs[k] {
                    guard let g, let child = node.inputs[k].gradNode else { continue }
                    ensure(g.shape == node.inputs[k].shape,
                                 "\(node.op) backward: gradient of shape \(shapeString(g.shape)) for input \(k) of shape \(shapeString(node.inputs[k].shape))")
                    let cid = ObjectIdentifier(child)
                    if let existing = pending[cid] {
                        pending[cid] = existing + g
                    } else {
                        pending[cid] = g
                    }
                }
            }
            return targets.map { results[ObjectIdentifier($0)] }
        }
    }
}

extension Tensor {
    /// A new differentiation variable with this tensor's value. If this tensor is itself
    /// recorded (a nested gradient), the variable stays connected to it.
    @usableFromInline
    func makeVariable() -> (Tensor, GradNode) {
        let parent = GradientMode.isRecording && gradNode != nil ? [self] : []
        let node = GradNode(op: "variable", inputs: parent, outputShape: shape,
                            outputStorage: storage, backward: { [$0.gradient] })
        return (Tensor(shape: shape, storage: storage, gradNode: node), node)
    }
}

/// Core of every gradient transform: differentiates `f` at `points` and returns the
/// value together with a pullback from a seed to the gradients.
@usableFromInline
func valueWithPullbackImpl(at points: [Tensor], createGraph: Bool,
                           of f: ([Tensor]) throws -> Tensor) rethrows -> (Tensor, (Tensor) -> [Tensor]) {
    try GradientMode.$isRecording.withValue(true) {
        let variables = points.map { $0.makeVariable() }
        let value = try f(variables.map(\.0))
        let nodes = variables.map(\.1)
        let pullback: (Tensor) -> [Tensor] = { seed in
            ensure(seed.shape == value.shape,
                         "pullback: seed of shape \(shapeString(seed.shape)) for a value of shape \(shapeString(value.shape))")
            let grads = Backpropagation.run(output: value, seed: seed, targets: nodes, createGraph: createGraph)
            return zip(grads, points).map { g, p in g ?? Tensor.zeros(p.shape) }
        }
        return (value, pullback)
    }
}

/// The value of `f` at `points` and a pullback: given a seed shaped like the value
/// (∂L/∂value), it returns ∂L/∂point for every point. Use it for non-scalar functions
/// (vector–Jacobian products, Jacobians).
///
/// - Parameter createGraph: record the gradient computation so that the gradients can
///   be differentiated again (higher-order derivatives).
public func valueWithPullback(at points: [Tensor], createGraph: Bool = false,
                              of f: ([Tensor]) throws -> Tensor) rethrows -> (value: Tensor, pullback: (Tensor) -> [Tensor]) {
    try valueWithPullbackImpl(at: points, createGraph: createGraph, of: f)
}

/// The value of a scalar function `f` and its gradient at `x`.
///
/// ```swift
/// let (y, g) = valueAndGradient(at: x) { ($0 * $0).sum() }
/// ```
/// - Parameter createGraph: record the gradient computation, so that the gradient can
///   itself be differentiated (as in `gradient(at: x) { gradient(at: $0, createGraph: true, of: f).sum() }`).
public func valueAndGradient(at x: Tensor, createGraph: Bool = false,
                             of f: (Tensor) throws -> Tensor) rethrows -> (value: Tensor, gradient: Tensor) {
    let (value, gradients) = try valueAndGradient(at: [x], createGraph: createGraph) { try f($0[0]) }
    return (value, gradients[0])
}

/// The value of a scalar function of several tensors and its gradient with respect to each.
public func valueAndGradient(at xs: [Tensor], createGraph: Bool = false,
                             of f: ([Tensor]) throws -> Tensor) rethrows -> (value: Tensor, gradients: [Tensor]) {
    let (value, pullback) = try valueWithPullbackImpl(at: xs, createGraph: createGraph, of: f)
    ensure(value.scalarCount == 1,
                 "valueAndGradient: the function must return a scalar, got shape \(shapeString(value.shape)); use valueWithPullback for other shapes")
    return (value, pullback(Tensor(repeating: 1, shape: value.shape)))
}

/// The value of a scalar function of a parameter tree (tensors keyed by dotted path, such
/// as `encoder.layers.0.weight`) and the gradient tree with the same keys.
public func valueAndGradient(at parameters: [String: Tensor], createGraph: Bool = false,
                             of f: ([String: Tensor]) throws -> Tensor) rethrows -> (value: Tensor, gradients: [String: Tensor]) {
    let keys = parameters.keys.sorted()
    let (value, grads) = try valueAndGradient(at: keys.map { parameters[$0]! }, createGraph: createGraph) { xs in
        try f(Dictionary(uniqueKeysWithValues: zip(keys, xs)))
    }
    return (value, Dictionary(uniqueKeysWithValues: zip(keys, grads)))
}

/// The gradient of a scalar function at `x`.
public func gradient(at x: Tensor, createGraph: Bool = false, of f: (Tensor) throws -> Tensor) rethrows -> Tensor {
    try valueAndGradient(at: x, createGraph: createGraph, of: f).gradient
}

/// The gradients of a scalar function of several tensors.
public func gradient(at xs: [Tensor], createGraph: Bool = false, of f: ([Tensor]) throws -> Tensor) rethrows -> [Tensor] {
    try valueAndGradient(at: xs, createGraph: createGraph, of: f).gradients
}
