import Foundation
import LatentCore

/// A mixture of discretised logistic distributions over the L levels of image data —
/// L = 2ᵇ for b-bit images, or any L ≥ 2 (Salimans, Karpathy, Chen & Kingma 2017,
/// "PixelCNN++").
///
/// Values are pixel intensities scaled to [−1, 1]: level k ∈ {0, …, L − 1} is
/// x = 2k/(L − 1) − 1 (see ``values(fromLevels:levelCount:)``). Each level owns the bin
/// [x − h, x + h] with h = 1/(L − 1), except that the lowest level takes everything below
/// (−∞, −1 + h] and the highest everything above [1 − h, ∞). For a logistic with mean μ
/// and scale s (CDF σ((x − μ)/s)), and mixture weights π = softmax(logits):
///
///     P(x) = Σₖ πₖ [σ((x + h − μₖ)/sₖ) − σ((x − h − μₖ)/sₖ)]   (edge bins: one-sided).
///
/// The log bin mass is computed without cancellation: log σ(a) + log(−expm1(log σ(b) −
/// log σ(a))) left of the mean and the mirrored form right of it. Where the bin is narrow
/// compared with the scale (2h/s < 10⁻³), the mass is the density at the bin centre times
/// the bin width — the "log_prob_mid" fallback of PixelCNN++, used there because it is then
/// accurate to O((h/s)²), more so than the difference of two nearly equal CDFs. Where
/// PixelCNN++'s own branches apply (bin mass above 10⁻⁵), the results agree with it.
/// Log-scales are clamped below at `minimumLogScale` (−7, as PixelCNN++).
///
/// Two layouts:
/// - independent elements: `logits`, `means`, `logScales` of shape `B + [K]`; batch shape
///   B, scalar events (e.g. B = [N, C, H, W]);
/// - RGB with PixelCNN++'s channel coupling: `logits` `B + [K]` (one mixture per pixel),
///   `means`, `logScales`, `coefficients` `B + [3, K]`; batch shape B, events `[3]`
///   (channels last). The channel means are μ_R, μ_G + α x_R and μ_B + β x_R + γ x_G with
///   (α, β, γ) = `coefficients[..., 0...2, k]` (PixelCNN++ passes tanh of network outputs).
public struct DiscretizedLogisticMixture: Distribution, Sendable {
    /// Unnormalised log mixture weights, `B + [K]`.
    public let logits: Tensor
    /// Component means in [−1, 1] space, `B + [K]` or `B + [3, K]`.
    public let means: Tensor
    /// Component log-scales (clamped below at `minimumLogScale`), shaped like `means`.
    public let logScales: Tensor
    /// RGB coupling coefficients (α, β, γ), `B + [3, K]`, or nil for independent elements.
    public let coefficients: Tensor?
    /// The number of levels L (256 for 8-bit images).
    public let levelCount: Int
    /// Bits per value b, `⌈log₂ L⌉` (8 for ordinary images).
    public var bitDepth: Int { Int.bitWidth - (levelCount - 1).leadingZeroBitCount }

    /// A mixture per element over the 2ᵇ levels of b-bit data, parameters `B + [K]`.
    public init(logits: Tensor, means: Tensor, logScales: Tensor, bitDepth: Int = 8, minimumLogScale: Float = -7) {
        ensure(bitDepth >= 1 && bitDepth <= 16, "DiscretizedLogisticMixture: bitDepth must be in 1...16, got \(bitDepth)")
        self.init(logits: logits, means: means, logScales: logScales, levelCount: 1 << bitDepth, minimumLogScale: minimumLogScale)
    }

    /// A mixture per element over `levelCount` levels (any L ≥ 2, e.g. the 17 grey levels
    /// of the digits data), parameters `B + [K]`.
    public init(logits: Tensor, means: Tensor, logScales: Tensor, levelCount: Int, minimumLogScale: Float = -7) {
        checkShapes { () throws(ShapeError) in
            try DiscretizedLogisticMixture.validateShapes(logits: logits.shape, means: means.shape,
                                                          logScales: logScales.shape, coefficients: nil)
        }
        ensure(levelCount >= 2 && levelCount <= 1 << 16, "DiscretizedLogisticMixture: levelCount must be in 2...65536, got \(levelCount)")
        self.logits = logits
        self.means = means
        self.logScales = logScales.clamped(min: minimumLogScale)
        self.coefficients = nil
        self.levelCount = levelCount
    }

