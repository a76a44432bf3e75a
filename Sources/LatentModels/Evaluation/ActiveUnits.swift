import LatentCore

/// The number of active latent units (Burda et al., 2016, §5.2): dimension `j` is active
/// when the variance over the data of its posterior mean exceeds `threshold`,
/// `A_j = Cov_x(E_{q(z|x)}[z_j]) > 10⁻²`.
///
/// - Parameters:
///   - posteriorMeans: `[N, Z]` posterior means of N examples.
///   - threshold: Variance threshold (10⁻² as in the paper).
/// - Returns: The count of active dimensions and the per-dimension variances.
public func activeUnits(posteriorMeans: Tensor, threshold: Float = 1e-2) -> (count: Int, variances: [Float]) {
    ensure(posteriorMeans.rank == 2 && posteriorMeans.shape[0] > 1,
                 "activeUnits: expected [N, Z] posterior means with N > 1, got \(posteriorMeans.shape)")
    let variances = withoutDerivative { posteriorMeans.variance(alongAxis: 0).scalars }
    return (variances.filter { $0 > threshold }.count, variances)
}
