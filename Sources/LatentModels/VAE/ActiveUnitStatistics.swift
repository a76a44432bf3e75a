import LatentCore

/// The active-unit count of Burda et al. (2016, §5.2) accumulated over an evaluation split
/// through the trainer's sums: dimension `j` is active when `Var_x(E_q[z_j | x]) > 10⁻²`.
///
/// A batch contributes `Σᵢ μᵢⱼ` and `Σᵢ μᵢⱼ²` of its posterior means under hidden keys
/// (`_<name>.mean.j`, `_<name>.square.j`); after the trainer divides by N,
/// `Var_j = E[μⱼ²] − E[μⱼ]²` (the population variance, as ``activeUnits(posteriorMeans:threshold:)``).
public enum ActiveUnitStatistics {
    /// The variance threshold of the paper.
    public static let threshold = 1e-2

    /// Per-dimension sums of `μ` and `μ²` of `[B, Z]` posterior means, under hidden keys
    /// derived from `name` (the reported metric).
    public static func sums(posteriorMeans means: Tensor, name: String = "active-units") -> [String: Double] {
        ensure(means.rank == 2, "ActiveUnitStatistics: expected [B, Z] posterior means, got \(means.shape)")
        let values = withoutDerivative { means.detached().scalars }
        let (b, z) = (means.shape[0], means.shape[1])
        var out: [String: Double] = [:]
        for j in 0..<z {
            var sum = 0.0, square = 0.0
            for i in 0..<b {
                let v = Double(values[i * z + j])
                sum += v
                square += v * v
            }
            out["_\(name).mean.\(j)"] = sum
            out["_\(name).square.\(j)"] = square
        }
        return out
    }

    /// Replaces the hidden per-dimension means of `name` in `means` by the count of active
    /// dimensions under `name`; other hidden keys are left for the caller.
    public static func finalize(_ means: [String: Double], name: String = "active-units") -> [String: Double] {
        var out = means
        var count = 0
        var j = 0
        while let mean = means["_\(name).mean.\(j)"], let square = means["_\(name).square.\(j)"] {
            if square - mean * mean > threshold { count += 1 }
            out["_\(name).mean.\(j)"] = nil
            out["_\(name).square.\(j)"] = nil
            j += 1
        }
        if j > 0 { out[name] = Double(count) }
        return out
    }
}
