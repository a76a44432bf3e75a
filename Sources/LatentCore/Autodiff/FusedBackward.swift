/// Fused ops with two backward paths: a fast first-order kernel, and a composed rule for
/// gradients of gradients.
///
/// A fused op (layer norm, normalisation, exact GELU, packed self-attention, the LSTM and
/// GRU recurrences) computes its first-order gradient with a kernel that reads raw buffers
/// and intermediates saved by the forward pass. That is fast, but the kernel's result is
/// not recorded, so it cannot be differentiated again. When the backward pass is itself
/// being recorded (`createGraph: true`, as WGAN-GP and R1 penalties need), the op must
/// instead build its gradient from differentiable tensor ops.
/// ``Tensor/record(_:inputs:output:fusedBackward:composedBackward:)`` records both rules
/// and picks one each time the backward pass reaches the op:
///
/// - the backward pass is not recorded (an ordinary ``gradient(at:createGraph:of:)-(Tensor,_,_)``):
///   `fusedBackward`;
/// - it is recorded (`createGraph: true`): `composedBackward`, whose ops join the graph.
///
/// The two rules must agree up to rounding; each fused op's tests compare them (first-order
/// gradients against finite differences and against the composed form, second-order
/// gradients through the composed form). A fused op whose forward pass also has a
/// reference written with differentiable ops can use that reference as its composed rule
/// (``BackwardContext/pullback(through:)``).
extension Tensor {
    /// Records the result of a fused op with a fused first-order backward rule and a
    /// composed, differentiable one (see ``Tensor/record(_:inputs:output:backward:)`` for
    /// the rest).
    ///
    /// - Parameters:
    ///   - op: A short name; it appears in anomaly reports.
    ///   - inputs: The op's tensor inputs.
    ///   - output: The computed result (untracked).
    ///   - fusedBackward: The rule used when the backward pass is not recorded. It may run
    ///     kernels on raw buffers and read what the forward pass saved; its results are
    ///     never differentiated.
    ///   - composedBackward: The rule used when the backward pass is recorded
    ///     (`createGraph: true`): written with differentiable ops on the context's tracked
    ///     tensors, so gradients of gradients are exact.
    public static func record(_ op: String, inputs: [Tensor], output: Tensor,
                              fusedBackward: @escaping (BackwardContext) -> [Tensor?],
                              composedBackward: @escaping (BackwardContext) -> [Tensor?]) -> Tensor {
        record(op, inputs: inputs, output: output) { ctx in
            GradientMode.isRecording ? composedBackward(ctx) : fusedBackward(ctx)
        }
    }
}

extension BackwardContext {
    /// The vector–Jacobian product of `reference` at the op's inputs, recorded so that it
    /// can be differentiated again: the composed backward rule of a fused op whose forward
    /// pass is also written with differentiable ops (`reference` must compute the same
    /// function from the same inputs). Gradients of inputs that need none are `nil`.
    public func pullback(through reference: ([Tensor]) -> Tensor) -> [Tensor?] {
        let (_, pullback) = valueWithPullback(at: inputs, createGraph: true, of: reference)
        let gradients = pullback(gradient)
        return gradients.indices.map { needsGradient($0) ? gradients[$0] : nil }
    }
}
