/// The family of the VAE's amortised posterior `q(z | x)`.
public enum PosteriorKind: String, Sendable, CaseIterable {
    /// `N(μ, diag σ²)`.
    case diagonal
    /// `N(μ, L Lᵀ)` with a Cholesky factor from the encoder (``FullCovarianceGaussian``).
    case full
    /// A diagonal Gaussian through amortised planar flows (Rezende & Mohamed, 2015).
    case planar
    /// A diagonal Gaussian through inverse autoregressive flow steps (Kingma et al., 2016).
    case iaf

    /// Whether `q` is a ``FlowPosterior`` (Monte-Carlo KL; no DReG, no VampPrior).
    public var isFlow: Bool { self == .planar || self == .iaf }
}
