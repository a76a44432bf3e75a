import Foundation
import LatentCore

/// Distances between two sets of points that need no density: what a model without a
/// likelihood (a GAN) is validated and selected by.
public enum SampleDistance {
    /// The sliced Wasserstein-1 distance between two equal-size point sets `[N, D]`: the
    /// mean over `projections` random unit directions u of W₁(u·a, u·b), where the 1-D
    /// distance of two sorted samples is `(1/N) Σᵢ |a₍ᵢ₎ − b₍ᵢ₎|` (Rabin et al. 2011;
    /// Deshpande et al. 2018). For `D = 1` it is the exact W₁ between the empirical
    /// distributions, whatever `projections` is.
    public static func slicedWasserstein(_ a: Tensor, _ b: Tensor, projections: Int = 64,
                                         generator: inout RandomGenerator) -> Double {
        ensure(a.rank == 2 && a.shape == b.shape, "slicedWasserstein: needs two [N, D] sets of one shape, got \(a.shape) and \(b.shape)")
        let n = a.shape[0], d = a.shape[1]
        guard n > 0 else { return 0 }
        let directions: [[Float]]
        if d == 1 {
            directions = [[1]]
        } else {
            let raw = generator.normal([projections, d]).scalars
            directions = (0..<projections).map { p in
                let row = Array(raw[(p * d)..<((p + 1) * d)])
                let norm = max(row.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
                return row.map { $0 / norm }
            }
        }
        let av = a.scalars, bv = b.scalars
        var total = 0.0
        for u in directions {
            func projected(_ v: [Float]) -> [Double] {
                (0..<n).map { i in (0..<d).reduce(0.0) { $0 + Double(v[i * d + $1]) * Double(u[$1]) } }.sorted()
            }
            let pa = projected(av), pb = projected(bv)
            total += zip(pa, pb).reduce(0.0) { $0 + abs($1.0 - $1.1) } / Double(n)
        }
        return total / Double(directions.count)
    }

    /// Per-dimension means and standard deviations of `[N, D]` points.
    public static func moments(_ x: Tensor) -> (mean: [Double], standardDeviation: [Double]) {
        let n = x.shape[0], d = x.shape[1], v = x.scalars
        var mean = [Double](repeating: 0, count: d), square = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { let s = Double(v[i * d + j]); mean[j] += s; square[j] += s * s } }
        let count = Double(max(n, 1))
        mean = mean.map { $0 / count }
        let std = (0..<d).map { (max(square[$0] / count - mean[$0] * mean[$0], 0)).squareRoot() }
        return (mean, std)
    }
}