    /// A mixture per RGB pixel with PixelCNN++'s channel coupling: `logits` `B + [K]`,
    /// `means`, `logScales`, `coefficients` `B + [3, K]`.
    public init(logits: Tensor, means: Tensor, logScales: Tensor, coefficients: Tensor, bitDepth: Int = 8,
                minimumLogScale: Float = -7) {
        checkShapes { () throws(ShapeError) in
            try DiscretizedLogisticMixture.validateShapes(logits: logits.shape, means: means.shape,
                                                          logScales: logScales.shape, coefficients: coefficients.shape)
        }
        ensure(bitDepth >= 1 && bitDepth <= 16, "DiscretizedLogisticMixture: bitDepth must be in 1...16, got \(bitDepth)")
        self.logits = logits
        self.means = means
        self.logScales = logScales.clamped(min: minimumLogScale)
        self.coefficients = coefficients
        self.levelCount = 1 << bitDepth
    }

    /// Checks the parameter shapes of either layout.
    public static func validateShapes(logits: [Int], means: [Int], logScales: [Int], coefficients: [Int]?) throws(ShapeError) {
        guard let k = logits.last, k > 0 else {
            throw ShapeError(op: "DiscretizedLogisticMixture", "logits need a non-empty last axis of components, got shape \(shapeString(logits))")
        }
        let expected = coefficients == nil ? logits : Array(logits.dropLast()) + [3, k]
        guard means == expected, logScales == expected, coefficients == nil || coefficients == expected else {
            let c = coefficients.map { ", coefficients \(shapeString($0))" } ?? ""
            throw ShapeError(op: "DiscretizedLogisticMixture",
                             "means \(shapeString(means)), logScales \(shapeString(logScales))\(c) must all have shape \(shapeString(expected)) for logits of shape \(shapeString(logits))")
        }
    }

    /// Level k ∈ {0, …, 2ᵇ − 1} to its value 2k/(2ᵇ − 1) − 1 in [−1, 1].
    public static func values(fromLevels levels: Tensor, bitDepth: Int = 8) -> Tensor {
        values(fromLevels: levels, levelCount: 1 << bitDepth)
    }

    /// Level k ∈ {0, …, L − 1} to its value 2k/(L − 1) − 1 in [−1, 1].
    public static func values(fromLevels levels: Tensor, levelCount: Int) -> Tensor {
        levels * (2 / Float(levelCount - 1)) - 1
    }

    /// Values in [−1, 1] to the nearest level in {0, …, 2ᵇ − 1}.
    public static func levels(fromValues values: Tensor, bitDepth: Int = 8) -> Tensor {
        levels(fromValues: values, levelCount: 1 << bitDepth)
    }

    /// Values in [−1, 1] to the nearest level in {0, …, L − 1}.
    public static func levels(fromValues values: Tensor, levelCount: Int) -> Tensor {
        let top = Float(levelCount - 1)
        return ((values + 1) * (top / 2)).rounded().clamped(min: 0, max: top)
    }

    public var batchShape: [Int] { Array(logits.shape.dropLast()) }
    public var eventShape: [Int] { coefficients == nil ? [] : [3] }
    public var support: Constraint { .interval(lower: -1, upper: 1) }
    /// The number of components K.
    public var componentCount: Int { logits.shape.last! }
    private var halfBin: Float { 1 / Float(levelCount - 1) }

    /// log P(bin of x) for a single logistic of mean μ and log-scale log s (broadcasting).
    func logBinMass(_ x: Tensor, mean: Tensor, logScale: Tensor) -> Tensor {
        let h = halfBin
        let inverseScale = (-logScale).exp()
        let centred = x - mean
        // Lowest level: log σ(a); highest: log(1 − σ(b)).
        let lowestEdge = -(-(inverseScale * (centred + h))).softplus()
        let highestEdge = -(inverseScale * (centred - h)).softplus()
        // Interior, left of the mean: log σ(a) + log(1 − σ(b)/σ(a)); each form is evaluated
        // on inputs moved into its own half so that the unselected one stays finite.
        func logDifference(_ c: Tensor) -> Tensor {
            let logUpper = -(-(inverseScale * (c + h))).softplus()
            let logLower = -(-(inverseScale * (c - h))).softplus()
            return logUpper + (-(logLower - logUpper).expm1()).clamped(min: Float.leastNormalMagnitude).log()
        }
        let left = logDifference(minimum(centred, Float(0)))
        let right = logDifference(-maximum(centred, Float(0)))     // mirror: mass of [−c − h, −c + h]
        let interior = `where`(centred .> 0, right, left)
        // Narrow bin: density at the centre times the bin width 2h.
        let z = inverseScale * centred
        let logBinWidth = Float(Foundation.log(2 * Double(h)))
        let logDensity: Tensor = z - logScale - 2 * z.softplus()
        let midpoint = logDensity + logBinWidth
        let narrow = (2 * h) * inverseScale .< Float(1e-3)
        let inside = `where`(narrow, midpoint, interior)
        return `where`(x .< -1 + h, lowestEdge, `where`(x .> 1 - h, highestEdge, inside))
    }

