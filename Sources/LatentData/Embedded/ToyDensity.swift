import Foundation
import LatentCore

/// Two-dimensional toy distributions for testing density models, with seeded samplers,
/// following the definitions of FFJORD (Grathwohl et al., 2019, `toy_data.py`) and the
/// scikit-learn generators they build on. All live roughly in [−4, 4]².
///
/// | case | definition | `logDensity` |
/// |---|---|---|
/// | `twoMoons` | sklearn moons (σ 0.1), then ×2 − (1, 0.2): arcs of radius 2 around (−1, −0.2), angles [0, π], and around (1, 0.8), angles [π, 2π]; each point picks an arc with probability ½ and an angle uniformly; noise σ = 0.2 | yes (quadrature) |
/// | `circles` | sklearn circles (factor ½, σ 0.08), ×3: circles of radius 3 and 1.5 around 0, each with probability ½, uniform angle, noise σ = 0.24 | yes (quadrature) |
/// | `eightGaussians` | equal mixture of N(cₖ, σ²I), cₖ = 2√2 (cos kπ/4, sin kπ/4), σ = 1/(2√2) (FFJORD's scale 4 / 1.414) | exact |
/// | `twentyFiveGaussians` | equal mixture of N(cᵢⱼ, σ²I) on the grid cᵢⱼ ∈ {−4, −2, 0, 2, 4}², σ = 0.05 (the "2D grid" of VEEGAN, Srivastava et al. 2017, §5, reused by PacGAN, Lin et al. 2018) | exact |
/// | `checkerboard` | uniform on the 8 squares of side 2 in [−4, 4)² where ⌊x/2⌋ + ⌊y/2⌋ is even: density 1/32 | exact |
/// | `pinwheel` | 5 arms: f = (1 + 0.3 z₀, 0.1 z₁), angle a = 2πk/5 + 0.25 e^{f₀}, x = 2 R(−a) f | no |
/// | `spirals` | two spirals: t = 3π √u, (−t cos t + ½u₁, t sin t + ½u₂) / 3, the second negated, plus N(0, 0.1²) | no |
/// | `swissRoll` | t = 1.5π (1 + 2u), (t cos t + z₀, t sin t + z₁) / 5 (sklearn swiss roll, noise 1, x–z plane) | no |
///
/// The two quadrature densities integrate an exact formula numerically (see
/// `ArcMixtureDensity`, relative error below 10⁻³). Samplers draw a fixed sequence of
/// tensors from the generator (see each case's code), so a seed determines the sample.
/// ``labeledSample(_:generator:)`` also returns the mixture component of each point
/// (arc, circle, Gaussian, square, arm or spiral; 0 for the swiss roll).
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let x = ToyDensity.eightGaussians.sample(1024, generator: &rng)   // [1024, 2]
/// let logp = ToyDensity.eightGaussians.logDensity(x)!               // [1024]
/// ```
public enum ToyDensity: String, CaseIterable, Sendable {
    case twoMoons = "moons"
    case circles
    case eightGaussians = "8gaussians"
    case twentyFiveGaussians = "25gaussians"
    case checkerboard
    case pinwheel
    case spirals = "2spirals"
    case swissRoll = "swissroll"

    /// Number of mixture components (the range of the component labels).
    public var componentCount: Int {
        switch self {
        case .twoMoons, .circles, .spirals: 2
        case .eightGaussians, .checkerboard: 8
        case .pinwheel: 5
        case .twentyFiveGaussians: 25
        case .swissRoll: 1
        }
    }

    /// Whether ``logDensity(_:)`` is available.
    public var hasLogDensity: Bool { logDensityFunction != nil }

    /// `count` points, `[count, 2]`.
    public func sample(_ count: Int, generator: inout RandomGenerator) -> Tensor {
        labeledSample(count, generator: &generator).points
    }

