import LatentCore

/// An exponential moving average of some of a model's parameters (Polyak averaging as used
/// for GAN generators, e.g. Karras et al. 2018; Yazıcı et al. 2019):
/// `θ̄ ← d·θ̄ + (1 − d)·θ` after every optimiser step.
///
/// The averages are keyed by the same parameter paths as the model, so they are saved in
/// checkpoints beside the parameters, and evaluation and sampling can run with them in
/// place of the trained values (``withAveraged(_:_:)``, ``copy(into:)``).
public final class ExponentialMovingAverage {
    /// The decay `d` in [0, 1].
    public let decay: Float
    /// The averaged values by parameter path.
    public private(set) var averages: [String: Tensor]

    /// Starts the averages at the current values of every parameter of `model`.
    public convenience init(_ model: Module, decay: Float = 0.999) {
        self.init(decay: decay, model: model) { _ in true }
    }

    /// Starts the averages at the current values of the parameters whose path `includes`.
    public init(decay: Float, model: Module, includes: (String) -> Bool) {
        ensure(decay >= 0 && decay <= 1, "ExponentialMovingAverage: decay must be in [0, 1], got \(decay)")
        self.decay = decay
        var averages: [String: Tensor] = [:]
        for (path, p) in model.namedParameters() where includes(path) { averages[path] = p.wrappedValue.detached() }
        self.averages = averages
    }

    /// `θ̄ ← d·θ̄ + (1 − d)·θ` for every averaged parameter.
    public func update(from model: Module) {
        let d = decay
        for (path, p) in model.namedParameters() {
            guard let s = averages[path] else { continue }
            let v = p.wrappedValue
            averages[path] = Tensor(shape: v.shape) { out, n in
                let sp = s.storage.pointer, vp = v.storage.pointer
                for i in 0..<n { out[i] = d * sp[i] + (1 - d) * vp[i] }
            }
        }
    }

    /// Runs `body` with the averages in place of the model's parameters, then restores them.
    public func withAveraged<R>(_ model: Module, _ body: () throws -> R) rethrows -> R {
        let trained = model.parameters().filter { averages[$0.key] != nil }
        try! model.update(parameters: averages)
        defer { try! model.update(parameters: trained) }
        return try body()
    }

    /// Writes the averages into the model's parameters (for a model used only to evaluate or sample).
    public func copy(to model: Module) throws(ModuleError) {
        try model.update(parameters: averages)
    }

    /// Replaces the averages with saved ones; each must match a parameter already averaged, in shape.
    public func load(_ saved: [String: Tensor]) throws(OptimizerStateError) {
        guard Set(saved.keys) == Set(averages.keys) else {
            let missing = Set(averages.keys).subtracting(saved.keys).sorted(), extra = Set(saved.keys).subtracting(averages.keys).sorted()
            throw OptimizerStateError("parameter averages do not match the model: missing \(missing), unexpected \(extra)")
        }
        for (path, t) in saved where t.shape != averages[path]!.shape {
            throw OptimizerStateError("parameter average '\(path)' has shape \(shapeString(t.shape)), the parameter \(shapeString(averages[path]!.shape))")
        }
        averages = saved
    }
}
