import LatentCore

/// A holder for a gradient scale that is only known after the forward pass has gone past
/// the point where it applies (the importance weights of DReG).
final class GradientScaleSlot: @unchecked Sendable {
    var scale: Tensor?
}

extension Tensor {
    /// The identity forward; backward multiplies the incoming gradient by `slot.scale`
    /// (untracked, broadcast against `self`), which must be filled before backward runs.
    func scalingGradient(by slot: GradientScaleSlot) -> Tensor {
        let shape = self.shape
        return Tensor.record("scalingGradient", inputs: [self], output: self.detached()) { ctx in
            guard ctx.needsGradient(0) else { return [nil] }
            guard let scale = slot.scale else { fatalError("scalingGradient: the scale was never set") }
            return [(ctx.gradient * scale).sum(toShape: shape)]
        }
    }
}