    /// log P(x) for values in [−1, 1] of shape `sampleShape + batchShape + eventShape`.
    public func logProb(_ value: Tensor) -> Tensor {
        _ = checkValue("logProb", value)
        let logWeights = logits.logSoftmax(alongAxis: -1)
        guard let coefficients else {
            return (logBinMass(value.unsqueezed(axis: -1), mean: means, logScale: logScales) + logWeights)
                .logSumExp(alongAxis: -1)
        }
        let x = value.unsqueezed(axis: -1)                                   // ... + [3, 1]
        let coupled = coupledMeans(x, coefficients: coefficients)           // ... + [3, K]
        let perChannel = logBinMass(x, mean: coupled, logScale: logScales)
        return (perChannel.sum(alongAxis: -2) + logWeights).logSumExp(alongAxis: -1)
    }

    /// μ_R, μ_G + α x_R, μ_B + β x_R + γ x_G for x of shape `... + [3, 1]`.
    private func coupledMeans(_ x: Tensor, coefficients c: Tensor) -> Tensor {
        func channel(_ t: Tensor, _ i: Int) -> Tensor { t.sliced(alongAxis: -2, range: i..<(i + 1)) }
        let red = channel(x, 0), green = channel(x, 1)
        let g = channel(means, 1) + channel(c, 0) * red
        let b = channel(means, 2) + channel(c, 1) * red + channel(c, 2) * green
        let shape = DistributionShapes.broadcast([g.shape, channel(means, 0).shape], op: "DiscretizedLogisticMixture")
        return concatenate([channel(means, 0).broadcast(to: shape), g, b.broadcast(to: shape)], alongAxis: -2)
    }

    /// Draws of shape `sampleShape + batchShape + eventShape`, on the value grid: a
    /// component per pixel (Gumbel-max on the logits), logistic noise
    /// μ + s (log u − log(1 − u)) with u ∈ [10⁻⁵, 1 − 10⁻⁵], channels coupled in order
    /// R, G, B, clamped to [−1, 1] and rounded to the nearest level.
    public func sample(_ sampleShape: [Int], generator: inout RandomGenerator) -> Tensor {
        withoutDerivative {
            let k = componentCount
            let chosen = generator.categorical(logits: logits.detached(), sampleShape: sampleShape)   // S + B
            let eventPart = coefficients == nil ? [Int]() : [3]
            let paramShape = sampleShape + batchShape + eventPart + [k]
            let index = DistributionShapes.broadcast(chosen.reshaped(to: sampleShape + batchShape + (coefficients == nil ? [1] : [1, 1])),
                                                     to: sampleShape + batchShape + eventPart + [1])
            func pick(_ t: Tensor) -> Tensor {
                t.detached().broadcast(to: paramShape).gathering(alongAxis: -1, indices: index).squeezed(axis: -1)
            }
            let mu = pick(means), logS = pick(logScales)
            let u = generator.uniform(sampleShape + batchShape + eventPart).clamped(min: 1e-5, max: 1 - 1e-5)
            let noise = logS.exp() * (u.log() - (-u).log1p())
            guard let coefficients else {
                let x = (mu + noise).clamped(min: -1, max: 1)
                return Self.values(fromLevels: Self.levels(fromValues: x, levelCount: levelCount), levelCount: levelCount)
            }
            let c = pick(coefficients)
            func channel(_ t: Tensor, _ i: Int) -> Tensor { t.sliced(alongAxis: -1, range: i..<(i + 1)) }
            let red = (channel(mu, 0) + channel(noise, 0)).clamped(min: -1, max: 1)
            let green = (channel(mu, 1) + channel(c, 0) * red + channel(noise, 1)).clamped(min: -1, max: 1)
            let blue = (channel(mu, 2) + channel(c, 1) * red + channel(c, 2) * green + channel(noise, 2)).clamped(min: -1, max: 1)
            let x = concatenate([red, green, blue], alongAxis: -1)
            return Self.values(fromLevels: Self.levels(fromValues: x, levelCount: levelCount), levelCount: levelCount)
        }
    }
}
