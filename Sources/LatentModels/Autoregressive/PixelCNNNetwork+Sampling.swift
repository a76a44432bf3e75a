import LatentCore

extension PixelCNNNetwork {
    /// How ``sampleRaster(count:height:width:classes:method:draw:)`` computes each pixel's
    /// output parameters. Both give the same parameters (up to the summation order of the
    /// matrix products) and so the same draws from the same random stream.
    public enum SamplingMethod: String, Sendable, CaseIterable {
        /// The whole network on the whole image, once per pixel (`H·W` full passes).
        case naive
        /// Only what depends on new pixels. Gated: the vertical stack once per row, on the
        /// ``rowsAbove`` rows it can see, then per pixel the horizontal stack and head on the
        /// current row's columns `0 … j` alone. Plain: per pixel the network on the window
        /// of rows `i − R … i` and columns `j − R … j + R` only (`R` = ``rowsAbove``).
        case incremental
    }

    /// Ancestral sampling in raster order: for each pixel `(i, j)`, the output parameters
    /// `[count, P]` at that pixel go to `draw`, which returns the pixel's network input
    /// `[count, Cᵢₙ]` (row-major); unsampled pixels are zeros, which the pixel's own
    /// parameters never see.
    ///
    /// - Parameters:
    ///   - count: Number of images `B`.
    ///   - height, width: The image size `H × W`.
    ///   - classes: Labels `[B]` for a class-conditional network.
    ///   - method: ``SamplingMethod/incremental`` (default) or the naive full passes.
    ///   - draw: Turns the parameters at `(row, column)` into the sampled input values.
    /// - Returns: The network input of the sampled images, `[B, Cᵢₙ, H, W]`.
    public func sampleRaster(count: Int, height: Int, width: Int, classes: IndexTensor? = nil,
                             method: SamplingMethod = .incremental,
                             draw: (_ parameters: Tensor, _ row: Int, _ column: Int) -> [Float]) -> Tensor {
        let channelsIn = inputChannels, plane = height * width, p = outputChannels
        var pixels = [Float](repeating: 0, count: count * channelsIn * plane)
        /// The sampled input so far, rows `rows`.
        func image(rows: Range<Int>) -> Tensor {
            Tensor(shape: [count, channelsIn, height, width], scalars: pixels).sliced(alongAxis: 2, range: rows)
        }
        /// `[B, P]` at `(row, column)` of parameters `[B, P, h, w]`.
        func at(_ t: Tensor, row: Int, column: Int) -> Tensor {
            t.sliced(starts: [0, 0, row, column], sizes: [count, p, 1, 1]).reshaped(to: [count, p])
        }
        return withoutDerivative {
            let biases = classBiasTensors(classes, count: count)
            for i in 0..<height {
                var shifted: [Tensor] = []
                if method == .incremental && architecture == .gated {
                    if i == 0 {
                        shifted = gatedLayers.map { _ in Tensor.zeros([count, 2 * channels, 1, width]) }
                    } else {
                        // a_v at row i − 1 of every layer, which the shift moves to row i.
                        let pre = verticalPreactivations(image(rows: max(0, i - rowsAbove)..<i), biases: biases)
                        shifted = pre.map { $0.sliced(alongAxis: 2, range: ($0.shape[2] - 1)..<$0.shape[2]) }
                    }
                }
                for j in 0..<width {
                    let parameters: Tensor
                    switch (method, architecture) {
                    case (.naive, _):
                        parameters = at(self(image(rows: 0..<height), classes: classes), row: i, column: j)
                    case (.incremental, .gated):
                        let row = image(rows: i..<(i + 1)).sliced(alongAxis: 3, range: 0..<(j + 1))
                        let features = horizontalStack(row, shiftedVertical: shifted.map { $0.sliced(alongAxis: 3, range: 0..<(j + 1)) },
                                                       biases: biases)
                        parameters = at(head(features), row: 0, column: j)
                    case (.incremental, .plain):
                        // The masked cone reaches `rowsAbove` rows up and as many columns either side.
                        let top = max(0, i - rowsAbove), left = max(0, j - rowsAbove), right = min(width, j + rowsAbove + 1)
                        let window = image(rows: top..<(i + 1)).sliced(alongAxis: 3, range: left..<right)
                        parameters = at(head(plainStack(window, biases: biases)), row: i - top, column: j - left)
                    }
                    let values = draw(parameters, i, j)
                    ensure(values.count == count * channelsIn,
                           "PixelCNNNetwork.sampleRaster: draw returned \(values.count) values for \(count) × \(channelsIn)")
                    for b in 0..<count {
                        for c in 0..<channelsIn { pixels[(b * channelsIn + c) * plane + i * width + j] = values[b * channelsIn + c] }
                    }
                }
            }
            return Tensor(shape: [count, channelsIn, height, width], scalars: pixels)
        }
    }
}
