import Foundation
import LatentCore

/// Saving and restoring training state: a model's parameters and buffers, the
/// optimiser's state and free-form metadata, in one safetensors file.
///
/// Tensor names are `model/<parameter path>` and `optimizer/<parameter path>.<slot>`; the
/// optimiser's scalars and the caller's metadata live in the safetensors `__metadata__`
/// (caller keys are prefixed `user.`). One file means one atomic rename: a process killed
/// while saving leaves the previous checkpoint intact. A model-only file with plain
/// PyTorch-style names is written by ``Module/save(to:)``.
public enum Checkpoint {
    /// Writes a checkpoint atomically.
    public static func save(model: Module, optimizer: (any Optimizer)? = nil,
                            metadata: [String: String] = [:], to url: URL) throws {
        var tensors: [String: Tensor] = [:]
        for (k, v) in model.state() { tensors["model/" + k] = v }
        var meta: [String: String] = ["format": "latent-checkpoint-1"]
        if let optimizer {
            let (state, scalars) = optimizer.stateDictionary()
            for (k, v) in state { tensors["optimizer/" + k] = v }
            for (k, v) in scalars { meta["optimizer." + k] = v }
        }
        for (k, v) in metadata { meta["user." + k] = v }
        try SafeTensors.write(tensors, metadata: meta, to: url)
    }

    /// What a checkpoint holds besides the tensors it loads into the model.
    public struct Loaded {
        /// The caller's metadata, as given to ``save(model:optimizer:metadata:to:)``.
        public var metadata: [String: String]
    }

    /// Loads a checkpoint into `model` (and `optimizer`), validating names and shapes.
    /// Nothing is modified unless the whole file is valid for this model.
    @discardableResult
    public static func load(from url: URL, into model: Module, optimizer: (any Optimizer)? = nil) throws -> Loaded {
        let contents = try SafeTensors.read(from: url)
        guard contents.metadata["format"] == "latent-checkpoint-1" else {
            throw CheckpointError(file: url.path, "not a Latent checkpoint (no format tag); for plain weights use Module.load(from:)")
        }
        var modelState: [String: Tensor] = [:], optimizerState: [String: Tensor] = [:]
        for (k, v) in contents.tensors {
            if k.hasPrefix("model/") { modelState[String(k.dropFirst(6))] = v }
            else if k.hasPrefix("optimizer/") { optimizerState[String(k.dropFirst(10))] = v }
            else { throw CheckpointError(file: url.path, "unexpected tensor '\(k)'") }
        }
        // Validate against the model before changing anything.
        let snapshot = model.state()
        do {
            try model.load(state: modelState)
        } catch {
            throw CheckpointError(file: url.path, "does not match the model: \(error)")
        }
        if let optimizer {
            var scalars: [String: String] = [:]
            for (k, v) in contents.metadata where k.hasPrefix("optimizer.") { scalars[String(k.dropFirst(10))] = v }
            let parameterShapes = model.parameters().mapValues(\.shape)
            for (key, t) in optimizerState {
                let path = key.split(separator: ".").dropLast().joined(separator: ".")
                guard let shape = parameterShapes[path], shape == t.shape else {
                    try? model.load(state: snapshot)
                    throw CheckpointError(file: url.path, "optimizer state '\(key)' of shape \(shapeString(t.shape)) matches no parameter of the model")
                }
            }
            do {
                try optimizer.load(tensors: optimizerState, metadata: scalars)
            } catch {
                try? model.load(state: snapshot)
                throw CheckpointError(file: url.path, "\(error)")
            }
        }
        var user: [String: String] = [:]
        for (k, v) in contents.metadata where k.hasPrefix("user.") { user[String(k.dropFirst(5))] = v }
        return Loaded(metadata: user)
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
