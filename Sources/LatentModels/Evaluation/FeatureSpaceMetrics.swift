import Foundation
import LatentCore

/// Sample-quality metrics of generated images in the feature space of a classifier (a
/// ``FeatureNetwork``): what a GAN, which has no likelihood, is measured and selected by.
///
/// - **Fréchet distance** (Heusel et al. 2017) between Gaussians fitted to the two feature
///   sets: `FD = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}`.
/// - **Precision and recall** (Kynkäänniemi et al. 2019) with k-nearest-neighbour balls:
///   precision is the fraction of generated points inside the ball of some real point
///   (radius: the distance to its k-th nearest real neighbour), recall the fraction of real
///   points inside the ball of some generated point.
/// - **Density and coverage** (Naeem et al. 2020): density is `(1/kM) Σⱼ Σᵢ 1[Yⱼ ∈ B(Xᵢ)]`
///   (how many real balls each generated point falls into, over k; about 1 when the two sets
///   match), coverage the fraction of real balls that contain at least one generated point.
/// - **The Inception-score analogue** `exp(E_x KL(p(y|x) ‖ p(y)))` (Salimans et al. 2016)
///   with the classifier's class probabilities: between 1 and the number of classes, high
///   when each sample is confidently one class and the classes are balanced.
///
/// These are *not* Inception-FID or the Inception score: Inception weights cannot be
/// fetched here, and a feature space trained on the dataset itself is sharper for it (and
/// its numbers are not comparable with published FIDs). Compare a model with the floor
/// measured by the same network between the training and the test images.
public enum FeatureSpaceMetrics {
    /// The neighbour count of precision, recall, density and coverage (k = 5 as in both papers).
    public static let defaultNeighbours = 5

    /// The Fréchet distance between Gaussians fitted to two feature sets `[N, F]` and `[M, F]`.
    public static func frechetDistance(_ a: Tensor, _ b: Tensor) -> Double {
        ensure(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[1] && a.shape[0] > 1 && b.shape[0] > 1,
               "frechetDistance: needs two feature sets [N, F], [M, F] with N, M ≥ 2, got \(a.shape) and \(b.shape)")
        let (m1, c1) = meanAndCovariance(a), (m2, c2) = meanAndCovariance(b)
        return frechetDistance(mean1: m1, covariance1: c1, mean2: m2, covariance2: c2)
    }

    /// The Fréchet distance between `N(μ₁, Σ₁)` and `N(μ₂, Σ₂)` (covariances row-major `F × F`,
    /// symmetric positive semi-definite). The trace of the matrix square root is computed
    /// from symmetric eigendecompositions: `S = Σ₁^{1/2}`, then `tr (S Σ₂ S)^{1/2} = Σ √λᵢ`.
    public static func frechetDistance(mean1: [Double], covariance1: [Double], mean2: [Double], covariance2: [Double]) -> Double {
        let f = mean1.count
        ensure(mean2.count == f && covariance1.count == f * f && covariance2.count == f * f,
               "frechetDistance: mismatched sizes (\(mean1.count), \(mean2.count), \(covariance1.count), \(covariance2.count))")
        let meanTerm = zip(mean1, mean2).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let trace1 = (0..<f).reduce(0.0) { $0 + covariance1[$1 * f + $1] }
        let trace2 = (0..<f).reduce(0.0) { $0 + covariance2[$1 * f + $1] }
        let root1 = SymmetricEigen(covariance1, size: f).function { $0 > 0 ? $0.squareRoot() : 0 }
        let product = multiply(multiply(root1, covariance2, f), root1, f)
        let symmetric = (0..<(f * f)).map { 0.5 * (product[$0] + product[($0 % f) * f + $0 / f]) }
        let crossTrace = SymmetricEigen(symmetric, size: f).values.reduce(0.0) { $0 + ($1 > 0 ? $1.squareRoot() : 0) }
        return max(meanTerm + trace1 + trace2 - 2 * crossTrace, 0)
    }

