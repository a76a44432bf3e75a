import Foundation
import LatentCore

/// A 2-D density evaluated on a regular grid: for heat maps and for checking that a
/// learned density integrates to 1.
///
/// Cell centres run over `xRange` left to right and `yRange` top (largest y) to bottom,
/// so that `logDensity[row, column]` is laid out as an image.
public struct DensityGrid {
    /// log p at the cell centres, `[resolution, resolution]` (rows: y descending).
    public let logDensity: Tensor
    public let xRange: ClosedRange<Float>
    public let yRange: ClosedRange<Float>
    public let resolution: Int

    /// Evaluates `logProb` (taking points `[N, 2]`, returning `[N]`) on the grid, in
    /// chunks of at most `chunkSize` points, without recording gradients.
    ///
    /// - Parameters:
    ///   - xRange: Horizontal extent.
    ///   - yRange: Vertical extent.
    ///   - resolution: Cells per side.
    ///   - chunkSize: Points per `logProb` call.
    ///   - logProb: The log-density.
    public init(xRange: ClosedRange<Float>, yRange: ClosedRange<Float>, resolution: Int = 200, chunkSize: Int = 4096,
                logProb: (Tensor) -> Tensor) {
        ensure(resolution >= 2, "DensityGrid: resolution must be at least 2, got \(resolution)")
        self.xRange = xRange
        self.yRange = yRange
        self.resolution = resolution
        let n = resolution
        let dx = (xRange.upperBound - xRange.lowerBound) / Float(n)
        let dy = (yRange.upperBound - yRange.lowerBound) / Float(n)
        var points = [Float](repeating: 0, count: 2 * n * n)
        for row in 0..<n {
            for column in 0..<n {
                points[2 * (row * n + column)] = xRange.lowerBound + (Float(column) + 0.5) * dx
                points[2 * (row * n + column) + 1] = yRange.upperBound - (Float(row) + 0.5) * dy
            }
        }
        var values: [Float] = []
        values.reserveCapacity(n * n)
        var start = 0
        while start < n * n {
            let count = min(chunkSize, n * n - start)
            let chunk = Tensor(shape: [count, 2], scalars: Array(points[(2 * start)..<(2 * (start + count))]))
            values += withoutDerivative { logProb(chunk) }.scalars
            start += count
        }
        self.logDensity = Tensor(shape: [n, n], scalars: values)
    }

    /// Area of one cell.
    public var cellArea: Double {
        Double(xRange.upperBound - xRange.lowerBound) * Double(yRange.upperBound - yRange.lowerBound)
            / Double(resolution * resolution)
    }

    /// ∫ p over the grid's rectangle by the midpoint rule (≈ 1 for a normalised density
    /// whose mass lies inside the rectangle).
    public var integral: Double {
        logDensity.scalars.reduce(0.0) { $0 + exp(Double($1)) } * cellArea
    }

    /// The density as an RGB heat map `[3, resolution, resolution]` in [0, 1]: p / max p
    /// through a viridis-like colour map (dark blue → green → yellow).
    public var heatMap: Tensor {
        let values = logDensity.scalars
        let peak = values.max() ?? 0
        let anchors: [(Float, Float, Float)] = [
            (0.267, 0.005, 0.329), (0.283, 0.141, 0.458), (0.254, 0.265, 0.530), (0.207, 0.372, 0.553),
            (0.164, 0.471, 0.558), (0.128, 0.567, 0.551), (0.135, 0.659, 0.518), (0.267, 0.749, 0.441),
            (0.478, 0.821, 0.318), (0.741, 0.873, 0.150), (0.993, 0.906, 0.144),
        ]
        let n = values.count
        return Tensor(shape: [3, resolution, resolution]) { p, _ in
            for i in 0..<n {
                let t = min(max(exp(values[i] - peak), 0), 1) * Float(anchors.count - 1)
                let k = min(Int(t), anchors.count - 2)
                let f = t - Float(k)
                let a = anchors[k], b = anchors[k + 1]
                p[i] = a.0 + f * (b.0 - a.0)
                p[n + i] = a.1 + f * (b.1 - a.1)
                p[2 * n + i] = a.2 + f * (b.2 - a.2)
            }
        }
    }
}
