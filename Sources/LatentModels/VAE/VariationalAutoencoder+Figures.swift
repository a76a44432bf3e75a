import Foundation
import LatentCore
import LatentData

extension VariationalAutoencoder {
    /// `[N, C, H, W]` images from `[N, D]` rows, when the features are pictures (or a
    /// square number of values); `nil` otherwise.
    func images(_ rows: Tensor) -> Tensor? {
        let n = rows.shape[0]
        let shape = data.featureShape
        switch shape.count {
        case 3: return rows.reshaped(to: [n] + shape)
        case 2: return rows.reshaped(to: [n, 1] + shape)
        default:
            let side = Int(Double(data.dimension).squareRoot().rounded())
            return side * side == data.dimension && side > 1 ? rows.reshaped(to: [n, 1, side, side]) : nil
        }
    }

    /// The pictures of a VAE: samples, reconstructions, interpolations, latent traversals
    /// and (for `Z = 2`) a scatter of the posterior means coloured by label.
    public func vaeFigures(_ batch: TensorBatch, generator: inout RandomGenerator) -> [ModelFigure] {
        withoutDerivative {
            var figures: [ModelFigure] = []
            let (x, c) = prepare(batch, training: false, generator: &generator)
            let means = posteriorLocation(x, condition: c)
            let n = batch.count
            func decodeMeans(_ z: Tensor, _ condition: Tensor?) -> Tensor {
                decoder.mean(output: decode(z, condition: condition)).clamped(min: 0, max: 1)
            }
            if images(x) != nil {
                let samples = sampleMeans(count: 64, generator: &generator).reshaped(to: [64, data.dimension])
                figures.append(ModelFigure(name: "samples", caption: "Decoder means of 64 draws from the prior",
                                           pixels: imageGrid(images(samples.clamped(min: 0, max: 1))!, rows: 8)))
                // Reconstructions: rows of originals above rows of reconstructions.
                let m = min(n, 32)
                let inputs = x.sliced(alongAxis: 0, range: 0..<m)
                let conditionM = c?.sliced(alongAxis: 0, range: 0..<m)
                let reconstructions = decodeMeans(means.sliced(alongAxis: 0, range: 0..<m), conditionM)
                let perRow = 8
                var tiles: [Tensor] = []
                var start = 0
                while start < m {
                    let end = min(start + perRow, m)
                    tiles.append(inputs.sliced(alongAxis: 0, range: start..<end))
                    tiles.append(reconstructions.sliced(alongAxis: 0, range: start..<end))
                    start = end
                }
                let rows = (m + perRow - 1) / perRow * 2
                figures.append(ModelFigure(name: "reconstructions",
                                           caption: "Inputs (odd rows) and reconstructions from the posterior mean (even rows)",
                                           pixels: imageGrid(images(concatenate(tiles, alongAxis: 0))!, rows: rows)))
                // Interpolations between pairs of posterior means.
                if n >= 2 {
                    let pairs = min(n / 2, 6)
                    let steps = 10
                    var rowsZ: [Tensor] = []
                    var rowsC: [Tensor] = []
                    for p in 0..<pairs {
                        let a = means.sliced(alongAxis: 0, range: (2 * p)..<(2 * p + 1))
                        let b = means.sliced(alongAxis: 0, range: (2 * p + 1)..<(2 * p + 2))
                        for s in 0..<steps {
                            let t = Float(s) / Float(steps - 1)
                            rowsZ.append(a * (1 - t) + b * t)
                            if let c { rowsC.append(c.sliced(alongAxis: 0, range: (2 * p)..<(2 * p + 1))) }
                        }
                    }
                    let decoded = decodeMeans(concatenate(rowsZ, alongAxis: 0), c == nil ? nil : concatenate(rowsC, alongAxis: 0))
                    figures.append(ModelFigure(name: "interpolation",
                                               caption: "Linear interpolation between the posterior means of pairs of inputs",
                                               pixels: imageGrid(images(decoded)!, rows: pairs)))
                }
                // Traversals: one latent dimension at a time from −3 to 3 around the first example's mean.
                let dims = min(latentDimension, 10)
                let steps = 9
                let base = means.sliced(alongAxis: 0, range: 0..<1).scalars
                var traversal: [Float] = []
                for j in 0..<dims {
                    for s in 0..<steps {
                        var z = base
                        z[j] = -3 + 6 * Float(s) / Float(steps - 1)
                        traversal += z
                    }
                }
                let count = dims * steps
                let condition = c.map { $0.sliced(alongAxis: 0, range: 0..<1).broadcast(to: [count, conditionDimension]) }
                let decoded = decodeMeans(Tensor(shape: [count, latentDimension], scalars: traversal), condition)
                figures.append(ModelFigure(name: "traversals",
                                           caption: "Latent traversals: row j varies z_j from −3 to 3 around the first input's posterior mean",
                                           pixels: imageGrid(images(decoded)!, rows: dims)))
            }
            if latentDimension == 2 {
                figures.append(ModelFigure(name: "posterior-means",
                                           caption: "Posterior means of the batch in the 2-D latent space ([−4, 4]², coloured by label)",
                                           pixels: latentScatter(means, labels: batch.labels)))
            }
            return figures
        }
    }
}

/// A `[3, size, size]` picture of 2-D points in `[−extent, extent]²`, each a 3×3 dot coloured
/// by its label (white without labels), on black.
public func latentScatter(_ points: Tensor, labels: IndexTensor?, size: Int = 256, extent: Float = 4) -> Tensor {
    ensure(points.rank == 2 && points.shape[1] == 2, "latentScatter: expected [N, 2] points, got \(points.shape)")
    let palette: [(Float, Float, Float)] = [
        (0.12, 0.47, 0.71), (1.0, 0.5, 0.05), (0.17, 0.63, 0.17), (0.84, 0.15, 0.16), (0.58, 0.4, 0.74),
        (0.55, 0.34, 0.29), (0.89, 0.47, 0.76), (0.5, 0.5, 0.5), (0.74, 0.74, 0.13), (0.09, 0.75, 0.81),
    ]
    let values = points.scalars
    let n = points.shape[0]
    var pixels = [Float](repeating: 0, count: 3 * size * size)
    for i in 0..<n {
        let px = Int(((values[2 * i] + extent) / (2 * extent) * Float(size - 1)).rounded())
        let py = Int(((extent - values[2 * i + 1]) / (2 * extent) * Float(size - 1)).rounded())
        let color = labels.map { palette[Int($0.scalars[i]) % palette.count] } ?? (1, 1, 1)
        for dy in -1...1 {
            for dx in -1...1 {
                let (u, v) = (px + dx, py + dy)
                guard u >= 0, u < size, v >= 0, v < size else { continue }
                pixels[v * size + u] = color.0
                pixels[size * size + v * size + u] = color.1
                pixels[2 * size * size + v * size + u] = color.2
            }
        }
    }
    return Tensor(shape: [3, size, size], scalars: pixels)
}
