import LatentCore
import LatentNN

/// One level of a multi-scale image flow (RealNVP, Glow): squeeze, K steps, then split
/// off half of the channels to the latent space and hand the other half to the next
/// level.
///
/// Data → latent (inverse): x `[B, C, H, W]` → squeeze → steps (last to first) →
/// `[B, 4C, H/2, W/2]` → split channels into (a, b) → b ← next⁻¹(b) → concatenate →
/// unsqueeze back to `[B, C, H, W]`. The factored-out half a goes straight to the
/// standard-normal base; unsqueezing the latent is a volume-preserving reshape, so the
/// latent keeps the data's shape and ``Flow`` needs no special case. Latent → data
/// (forward) runs the same steps in the opposite order.
public final class MultiScaleLevel: Module, FlowTransform {
    /// Steps at this level's resolution, latent → data order.
    public let steps: [any FlowTransform]
    /// The level operating on the half that is not factored out (nil for the last level).
    public let next: MultiScaleLevel?
    /// Channels after the squeeze (4C).
    public let squeezedChannels: Int
    public var eventRank: Int { 3 }

    public init(squeezedChannels: Int, steps: [any FlowTransform], next: MultiScaleLevel?) {
        self.squeezedChannels = squeezedChannels
        self.steps = steps
        self.next = next
    }

    public func forwardAndLogAbsDetJacobian(_ z: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        var h = z.spaceToDepth()
        var total = Tensor.zeros([z.shape[0]])
        if let next {
            let parts = h.split(sizes: [squeezedChannels / 2, squeezedChannels / 2], alongAxis: 1)
            let (b, l) = next.forwardAndLogAbsDetJacobian(parts[1], context: context)
            h = concatenate([parts[0], b], alongAxis: 1)
            total = total + l
        }
        for step in steps {
            let (y, l) = step.forwardAndLogAbsDetJacobian(h, context: context)
            h = y
            total = total + l
        }
        return (h.unspaceToDepth(), total)
    }

    public func inverseAndLogAbsDetJacobian(_ x: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        var h = x.spaceToDepth()
        var total = Tensor.zeros([x.shape[0]])
        for step in steps.reversed() {
            let (z, l) = step.inverseAndLogAbsDetJacobian(h, context: context)
            h = z
            total = total + l
        }
        if let next {
            let parts = h.split(sizes: [squeezedChannels / 2, squeezedChannels / 2], alongAxis: 1)
            let (b, l) = next.inverseAndLogAbsDetJacobian(parts[1], context: context)
            h = concatenate([parts[0], b], alongAxis: 1)
            total = total + l
        }
        return (h.unspaceToDepth(), total)
    }
}
