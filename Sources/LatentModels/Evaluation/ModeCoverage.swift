import Foundation
import LatentCore
import LatentData

/// Mode-collapse metrics of samples from a model of an equal mixture of isotropic 2-D
/// Gaussians (`8gaussians`, `25gaussians`), after VEEGAN (Srivastava et al. 2017, §5) and
/// PacGAN (Lin et al. 2018, §5):
///
/// - a sample is of *high quality* when it lies within 3σ of some mode (the mixture's
///   common standard deviation σ); it is assigned to the nearest mode;
/// - a mode is *covered* when at least 1 % of the samples are high-quality samples assigned
///   to it (with the standard 10,000 samples: 100);
/// - `mode-kl` is the reverse KL divergence KL(p ‖ u) = Σₖ pₖ log(K pₖ) between the
///   histogram p of the high-quality samples over the K modes and the uniform distribution
///   u (0 when every mode is equally hit, log K when all fall on one mode; log K also when
///   no sample is of high quality).
public struct ModeCoverage: Sendable, Equatable {
    /// Metric names: `modes-covered` (higher is better), `high-quality` (fraction), `mode-kl` (nats).
    public static let modesCoveredName = "modes-covered"
    public static let highQualityName = "high-quality"
    public static let metricNames = [modesCoveredName, highQualityName, "mode-kl"]
    /// The number of samples the benchmark draws.
    public static let standardSampleCount = 10_000

    /// High-quality samples assigned to each mode.
    public var counts: [Int]
    /// Number of modes with at least `minimumFraction` of the samples.
    public var modesCovered: Int
    /// Fraction of samples within `radius`·σ of a mode.
    public var highQualityFraction: Double
    /// KL(histogram of high-quality samples over the modes ‖ uniform), in nats.
    public var reverseKL: Double

    /// - Parameters:
    ///   - samples: Points `[N, 2]`.
    ///   - modes: The mixture.
    ///   - minimumFraction: Share of all samples a mode needs to count as covered.
    ///   - radius: High quality means within `radius` standard deviations of a mode.
    public init(samples: Tensor, modes: GaussianModes, minimumFraction: Double = 0.01, radius: Double = 3) {
        ensure(samples.rank == 2 && samples.shape[1] == 2, "ModeCoverage: needs points [N, 2], got \(samples.shape)")
        let n = samples.shape[0], p = samples.scalars
        let limit = radius * modes.standardDeviation
        var counts = [Int](repeating: 0, count: modes.centres.count)
        for i in 0..<n {
            let x = SIMD2(Double(p[2 * i]), Double(p[2 * i + 1]))
            var best = 0, bestDistance = Double.infinity
            for (k, c) in modes.centres.enumerated() {
                let d = ((x - c) * (x - c)).sum()
                if d < bestDistance { (best, bestDistance) = (k, d) }
            }
            if bestDistance.squareRoot() <= limit { counts[best] += 1 }
        }
        let highQuality = counts.reduce(0, +), k = Double(counts.count)
        self.counts = counts
        modesCovered = counts.filter { n > 0 && Double($0) >= minimumFraction * Double(n) }.count
        highQualityFraction = n == 0 ? 0 : Double(highQuality) / Double(n)
        reverseKL = highQuality == 0 ? log(k) : counts.reduce(0.0) { sum, c in
            guard c > 0 else { return sum }
            let q = Double(c) / Double(highQuality)
            return sum + q * log(k * q)
        }
    }

    /// The metrics by name.
    public var metrics: [String: Double] {
        [Self.modesCoveredName: Double(modesCovered), "high-quality": highQualityFraction, "mode-kl": reverseKL]
    }
}