    /// `count` points and their mixture components.
    public func labeledSample(_ count: Int, generator: inout RandomGenerator) -> (points: Tensor, components: IndexTensor) {
        ensure(count >= 0, "ToyDensity.sample: negative count \(count)")
        var points = [Float](repeating: 0, count: 2 * count)
        var components = [Int32](repeating: 0, count: count)
        let pi = Float.pi
        func set(_ i: Int, _ x: Float, _ y: Float) { points[2 * i] = x; points[2 * i + 1] = y }
        switch self {
        case .eightGaussians:
            let k = generator.integers([count], in: 0..<8).scalars
            let z = generator.normal([count, 2]).scalars
            let radius = Float(2 * 2.0.squareRoot()), sigma = Float(1 / (2 * 2.0.squareRoot()))
            for i in 0..<count {
                let angle = Float(k[i]) * pi / 4
                set(i, radius * cos(angle) + sigma * z[2 * i], radius * sin(angle) + sigma * z[2 * i + 1])
                components[i] = k[i]
            }
        case .twentyFiveGaussians:
            let k = generator.integers([count], in: 0..<25).scalars
            let z = generator.normal([count, 2]).scalars
            let modes = GaussianModes.twentyFiveGaussians
            for i in 0..<count {
                let c = modes.centres[Int(k[i])], sigma = Float(modes.standardDeviation)
                set(i, Float(c.x) + sigma * z[2 * i], Float(c.y) + sigma * z[2 * i + 1])
                components[i] = k[i]
            }
        case .checkerboard:
            let u = generator.uniform([count, 3]).scalars
            for i in 0..<count {
                let x1 = 4 * u[3 * i] - 2
                let x2 = u[3 * i + 1] - (u[3 * i + 2] < 0.5 ? 2 : 0)
                let column = Int(x1.rounded(.down)), shifted = x2 + Float(((column % 2) + 2) % 2)
                set(i, 2 * x1, 2 * shifted)
                let a = column + 2, b = Int(shifted.rounded(.down)) + 2
                components[i] = Int32(a * 2 + b / 2)
            }
        case .twoMoons:
            let k = generator.integers([count], in: 0..<2).scalars
            let u = generator.uniform([count]).scalars
            let z = generator.normal([count, 2]).scalars
            for i in 0..<count {
                let angle = pi * u[i] + (k[i] == 1 ? pi : 0)
                let (cx, cy): (Float, Float) = k[i] == 0 ? (-1, -0.2) : (1, 0.8)
                set(i, cx + 2 * cos(angle) + 0.2 * z[2 * i], cy + 2 * sin(angle) + 0.2 * z[2 * i + 1])
                components[i] = k[i]
            }
        case .circles:
            let k = generator.integers([count], in: 0..<2).scalars
            let u = generator.uniform([count]).scalars
            let z = generator.normal([count, 2]).scalars
            for i in 0..<count {
                let angle = 2 * pi * u[i], r: Float = k[i] == 0 ? 3 : 1.5
                set(i, r * cos(angle) + 0.24 * z[2 * i], r * sin(angle) + 0.24 * z[2 * i + 1])
                components[i] = k[i]
            }
        case .pinwheel:
            let k = generator.integers([count], in: 0..<5).scalars
            let z = generator.normal([count, 2]).scalars
            for i in 0..<count {
                let f0 = 1 + 0.3 * z[2 * i], f1 = 0.1 * z[2 * i + 1]
                let a = 2 * pi * Float(k[i]) / 5 + 0.25 * exp(f0)
                set(i, 2 * (f0 * cos(a) + f1 * sin(a)), 2 * (-f0 * sin(a) + f1 * cos(a)))
                components[i] = k[i]
            }
        case .spirals:
            let k = generator.integers([count], in: 0..<2).scalars
            let u = generator.uniform([count, 3]).scalars
            let z = generator.normal([count, 2]).scalars
            for i in 0..<count {
                let t = u[3 * i].squareRoot() * 3 * pi
                let sign: Float = k[i] == 0 ? 1 : -1
                let dx = -cos(t) * t + 0.5 * u[3 * i + 1], dy = sin(t) * t + 0.5 * u[3 * i + 2]
                set(i, sign * dx / 3 + 0.1 * z[2 * i], sign * dy / 3 + 0.1 * z[2 * i + 1])
                components[i] = k[i]
            }
        case .swissRoll:
            let u = generator.uniform([count]).scalars
            let z = generator.normal([count, 2]).scalars
            for i in 0..<count {
                let t = 1.5 * pi * (1 + 2 * u[i])
                set(i, (t * cos(t) + z[2 * i]) / 5, (t * sin(t) + z[2 * i + 1]) / 5)
            }
        }
        return (Tensor(shape: [count, 2], scalars: points), IndexTensor(shape: [count], scalars: components))
    }

