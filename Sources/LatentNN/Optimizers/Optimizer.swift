import LatentCore

/// A gradient-based optimiser: the one place where parameters are updated in place.
///
/// Optimisers keep per-parameter state (moments, momentum buffers) keyed by the same
/// parameter paths as gradients and checkpoints, so their state can be saved and
/// restored with a model.
///
/// ```swift
/// let optimizer = Adam(learningRate: 1e-3)
/// let (loss, gradients) = valueAndGradient(of: model) { lossFunction($0) }
/// optimizer.update(model, with: gradients)
/// ```
public protocol Optimizer: AnyObject {
    /// Current learning rate (schedules set it before each step).
    var learningRate: Float { get set }
    /// Number of updates applied so far.
    var step: Int { get }
    /// Applies one update to every trainable parameter of `model` that has a gradient.
    func update(_ model: Module, with gradients: [String: Tensor])
    /// Optimiser state: tensors keyed `<parameter path>.<slot>`, and scalars as metadata.
    func stateDictionary() -> (tensors: [String: Tensor], metadata: [String: String])
    /// Restores what ``stateDictionary()`` returned.
    func load(tensors: [String: Tensor], metadata: [String: String]) throws(OptimizerStateError)
}

/// A saved optimiser state that does not match the optimiser.
public struct OptimizerStateError: Error, CustomStringConvertible, Equatable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "optimizer state: \(reason)" }
}

/// Shared machinery: per-parameter slots, step counting and state (de)serialisation.
open class StatefulOptimizer {
    public var learningRate: Float
    public private(set) var step: Int = 0
    /// Per-parameter state slots, e.g. `slots["fc.weight"]["exp_avg"]`.
    public var slots: [String: [String: Tensor]] = [:]
    /// The kind written into saved state, checked on load.
    let kind: String

    init(kind: String, learningRate: Float) {
        self.kind = kind
        self.learningRate = learningRate
    }

    /// Runs `body` once per trainable parameter that has a gradient, in path order,
    /// replacing the parameter's value with what `body` returns.
    func forEachParameter(_ model: Module, _ gradients: [String: Tensor],
                          _ body: (_ path: String, _ value: Tensor, _ gradient: Tensor) -> Tensor) {
        step += 1
        for (path, p) in model.namedParameters() where !p.isFrozen {
            guard let g = gradients[path] else { continue }
            ensure(g.shape == p.wrappedValue.shape,
                         "optimizer: gradient for '\(path)' has shape \(shapeString(g.shape)), parameter has \(shapeString(p.wrappedValue.shape))")
            p.wrappedValue = body(path, p.wrappedValue.detached(), g.detached())
        }
    }

    /// The slot `name` of parameter `path`, created as zeros shaped like `like` if missing.
    func slot(_ path: String, _ name: String, like: Tensor) -> Tensor {
        if let s = slots[path]?[name] { return s }
        return .zeros(like.shape)
    }

    func setSlot(_ path: String, _ name: String, _ value: Tensor) {
        slots[path, default: [:]][name] = value
    }

    public func stateDictionary() -> (tensors: [String: Tensor], metadata: [String: String]) {
        var tensors: [String: Tensor] = [:]
        for (path, s) in slots { for (name, t) in s { tensors["\(path).\(name)"] = t } }
        return (tensors, ["optimizer": kind, "step": String(step), "learning_rate": String(learningRate)])
    }

    public func load(tensors: [String: Tensor], metadata: [String: String]) throws(OptimizerStateError) {
        guard metadata["optimizer"] == kind else {
            throw OptimizerStateError("saved for optimizer '\(metadata["optimizer"] ?? "unknown")', loading into '\(kind)'")
        }
        guard let s = metadata["step"], let n = Int(s), n >= 0 else { throw OptimizerStateError("missing or invalid 'step'") }
        var newSlots: [String: [String: Tensor]] = [:]
        for (key, t) in tensors {
            guard let dot = key.lastIndex(of: ".") else { throw OptimizerStateError("malformed key '\(key)'") }
            newSlots[String(key[..<dot]), default: [:]][String(key[key.index(after: dot)...])] = t
        }
        slots = newSlots
        step = n
        if let lr = metadata["learning_rate"].flatMap(Float.init) { learningRate = lr }
    }
}
