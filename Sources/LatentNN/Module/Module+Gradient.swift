import LatentCore

/// The value of a scalar loss and its gradient with respect to every trainable parameter
/// of `model`, keyed by parameter path.
///
/// ```swift
/// let (loss, gradients) = valueAndGradient(of: model) { model in
///     meanSquaredError(model(x), y)
/// }
/// optimizer.update(model, with: gradients)
/// ```
///
/// While `loss` runs, each trainable parameter holds a recorded copy of its value, so the
/// model's ordinary forward code is differentiated; the values are restored afterwards.
/// Frozen parameters get no gradient. Do not run the same model on two threads at once
/// while differentiating it.
///
/// - Parameters:
///   - createGraph: record the gradient computation for higher-order gradients
///     (e.g. a WGAN-GP penalty that is itself differentiated).
///   - includes: differentiate only the parameters whose path it accepts (e.g. a GAN's
///     discriminator); the others act as constants, and no gradient flows into them.
public func valueAndGradient<M: Module>(of model: M, createGraph: Bool = false, includes: ((String) -> Bool)? = nil,
                                        _ loss: (M) throws -> Tensor) rethrows -> (value: Tensor, gradients: [String: Tensor]) {
    let slots = model.namedParameters().filter { !$0.parameter.isFrozen && (includes?($0.path) ?? true) }
    if Set(slots.map(\.path)).count < slots.count {
        let repeated = Dictionary(grouping: slots.map(\.path)) { $0 }.filter { $0.value.count > 1 }.keys.sorted()
        ensure(false, "\(type(of: model)): several parameters are named \(repeated.prefix(3).joined(separator: ", ")): two inlined children (stateKeys \"\") hold members of the same name; give one of them a state key of its own")
    }
    let originals = slots.map { $0.parameter.wrappedValue }
    defer { for (slot, value) in zip(slots, originals) { slot.parameter.wrappedValue = value } }
    let (value, grads) = try valueAndGradient(at: originals, createGraph: createGraph) { variables in
        for (slot, v) in zip(slots, variables) { slot.parameter.wrappedValue = v }
        return try loss(model)
    }
    return (value, Dictionary(uniqueKeysWithValues: zip(slots.map(\.path), grads)))
}

/// The gradient of a scalar loss with respect to every trainable parameter of `model`.
public func gradient<M: Module>(of model: M, createGraph: Bool = false,
                                _ loss: (M) throws -> Tensor) rethrows -> [String: Tensor] {
    try valueAndGradient(of: model, createGraph: createGraph, loss).gradients
}