    /// The log-density at each point (`[N, 2]` → `[N]`), or nil for the densities without
    /// a known formula (pinwheel, spirals, swiss roll). Computed in Double, not recorded
    /// for autodiff; `−∞` outside the support (checkerboard).
    public func logDensity(_ points: Tensor) -> Tensor? {
        guard let f = logDensityFunction else { return nil }
        ensure(points.rank == 2 && points.shape[1] == 2, "ToyDensity.logDensity: expected points of shape [N, 2], got \(points.shape)")
        let n = points.shape[0]
        let p = points.storage.pointer
        return Tensor(shape: [n]) { out, _ in
            for i in 0..<n { out[i] = Float(f(Double(p[2 * i]), Double(p[2 * i + 1]))) }
        }
    }

    var logDensityFunction: (@Sendable (Double, Double) -> Double)? {
        switch self {
        case .eightGaussians, .twentyFiveGaussians:
            let modes = gaussianModes!
            let sigma = modes.standardDeviation
            let normaliser = log(1.0 / Double(modes.centres.count)) - log(2 * Double.pi * sigma * sigma)
            return { x, y in
                logSumExp(modes.centres.map { c in normaliser - ((x - c.x) * (x - c.x) + (y - c.y) * (y - c.y)) / (2 * sigma * sigma) })
            }
        case .checkerboard:
            return { x, y in
                guard x >= -4, x < 4, y >= -4, y < 4 else { return -.infinity }
                let a = Int((x / 2).rounded(.down)), b = Int((y / 2).rounded(.down))
                return (a + b) % 2 == 0 ? log(1.0 / 32) : -.infinity
            }
        case .twoMoons:
            let density = ArcMixtureDensity(arcs: [
                .init(center: (-1, -0.2), radius: 2, start: 0, length: .pi, weight: 0.5),
                .init(center: (1, 0.8), radius: 2, start: .pi, length: .pi, weight: 0.5),
            ], sigma: 0.2)
            return { density.logDensity($0, $1) }
        case .circles:
            let density = ArcMixtureDensity(arcs: [
                .init(center: (0, 0), radius: 3, start: -.pi, length: 2 * .pi, weight: 0.5),
                .init(center: (0, 0), radius: 1.5, start: -.pi, length: 2 * .pi, weight: 0.5),
            ], sigma: 0.24)
            return { density.logDensity($0, $1) }
        case .pinwheel, .spirals, .swissRoll:
            return nil
        }
    }

    /// The centres and the common standard deviation of the equal mixtures of isotropic
    /// Gaussians (`8gaussians`, `25gaussians`); nil for the other densities.
    public var gaussianModes: GaussianModes? {
        switch self {
        case .eightGaussians: .eightGaussians
        case .twentyFiveGaussians: .twentyFiveGaussians
        default: nil
        }
    }

    /// A dataset of `count` seeded samples with their component labels.
    public func dataset(count: Int, seed: UInt64) -> TensorDataset {
        var generator = RandomGenerator(seed: seed)
        let (points, components) = labeledSample(count, generator: &generator)
        return TensorDataset(features: points, labels: components)
    }
}

/// An equal mixture of isotropic 2-D Gaussians N(cₖ, σ²I): the mode-collapse benchmarks.
public struct GaussianModes: Sendable, Equatable {
    /// The means `cₖ`.
    public var centres: [SIMD2<Double>]
    /// The common standard deviation `σ`.
    public var standardDeviation: Double

    public init(centres: [SIMD2<Double>], standardDeviation: Double) {
        self.centres = centres
        self.standardDeviation = standardDeviation
    }

    /// `8gaussians`: radius 2√2, σ = 1/(2√2) (FFJORD's scale).
    public static let eightGaussians = GaussianModes(
        centres: (0..<8).map { k in SIMD2(2 * 2.0.squareRoot() * cos(Double(k) * .pi / 4), 2 * 2.0.squareRoot() * sin(Double(k) * .pi / 4)) },
        standardDeviation: 1 / (2 * 2.0.squareRoot()))

    /// `25gaussians`: centres (−4 + 2i, −4 + 2j), i, j = 0…4 (component 5i + j), σ = 0.05.
    public static let twentyFiveGaussians = GaussianModes(
        centres: (0..<25).map { k in SIMD2(-4 + 2 * Double(k / 5), -4 + 2 * Double(k % 5)) },
        standardDeviation: 0.05)
}
