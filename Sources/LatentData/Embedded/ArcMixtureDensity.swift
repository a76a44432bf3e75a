import Foundation

/// The density of points spread uniformly along circular arcs plus isotropic Gaussian
/// noise, used for ``ToyDensity/twoMoons`` and ``ToyDensity/circles``.
///
/// For one arc with centre `m`, radius `r`, angles `[s, s + L]`, noise `σ` and weight `w`,
/// writing `d = |x − m|`, `ψ` for the angle of `x − m` and `κ = r d / σ²`:
///
///     p(x) = w / L · ∫ N(x; m + r (cos φ, sin φ), σ² I) dφ
///          = w / (2π σ² L) · exp(−(d − r)² / 2σ²) · ∫ exp(κ (cos(φ − ψ) − 1)) dφ.
///
/// For a full circle the integral is `2π e^{−κ} I₀(κ)`; for an arc it has no closed form
/// and is computed by the midpoint rule with 128 nodes on each part of the arc where the
/// integrand exceeds `e^{−40}` (the window `|φ − ψ| ≤ arccos(1 − 40/κ)`), a relative error
/// below 10⁻³ everywhere and far below it away from the arcs' ends.
struct ArcMixtureDensity: Sendable {
    struct Arc: Sendable {
        var center: (Double, Double)
        var radius: Double
        var start: Double
        var length: Double
        var weight: Double
    }

    let arcs: [Arc]
    let sigma: Double
    static let nodes = 128

    func logDensity(_ x: Double, _ y: Double) -> Double {
        var terms: [Double] = []
        let s2 = sigma * sigma
        for arc in arcs {
            let dx = x - arc.center.0, dy = y - arc.center.1
            let d = (dx * dx + dy * dy).squareRoot()
            let psi = atan2(dy, dx)
            let kappa = arc.radius * d / s2
            let delta = kappa > 20 ? acos(1 - 40 / kappa) : Double.pi
            let base = -(d - arc.radius) * (d - arc.radius) / (2 * s2) - log(2 * Double.pi * s2) + log(arc.weight / arc.length)
            // Place ψ nearest the arc's middle, then intersect the window (and its copies a
            // turn away) with the arc.
            let mid = arc.start + arc.length / 2
            let centre = mid + remainder(psi - mid, 2 * Double.pi)
            var integralTerms: [Double] = []
            for turn in -1...1 {
                let c = centre + Double(turn) * 2 * Double.pi
                let lo = max(c - delta, arc.start), hi = min(c + delta, arc.start + arc.length)
                guard hi > lo else { continue }
                let h = (hi - lo) / Double(Self.nodes)
                var m = -Double.infinity
                var values = [Double](repeating: 0, count: Self.nodes)
                for k in 0..<Self.nodes {
                    let phi = lo + (Double(k) + 0.5) * h
                    values[k] = kappa * (cos(phi - psi) - 1)
                    m = max(m, values[k])
                }
                var sum = 0.0
                for v in values { sum += exp(v - m) }
                integralTerms.append(m + log(sum * h))
            }
            guard !integralTerms.isEmpty else { continue }
            terms.append(base + logSumExp(integralTerms))
        }
        return terms.isEmpty ? -.infinity : logSumExp(terms)
    }
}

/// `log Σ exp(vᵢ)`, stable.
func logSumExp(_ values: [Double]) -> Double {
    guard let m = values.max(), m > -.infinity else { return -.infinity }
    var sum = 0.0
    for v in values { sum += exp(v - m) }
    return m + log(sum)
}
