import LatentCore
import LatentData

/// An image grid of `inputs` and `reconstructions` (both `[N, C, H, W]`): rows of `perRow`
/// inputs, each followed by the row of their reconstructions.
public func reconstructionGrid(inputs: Tensor, reconstructions: Tensor, perRow: Int = 8) -> Tensor {
    ensure(inputs.shape == reconstructions.shape && inputs.rank == 4,
           "reconstructionGrid: expected equal [N, C, H, W] shapes, got \(shapeString(inputs.shape)) and \(shapeString(reconstructions.shape))")
    let n = inputs.shape[0]
    var tiles: [Tensor] = []
    for start in stride(from: 0, to: n, by: perRow) {
        let end = min(start + perRow, n)
        tiles.append(inputs.sliced(alongAxis: 0, range: start..<end))
        tiles.append(reconstructions.sliced(alongAxis: 0, range: start..<end))
    }
    return imageGrid(concatenate(tiles, alongAxis: 0), rows: (n + perRow - 1) / perRow * 2)
}
