import LatentCore

/// A rule that fills a new parameter of a given shape from a random generator, as in
/// `torch.nn.init`.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let w = Initializer.kaimingNormal(nonlinearity: .relu)([256, 128], generator: &rng)
/// layer.weight = Initializer.orthogonal()(layer.weight.shape, generator: &rng)
/// ```
///
/// Fans follow PyTorch: for a shape `[d₀, d₁, k…]`, `fanIn = d₁ · Πk` and
/// `fanOut = d₀ · Πk` (a `Linear` weight is `[out, in]`, a convolution's
/// `[out, in/groups, kH, kW]`).
public struct Initializer: Sendable {
    private let body: @Sendable ([Int], inout RandomGenerator) -> Tensor

    /// An initializer from a closure `(shape, generator) -> tensor`.
    public init(_ body: @escaping @Sendable ([Int], inout RandomGenerator) -> Tensor) {
        self.body = body
    }

    /// A new tensor of `shape` drawn from this rule (advancing `generator`).
    public func callAsFunction(_ shape: [Int], generator: inout RandomGenerator) -> Tensor {
        let t = body(shape, &generator)
        ensure(t.shape == shape, "Initializer: produced shape \(shapeString(t.shape)) for \(shapeString(shape))")
        return t
    }

    /// Which fan a variance-scaling rule divides by.
    public enum FanMode: Sendable {
        /// Preserve the variance of activations in the forward pass.
        case fanIn
        /// Preserve the variance of gradients in the backward pass.
        case fanOut
    }

