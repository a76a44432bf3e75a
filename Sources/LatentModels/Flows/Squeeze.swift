import LatentCore
import LatentNN

extension Tensor {
    /// Space-to-depth of images `[B, C, H, W]` → `[B, 4C, H/2, W/2]`: each 2×2 block
    /// becomes 4 channels (RealNVP's squeeze; channel c·4 + 2i + j holds pixel (i, j) of
    /// the block).
    public func spaceToDepth() -> Tensor {
        checkShapes { () throws(ShapeError) in
            guard rank == 4, shape[2] % 2 == 0, shape[3] % 2 == 0 else {
                throw ShapeError(op: "spaceToDepth", "needs [B, C, H, W] with even H and W, got \(shapeString(shape))")
            }
        }
        let (b, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        return reshaped(to: [b, c, h / 2, 2, w / 2, 2]).permuted([0, 1, 3, 5, 2, 4]).reshaped(to: [b, 4 * c, h / 2, w / 2])
    }

    /// Depth-to-space, the inverse of ``spaceToDepth()``: `[B, 4C, H, W]` → `[B, C, 2H, 2W]`.
    public func unspaceToDepth() -> Tensor {
        checkShapes { () throws(ShapeError) in
            guard rank == 4, shape[1] % 4 == 0 else {
                throw ShapeError(op: "depthToSpace", "needs [B, 4C, H, W], got \(shapeString(shape))")
            }
        }
        let (b, c, h, w) = (shape[0], shape[1] / 4, shape[2], shape[3])
        return reshaped(to: [b, c, 2, 2, h, w]).permuted([0, 1, 4, 2, 5, 3]).reshaped(to: [b, c, 2 * h, 2 * w])
    }
}

/// The squeeze as a (volume-preserving) flow layer: the data → latent (inverse)
/// direction squeezes `[B, C, H, W]` → `[B, 4C, H/2, W/2]`, the latent → data (forward)
/// direction unsqueezes.
public final class Squeeze: Module, FlowTransform {
    public var eventRank: Int { 3 }
    public override init() {}

    public func forwardShape(_ shape: [Int]) -> [Int] {
        Array(shape.dropLast(3)) + [shape[shape.count - 3] / 4, shape[shape.count - 2] * 2, shape[shape.count - 1] * 2]
    }
    public func inverseShape(_ shape: [Int]) -> [Int] {
        Array(shape.dropLast(3)) + [shape[shape.count - 3] * 4, shape[shape.count - 2] / 2, shape[shape.count - 1] / 2]
    }
    public func forwardAndLogAbsDetJacobian(_ x: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        (x.unspaceToDepth(), Tensor.zeros([x.shape[0]]))
    }
    public func inverseAndLogAbsDetJacobian(_ y: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        (y.spaceToDepth(), Tensor.zeros([y.shape[0]]))
    }
}