    /// Mean and (maximum-likelihood-unbiased, `1/(N−1)`) covariance of `[N, F]` features, in Double.
    public static func meanAndCovariance(_ x: Tensor) -> (mean: [Double], covariance: [Double]) {
        let n = x.shape[0], f = x.shape[1]
        let v = x.scalars
        var mean = [Double](repeating: 0, count: f)
        for i in 0..<n { for j in 0..<f { mean[j] += Double(v[i * f + j]) } }
        mean = mean.map { $0 / Double(n) }
        var covariance = [Double](repeating: 0, count: f * f)
        var row = [Double](repeating: 0, count: f)
        for i in 0..<n {
            for j in 0..<f { row[j] = Double(v[i * f + j]) - mean[j] }
            for j in 0..<f where row[j] != 0 {
                let rj = row[j]
                for k in j..<f { covariance[j * f + k] += rj * row[k] }
            }
        }
        let scale = 1 / Double(n - 1)
        for j in 0..<f { for k in j..<f { covariance[j * f + k] *= scale; covariance[k * f + j] = covariance[j * f + k] } }
        return (mean, covariance)
    }

    /// Precision, recall, density and coverage of generated features `fake` `[M, F]` against
    /// real features `real` `[N, F]` with `k`-nearest-neighbour balls (see the type).
    public static func precisionRecallDensityCoverage(real: Tensor, fake: Tensor, neighbours k: Int = defaultNeighbours)
        -> (precision: Double, recall: Double, density: Double, coverage: Double) {
        ensure(real.rank == 2 && fake.rank == 2 && real.shape[1] == fake.shape[1],
               "precisionRecallDensityCoverage: needs [N, F] and [M, F], got \(real.shape) and \(fake.shape)")
        let n = real.shape[0], m = fake.shape[0]
        ensure(k >= 1 && n > k && m > k, "precisionRecallDensityCoverage: needs more than k = \(k) points in each set, got \(n) and \(m)")
        return precisionRecallDensityCoverage(real: real, realRadii: neighbourRadii(real, k: k), fake: fake, neighbours: k)
    }

    /// The same, with the real points' k-NN radii already computed (``neighbourRadii(_:k:)``),
    /// for scoring many sample sets against one real set.
    static func precisionRecallDensityCoverage(real: Tensor, realRadii: [Float], fake: Tensor, neighbours k: Int)
        -> (precision: Double, recall: Double, density: Double, coverage: Double) {
        let n = real.shape[0], m = fake.shape[0]
        let fakeRadii = neighbourRadii(fake, k: k)
        var inBalls = [Int](repeating: 0, count: m)     // real balls containing fake j
        var covered = [Bool](repeating: false, count: n) // real ball i contains some fake
        var recalled = [Bool](repeating: false, count: n) // real i inside some fake ball
        forEachDistanceBlock(fake, real) { rowStart, rows, distances in
            for r in 0..<rows {
                let j = rowStart + r
                for i in 0..<n {
                    let d = distances[r * n + i]
                    if d <= realRadii[i] { inBalls[j] += 1; covered[i] = true }
                    if d <= fakeRadii[j] { recalled[i] = true }
                }
            }
        }
        let precision = Double(inBalls.filter { $0 > 0 }.count) / Double(m)
        let recall = Double(recalled.filter { $0 }.count) / Double(n)
        let density = Double(inBalls.reduce(0, +)) / Double(k * m)
        let coverage = Double(covered.filter { $0 }.count) / Double(n)
        return (precision, recall, density, coverage)
    }

    /// The Inception-score analogue `exp(E_x KL(p(y|x) ‖ p(y)))` of class logits `[N, K]`.
    public static func inceptionScore(logits: Tensor) -> Double {
        ensure(logits.rank == 2 && logits.shape[0] > 0, "inceptionScore: needs logits [N, K], got \(logits.shape)")
        let n = logits.shape[0], k = logits.shape[1]
        let logP = logits.logSoftmax(alongAxis: 1).scalars
        var marginal = [Double](repeating: 0, count: k)
        for i in 0..<n { for c in 0..<k { marginal[c] += exp(Double(logP[i * k + c])) / Double(n) } }
        let logMarginal = marginal.map { log(max($0, 1e-300)) }
        var kl = 0.0
        for i in 0..<n {
            for c in 0..<k {
                let lp = Double(logP[i * k + c])
                kl += exp(lp) * (lp - logMarginal[c])
            }
        }
        return exp(kl / Double(n))
    }

