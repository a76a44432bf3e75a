import Foundation
import LatentCore

/// Saving and restoring training state: a model's parameters and buffers, the state of
/// one or more optimisers, parameter averages and free-form metadata, in one safetensors file.
///
/// Tensor names are `model/<parameter path>`; `optimizer/<parameter path>.<slot>` for a
/// single unnamed optimiser, `optimizers/<name>/<parameter path>.<slot>` for named ones
/// (a GAN's `generator` and `discriminator`); `average/<parameter path>` for exponential
/// moving averages of parameters. The optimisers' scalars and the caller's metadata live in
/// the safetensors `__metadata__` (`optimizer.*`, `optimizers.<name>.*`; caller keys are
/// prefixed `user.`). One file means one atomic rename: a process killed while saving
/// leaves the previous checkpoint intact. A model-only file with plain PyTorch-style names
/// is written by ``Module/save(to:)``.
public enum Checkpoint {
    /// Writes a checkpoint atomically.
    public static func save(model: Module, optimizer: (any Optimizer)? = nil,
                            metadata: [String: String] = [:], to url: URL) throws {
        try save(model: model, optimizers: optimizer.map { [("", $0)] } ?? [], metadata: metadata, to: url)
    }

    /// Writes a checkpoint with several optimisers (named; the empty name is the single,
    /// unnamed optimiser of ``save(model:optimizer:metadata:to:)``) and parameter averages.
    public static func save(model: Module, optimizers: [(name: String, optimizer: any Optimizer)],
                            averages: [String: Tensor] = [:], metadata: [String: String] = [:], to url: URL) throws {
        var tensors: [String: Tensor] = [:]
        for (k, v) in model.state() { tensors["model/" + k] = v }
        var meta: [String: String] = ["format": "latent-checkpoint-1"]
        for (name, optimizer) in optimizers {
            let (state, scalars) = optimizer.stateDictionary()
            for (k, v) in state { tensors[tensorPrefix(name) + k] = v }
            for (k, v) in scalars { meta[metadataPrefix(name) + k] = v }
        }
        for (k, v) in averages { tensors["average/" + k] = v }
        for (k, v) in metadata { meta["user." + k] = v }
        try SafeTensors.write(tensors, metadata: meta, to: url)
    }

    private static func tensorPrefix(_ name: String) -> String { name.isEmpty ? "optimizer/" : "optimizers/\(name)/" }
    private static func metadataPrefix(_ name: String) -> String { name.isEmpty ? "optimizer." : "optimizers.\(name)." }

    /// What a checkpoint holds besides the tensors it loads into the model.
    public struct Loaded {
        /// The caller's metadata, as given to ``save(model:optimizer:metadata:to:)``.
        public var metadata: [String: String]
        /// Parameter averages by parameter path (empty when the run kept none).
        public var averages: [String: Tensor]
    }

    /// Loads a checkpoint into `model` (and `optimizer`), validating names and shapes.
    /// Nothing is modified unless the whole file is valid for this model.
    @discardableResult
    public static func load(from url: URL, into model: Module, optimizer: (any Optimizer)? = nil) throws -> Loaded {
        try load(from: url, into: model, optimizers: optimizer.map { [("", $0)] } ?? [])
    }

