/// User-defined differentiable ops.
///
/// Any computation can join the autodiff graph through ``Tensor/record(_:inputs:output:backward:)``.
/// ``Tensor/customOp(_:inputs:forward:backward:)`` wraps the usual pattern: compute the
/// forward value without recording, then attach a backward rule.
///
/// ```swift
/// extension Tensor {
///     /// A "straight-through" rounding: rounds forward, passes gradients unchanged.
///     func straightThroughRound() -> Tensor {
///         Tensor.customOp("straightThroughRound", inputs: [self],
///                         forward: { xs in
///                             Tensor(shape: xs[0].shape, scalars: xs[0].scalars.map { $0.rounded() })
///                         },
///                         backward: { ctx in [ctx.gradient] })
///     }
/// }
/// ```
///
/// The backward rule receives a ``BackwardContext``. Write it with tensor ops and read the
/// tracked inputs and output from the context (not from captured variables): then the
/// rule is itself differentiable, and second derivatives through the custom op work.
extension Tensor {
    /// Defines an op by its forward computation and its backward rule.
    ///
    /// - Parameters:
    ///   - name: Shown in anomaly reports and shape errors.
    ///   - inputs: The tensor inputs.
    ///   - forward: Computes the result from the inputs; runs without recording.
    ///   - backward: Returns ∂L/∂input for each input (same shapes), or `nil` where no
    ///     gradient is needed (see ``BackwardContext/needsGradient(_:)``).
    public static func customOp(_ name: String, inputs: [Tensor],
                                forward: ([Tensor]) -> Tensor,
                                backward: @escaping (BackwardContext) -> [Tensor?]) -> Tensor {
        let detachedInputs = inputs.map { $0.detached() }
        let output = withoutDerivative { forward(detachedInputs) }.detached()
        return record(name, inputs: inputs, output: output, backward: backward)
    }
}
