import Foundation

extension DataDescription {
    /// Bits per dimension of a negative log-likelihood of one example, in nats:
    /// `nats / (D · ln 2)` with `D` = ``dimension``.
    ///
    /// **Convention.** Models report NLL in nats per example, for image data
    /// (``Kind/image(levels:)`` with `L` levels, stored in [0, 1]) *on the discrete scale*:
    /// either `−log P(v)` of the integer pixel values `v ∈ {0, …, L−1}` (discrete
    /// likelihoods: Bernoulli on binarised data, categorical, discretised logistic), or, for
    /// continuous densities fitted to uniformly dequantised data `y = (v + u) / L`, the
    /// density on the `[0, L)` scale, `−log p(y) + D log L` — an upper bound on the discrete
    /// NLL. No further adjustment is made here, so bits per dimension of 8-bit images are
    /// comparable with the literature (e.g. RealNVP's 3.49 on CIFAR-10). For continuous
    /// data it is the same formula applied to the density of the data as given.
    public func bitsPerDimension(nats: Double) -> Double {
        nats / (Double(dimension) * Foundation.log(2.0))
    }
}
