import LatentCore

/// Batch normalisation over `[N, C]` or `[N, C, L]` (PyTorch's `nn.BatchNorm1d`; Ioffe &
/// Szegedy 2015). See ``BatchNormLayer`` for the statistics and state names.
public final class BatchNorm1d: BatchNormLayer {
    override class var layerName: String { "BatchNorm1d" }
    override class var inputLayout: (ranks: Set<Int>, description: String) { ([2, 3], "[N, C] or [N, C, L]") }
}
