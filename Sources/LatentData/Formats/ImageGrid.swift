import LatentCore

/// Tiles a batch of images into one picture, row by row (as torchvision's `make_grid`).
///
/// Image `i` goes to grid row `i / columns`, column `i % columns`, with
/// `columns = ⌈N / rows⌉`; `padding` pixels of `padValue` separate the images and frame
/// the grid, so the result is `[C, rows·(H + p) + p, columns·(W + p) + p]`. Cells past
/// the last image are left at `padValue`.
///
/// - Parameters:
///   - images: `[N, C, H, W]` or `[N, H, W]` (then C = 1).
///   - rows: Grid rows; by default `⌈√N⌉`.
///   - padding: Pixels between and around images.
///   - padValue: Value of the padding pixels.
/// - Returns: A `[C, height, width]` image, ready for ``PNG/write(_:to:range:)-(Tensor,_,_)``.
public func imageGrid(_ images: Tensor, rows: Int? = nil, padding: Int = 2, padValue: Float = 0) -> Tensor {
    ensure(images.rank == 3 || images.rank == 4,
                 "imageGrid: expected images of shape [N, C, H, W] or [N, H, W], got \(images.shape)")
    let n = images.shape[0]
    ensure(n > 0, "imageGrid: no images (shape \(images.shape))")
    ensure(padding >= 0, "imageGrid: negative padding \(padding)")
    let (c, h, w) = images.rank == 4 ? (images.shape[1], images.shape[2], images.shape[3]) : (1, images.shape[1], images.shape[2])
    let gridRows = rows ?? Int(Double(n).squareRoot().rounded(.up))
    ensure(gridRows > 0, "imageGrid: rows must be positive, got \(gridRows)")
    let columns = (n + gridRows - 1) / gridRows
    let height = gridRows * (h + padding) + padding
    let width = columns * (w + padding) + padding
    let source = images.detached().storage.pointer
    return Tensor(shape: [c, height, width]) { p, count in
        p.update(repeating: padValue, count: count)
        for i in 0..<n {
            let top = padding + (i / columns) * (h + padding)
            let left = padding + (i % columns) * (w + padding)
            for k in 0..<c {
                for y in 0..<h {
                    (p + (k * height + top + y) * width + left)
                        .update(from: source + ((i * c + k) * h + y) * w, count: w)
                }
            }
        }
    }
}
