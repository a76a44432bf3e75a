import LatentCore

/// Batch normalisation over `[N, C, H, W]` (PyTorch's `nn.BatchNorm2d`; Ioffe & Szegedy
/// 2015). See ``BatchNormLayer`` for the statistics and state names.
public final class BatchNorm2d: BatchNormLayer {
    override class var layerName: String { "BatchNorm2d" }
    override class var inputLayout: (ranks: Set<Int>, description: String) { ([4], "[N, C, H, W]") }
}