    /// The distance from each point of `x` `[N, F]` to its `k`-th nearest other point.
    static func neighbourRadii(_ x: Tensor, k: Int) -> [Float] {
        let n = x.shape[0]
        var radii = [Float](repeating: 0, count: n)
        forEachDistanceBlock(x, x) { rowStart, rows, distances in
            var nearest = [Float](repeating: 0, count: k + 1)
            for r in 0..<rows {
                // The k + 1 smallest distances of the row (the point itself is one of them, at 0).
                for t in 0...k { nearest[t] = .infinity }
                for i in 0..<n {
                    let d = distances[r * n + i]
                    if d < nearest[k] {
                        var t = k
                        while t > 0 && nearest[t - 1] > d { nearest[t] = nearest[t - 1]; t -= 1 }
                        nearest[t] = d
                    }
                }
                radii[rowStart + r] = nearest[k]
            }
        }
        return radii
    }

    /// Euclidean distances between the rows of `a` `[M, F]` and of `b` `[N, F]`, handed to
    /// `body` a block of rows of `a` at a time (`distances[r·N + i]` for row `rowStart + r`),
    /// computed as `√max(‖a‖² + ‖b‖² − 2a·b, 0)` with one matrix product per block.
    static func forEachDistanceBlock(_ a: Tensor, _ b: Tensor, blockRows: Int = 512,
                                     _ body: (_ rowStart: Int, _ rows: Int, _ distances: [Float]) -> Void) {
        let m = a.shape[0], n = b.shape[0], f = a.shape[1]
        let av = a.scalars, bv = b.scalars
        let bNorms = (0..<n).map { i in (0..<f).reduce(Float(0)) { $0 + bv[i * f + $1] * bv[i * f + $1] } }
        var start = 0
        while start < m {
            let rows = min(blockRows, m - start)
            let block = a.sliced(alongAxis: 0, range: start..<(start + rows))
            let products = matmul(block, b, transposeB: true).scalars
            var distances = [Float](repeating: 0, count: rows * n)
            for r in 0..<rows {
                let base = (start + r) * f
                var aNorm: Float = 0
                for j in 0..<f { aNorm += av[base + j] * av[base + j] }
                for i in 0..<n { distances[r * n + i] = max(aNorm + bNorms[i] - 2 * products[r * n + i], 0).squareRoot() }
            }
            body(start, rows, distances)
            start += rows
        }
    }

    /// `a · b` for row-major `f × f` matrices.
    static func multiply(_ a: [Double], _ b: [Double], _ f: Int) -> [Double] {
        var c = [Double](repeating: 0, count: f * f)
        for i in 0..<f {
            for t in 0..<f {
                let ait = a[i * f + t]
                if ait == 0 { continue }
                for j in 0..<f { c[i * f + j] += ait * b[t * f + j] }
            }
        }
        return c
    }
}

/// The eigendecomposition `A = V diag(λ) Vᵀ` of a real symmetric matrix by the cyclic
/// Jacobi method (Golub & Van Loan, §8.5), in Double: accurate to machine precision for the
/// small covariance matrices of feature statistics (F ≲ 512).
@_spi(Testing) public struct SymmetricEigen {
    /// Eigenvalues λ (unsorted).
    public let values: [Double]
    /// Eigenvectors: column `j` of the row-major `F × F` matrix belongs to `values[j]`.
    public let vectors: [Double]
    public let size: Int

    public init(_ matrix: [Double], size n: Int) {
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        let scale = max(a.reduce(0.0) { $0 + $1 * $1 }, Double.leastNormalMagnitude)
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<max(p + 1, n) { off += 2 * a[p * n + q] * a[p * n + q] } }
            if off <= 1e-30 * scale { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) {
                    let apq = a[p * n + q]
                    if abs(apq) < 1e-300 { continue }
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    // A ← Jᵀ A J on rows/columns p and q.
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        values = (0..<n).map { a[$0 * n + $0] }
        vectors = v
        size = n
    }

    /// `V diag(g(λ)) Vᵀ`, row-major.
    public func function(_ g: (Double) -> Double) -> [Double] {
        let n = size
        let transformed = values.map(g)
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var sum = 0.0
                for k in 0..<n { sum += vectors[i * n + k] * transformed[k] * vectors[j * n + k] }
                out[i * n + j] = sum
                out[j * n + i] = sum
            }
        }
        return out
    }
}