    /// `(fanIn, fanOut)` of a weight shape, as PyTorch computes them (rank ≥ 2).
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        ensure(shape.count >= 2, "Initializer.fans: needs a shape of rank >= 2, got \(shapeString(shape))")
        let receptive = Shape.count(Array(shape.dropFirst(2)))
        return (shape[1] * receptive, shape[0] * receptive)
    }

    // MARK: - Constant and plain random

    /// All zeros.
    public static var zeros: Initializer { Initializer { shape, _ in .zeros(shape) } }

    /// All ones.
    public static var ones: Initializer { Initializer { shape, _ in .ones(shape) } }

    /// Every element equal to `value`.
    public static func constant(_ value: Float) -> Initializer { Initializer { shape, _ in .full(shape, value) } }

    /// `N(mean, standardDeviation²)`.
    public static func normal(mean: Float = 0, standardDeviation: Float = 1) -> Initializer {
        Initializer { shape, g in g.normal(shape, mean: mean, standardDeviation: standardDeviation) }
    }

    /// `U(low, high)`.
    public static func uniform(low: Float = 0, high: Float = 1) -> Initializer {
        Initializer { shape, g in g.uniform(shape, low: low, high: high) }
    }

    // MARK: - Variance scaling

    /// He (Kaiming) uniform: `U(−b, b)` with `b = gain · √(3 / fan)` (He et al., "Delving
    /// Deep into Rectifiers", 2015). PyTorch's defaults: fan-in, leaky ReLU with slope 0.
    ///
    /// - Parameters:
    ///   - mode: Divide by the fan-in or the fan-out.
    ///   - nonlinearity: Sets the gain (``Nonlinearity/gain``).
    public static func kaimingUniform(mode: FanMode = .fanIn,
                                      nonlinearity: Nonlinearity = .leakyRelu(negativeSlope: 0)) -> Initializer {
        Initializer { shape, g in
            let bound = nonlinearity.gain * (3 / Float(fan(shape, mode))).squareRoot()
            return g.uniform(shape, low: -bound, high: bound)
        }
    }

    /// He (Kaiming) normal: `N(0, σ²)` with `σ = gain / √fan`.
    ///
    /// - Parameters:
    ///   - mode: Divide by the fan-in or the fan-out.
    ///   - nonlinearity: Sets the gain (``Nonlinearity/gain``).
    public static func kaimingNormal(mode: FanMode = .fanIn,
                                     nonlinearity: Nonlinearity = .leakyRelu(negativeSlope: 0)) -> Initializer {
        Initializer { shape, g in
            g.normal(shape, standardDeviation: nonlinearity.gain / Float(fan(shape, mode)).squareRoot())
        }
    }

    /// Glorot (Xavier) uniform: `U(−b, b)` with `b = gain · √(6 / (fanIn + fanOut))`
    /// (Glorot & Bengio, "Understanding the difficulty of training deep feedforward
    /// neural networks", 2010).
    public static func xavierUniform(gain: Float = 1) -> Initializer {
        Initializer { shape, g in
            let (fanIn, fanOut) = fans(shape)
            let bound = gain * (6 / Float(fanIn + fanOut)).squareRoot()
            return g.uniform(shape, low: -bound, high: bound)
        }
    }

    /// Glorot (Xavier) normal: `N(0, σ²)` with `σ = gain · √(2 / (fanIn + fanOut))`.
    public static func xavierNormal(gain: Float = 1) -> Initializer {
        Initializer { shape, g in
            let (fanIn, fanOut) = fans(shape)
            return g.normal(shape, standardDeviation: gain * (2 / Float(fanIn + fanOut)).squareRoot())
        }
    }

    /// A (semi-)orthogonal matrix times `gain` (Saxe et al., "Exact solutions to the
    /// nonlinear dynamics of learning in deep linear neural networks", 2014), as
    /// `torch.nn.init.orthogonal_`: the shape is viewed as `[d₀, rest]`, a Gaussian matrix
    /// of that size (transposed if wider than tall) is factored `QR` by Householder
    /// reflections in Double, and `Q·sign(diag R)` — Haar-distributed — is returned.
    /// Rows (or columns, whichever are fewer) are orthonormal.
    public static func orthogonal(gain: Float = 1) -> Initializer {
        Initializer { shape, g in
            ensure(shape.count >= 2, "Initializer.orthogonal: needs a shape of rank >= 2, got \(shapeString(shape))")
            let rows = shape[0], cols = Shape.count(shape) / max(rows, 1)
            let gaussian = g.normal([rows, cols]).scalars.map(Double.init)
            let q = orthonormalFactor(gaussian, rows: rows, cols: cols)
            return Tensor(shape: shape, scalars: q.map { Float($0) * gain })
        }
    }

    static func fan(_ shape: [Int], _ mode: FanMode) -> Int {
        let (fanIn, fanOut) = fans(shape)
        let f = mode == .fanIn ? fanIn : fanOut
        ensure(f > 0, "Initializer: zero fan for shape \(shapeString(shape))")
        return f
    }

    /// `Q·sign(diag R)` of the QR factorisation of a row-major `rows × cols` matrix,
    /// factoring its transpose when it is wider than tall; returns `rows × cols`.
    static func orthonormalFactor(_ a: [Double], rows: Int, cols: Int) -> [Double] {
        let wide = rows < cols
        let (m, n) = wide ? (cols, rows) : (rows, cols)
        // Column-major m × n working copy of the (possibly transposed) matrix.
        var work = [Double](repeating: 0, count: m * n)
        for i in 0..<rows { for j in 0..<cols {
            if wide { work[i * m + j] = a[i * cols + j] } else { work[j * m + i] = a[i * cols + j] }
        } }
        var reflectors: [[Double]] = []
        var signs = [Double](repeating: 1, count: n)
        for k in 0..<n {
            var v = Array(work[(k * m + k)..<(k * m + m)])
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let alpha = v[0] >= 0 ? -norm : norm
            v[0] -= alpha
            let vNorm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if vNorm > 0 { v = v.map { $0 / vNorm } }
            // Apply H = I − 2vvᵀ to the remaining columns.
            for j in k..<n {
                var dot = 0.0
                for i in 0..<(m - k) { dot += v[i] * work[j * m + k + i] }
                for i in 0..<(m - k) { work[j * m + k + i] -= 2 * dot * v[i] }
            }
            signs[k] = work[k * m + k] < 0 ? -1 : 1   // sign of R[k, k] (0 counts as +)
            reflectors.append(v)
        }
        // Q = H₀ H₁ ⋯ Hₙ₋₁ applied to the first n columns of the identity.
        var q = [Double](repeating: 0, count: m * n)   // column-major
        for j in 0..<n { q[j * m + j] = 1 }
        for k in stride(from: n - 1, through: 0, by: -1) {
            let v = reflectors[k]
            for j in 0..<n {
                var dot = 0.0
                for i in 0..<(m - k) { dot += v[i] * q[j * m + k + i] }
                for i in 0..<(m - k) { q[j * m + k + i] -= 2 * dot * v[i] }
            }
        }
        var out = [Double](repeating: 0, count: rows * cols)
        for i in 0..<m { for j in 0..<n {
            let value = q[j * m + i] * signs[j]
            if wide { out[j * cols + i] = value } else { out[i * cols + j] = value }
        } }
        return out
    }
}