    /// Loads a checkpoint into `model` and the named optimisers (see
    /// ``save(model:optimizers:averages:metadata:to:)``), validating names and shapes.
    /// Nothing is modified unless the whole file is valid for this model.
    @discardableResult
    public static func load(from url: URL, into model: Module,
                            optimizers: [(name: String, optimizer: any Optimizer)]) throws -> Loaded {
        let contents = try SafeTensors.read(from: url)
        guard contents.metadata["format"] == "latent-checkpoint-1" else {
            throw CheckpointError(file: url.path, "not a Latent checkpoint (no format tag); for plain weights use Module.load(from:)")
        }
        var modelState: [String: Tensor] = [:], averages: [String: Tensor] = [:]
        var optimizerStates: [String: [String: Tensor]] = [:]
        for (k, v) in contents.tensors {
            if k.hasPrefix("model/") { modelState[String(k.dropFirst(6))] = v }
            else if k.hasPrefix("average/") { averages[String(k.dropFirst(8))] = v }
            else if k.hasPrefix("optimizer/") { optimizerStates["", default: [:]][String(k.dropFirst(10))] = v }
            else if k.hasPrefix("optimizers/"), let slash = k.dropFirst(11).firstIndex(of: "/") {
                optimizerStates[String(k[k.index(k.startIndex, offsetBy: 11)..<slash]), default: [:]][String(k[k.index(after: slash)...])] = v
            }
            else { throw CheckpointError(file: url.path, "unexpected tensor '\(k)'") }
        }
        // Non-finite weights are refused where they enter, naming the tensor.
        for name in contents.tensors.keys.sorted() where !contents.tensors[name]!.scalars.allSatisfy({ $0.isFinite }) {
            throw CheckpointError(file: url.path, "tensor '\(name)' holds NaN or infinite values; the checkpoint is unusable (resume from an earlier one or retrain)")
        }
        let parameterShapes = model.parameters().mapValues(\.shape)
        for (path, t) in averages where parameterShapes[path] != t.shape {
            throw CheckpointError(file: url.path, "parameter average '\(path)' of shape \(shapeString(t.shape)) matches no parameter of the model")
        }
        // Validate against the model before changing anything.
        let snapshot = model.state()
        do {
            try model.load(state: modelState)
        } catch {
            throw CheckpointError(file: url.path, "does not match the model: \(error)")
        }
        for (name, optimizer) in optimizers {
            let label = name.isEmpty ? "" : " '\(name)'"
            let state = optimizerStates[name] ?? [:]
            var scalars: [String: String] = [:]
            for (k, v) in contents.metadata where k.hasPrefix(metadataPrefix(name)) { scalars[String(k.dropFirst(metadataPrefix(name).count))] = v }
            if !name.isEmpty && scalars.isEmpty {
                try? model.load(state: snapshot)
                throw CheckpointError(file: url.path, "holds no state for the optimizer\(label)")
            }
            for (key, t) in state {
                let path = key.split(separator: ".").dropLast().joined(separator: ".")
                guard let shape = parameterShapes[path], shape == t.shape else {
                    try? model.load(state: snapshot)
                    throw CheckpointError(file: url.path, "optimizer\(label) state '\(key)' of shape \(shapeString(t.shape)) matches no parameter of the model")
                }
            }
            do {
                try optimizer.load(tensors: state, metadata: scalars)
            } catch {
                try? model.load(state: snapshot)
                throw CheckpointError(file: url.path, "\(error)")
            }
        }
        var user: [String: String] = [:]
        for (k, v) in contents.metadata where k.hasPrefix("user.") { user[String(k.dropFirst(5))] = v }
        return Loaded(metadata: user, averages: averages)
    }
}

extension Module {
    /// Writes parameters and buffers with plain path names (`encoder.0.weight`), the
    /// layout of a PyTorch `state_dict` saved with `safetensors.torch.save_file`.
    public func save(to url: URL) throws {
        try SafeTensors.write(state(), metadata: ["format": "pt"], to: url)
    }

    /// Loads parameters and buffers from a plain safetensors state dict (as written by
    /// ``save(to:)`` or by PyTorch), validating every name and shape.
    public func load(from url: URL, strict: Bool = true) throws {
        let contents = try SafeTensors.read(from: url)
        do {
            try load(state: contents.tensors, strict: strict)
        } catch {
            throw CheckpointError(file: url.path, "does not match the model: \(error)")
        }
    }
}

/// A checkpoint that cannot be loaded into the given model or optimiser.
public struct CheckpointError: Error, CustomStringConvertible {
    public let file: String
    public let reason: String
    public init(file: String, _ reason: String) { self.file = file; self.reason = reason }
    public var description: String { "\(file): \(reason)" }
}
