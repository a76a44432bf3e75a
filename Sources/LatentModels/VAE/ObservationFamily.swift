import Foundation
import LatentCore
import LatentNN
import LatentProbability

/// The family of a VAE decoder's distribution `p(x | z)`: how many network outputs it
/// reads per data dimension and the LatentProbability distribution they define over one
/// flattened example (event `[D]`).
///
/// The network's output is laid out `[..., D·P]` (dimension-major). Discrete families
/// score the integer levels `v` of [0, 1] image data stored as `v / (L − 1)`, so
/// `log p(x | z)` is `log P(v | z)` in nats; ``observations(_:)`` maps data to what the
/// distribution scores and ``dataUnits(_:)`` maps draws back. A family is a ``Module``
/// because one learns a parameter (``GaussianObservation``'s `logScale`); the decoder
/// inlines it (checkpoint key `decoder.logScale`).
public protocol ObservationFamily: Module {
    /// Network outputs per data dimension `P`.
    var parametersPerDimension: Int { get }
    /// `p(x | z)` for network output `[..., D·P]`: batch `[...]`, event `[D]`.
    func distribution(output: Tensor) -> any Distribution
    /// Data `[B, D]` as the values the distribution scores (identity by default).
    func observations(_ x: Tensor) -> Tensor
    /// A draw of the distribution in data units (identity by default).
    func dataUnits(_ draw: Tensor) -> Tensor
    /// `E[x | z]` in data units, `[..., D]`, for pictures.
    func mean(output: Tensor) -> Tensor
    /// A short name for summaries.
    var name: String { get }
}

extension ObservationFamily {
    public func observations(_ x: Tensor) -> Tensor { x }
    public func dataUnits(_ draw: Tensor) -> Tensor { draw }
    public func mean(output: Tensor) -> Tensor { distribution(output: output).mean }
}

/// Independent Bernoulli pixels with logits from the network (binary data):
/// `log p(x | z) = −Σ BCE(logits, x)`.
public final class BernoulliObservation: Module, ObservationFamily {
    public override init() {}
    public var parametersPerDimension: Int { 1 }
    public var name: String { "bernoulli" }
    public func distribution(output: Tensor) -> any Distribution {
        Independent(Bernoulli(logits: output), reinterpretedBatchDimensions: 1)
    }
    public func mean(output: Tensor) -> Tensor { output.sigmoid() }
}

/// Independent Gaussians with the network's mean and a learned per-dimension log σ
/// (clamped below at −7): `Normal(loc: μ, logVariance: 2 log σ)`.
public final class GaussianObservation: Module, ObservationFamily {
    /// log σ per dimension, `[D]`.
    @Parameter public var logScale: Tensor

    public init(dimension: Int) { _logScale = Parameter(Tensor.zeros([dimension])) }

    public var parametersPerDimension: Int { 1 }
    public var name: String { "gaussian" }
    public func distribution(output: Tensor) -> any Distribution {
        Independent(Normal(loc: output, logVariance: maximum(logScale, Float(-7)) * 2), reinterpretedBatchDimensions: 1)
    }
    public func mean(output: Tensor) -> Tensor { output }
}

/// Independent Gaussians with the network's mean and a fixed σ.
public final class FixedGaussianObservation: Module, ObservationFamily {
    /// σ.
    public let standardDeviation: Float

    public init(standardDeviation: Float) { self.standardDeviation = standardDeviation }

    public var parametersPerDimension: Int { 1 }
    public var name: String { "gaussian-fixed" }
    public func distribution(output: Tensor) -> any Distribution {
        Independent(Normal(loc: output, scale: Tensor(standardDeviation)), reinterpretedBatchDimensions: 1)
    }
    public func mean(output: Tensor) -> Tensor { output }
}

/// Shared by the discrete families: `L` levels of [0, 1] image data.
protocol LevelObservation: ObservationFamily {
    var levelCount: Int { get }
    var dimension: Int { get }
}

extension LevelObservation {
    /// Integer levels `v = round(x (L − 1))` of [0, 1] data.
    func levels(_ x: Tensor) -> Tensor {
        (x * Float(levelCount - 1)).rounded().clamped(min: 0, max: Float(levelCount - 1))
    }

    /// `[..., D·P]` output as `[..., D, P]`.
    func perDimension(_ output: Tensor) -> Tensor {
        output.reshaped(to: Array(output.shape.dropLast()) + [dimension, parametersPerDimension])
    }
}

/// An `L`-way softmax per pixel over the intensity levels: a ``Categorical`` per pixel.
public final class CategoricalObservation: Module, LevelObservation {
    public let levelCount: Int, dimension: Int

    public init(levels: Int, dimension: Int) {
        ensure(levels >= 2, "CategoricalObservation: needs at least 2 levels, got \(levels)")
        levelCount = levels
        self.dimension = dimension
    }

    public var parametersPerDimension: Int { levelCount }
    public var name: String { "categorical" }
    public func distribution(output: Tensor) -> any Distribution {
        Independent(Categorical(logits: perDimension(output)), reinterpretedBatchDimensions: 1)
    }
    public func observations(_ x: Tensor) -> Tensor { withoutDerivative { levels(x) } }
    public func dataUnits(_ draw: Tensor) -> Tensor { draw / Float(levelCount - 1) }

    /// `E[v] / (L − 1)`.
    public func mean(output: Tensor) -> Tensor {
        let grid = Tensor(shape: [levelCount], scalars: (0..<levelCount).map { Float($0) / Float(levelCount - 1) })
        return (perDimension(output).softmax(alongAxis: -1) * grid).sum(alongAxis: -1)
    }
}

/// A mixture of `M` discretised logistics per pixel over the `L` levels (PixelCNN++ style,
/// Salimans et al., 2017): a ``DiscretizedLogisticMixture`` per pixel. The `3M` outputs
/// per pixel are `M` mixture logits, `M` means in [−1, 1] space and `M` log-scales.
public final class LogisticMixtureObservation: Module, LevelObservation {
    public let levelCount: Int, dimension: Int
    /// `M`.
    public let components: Int

    public init(levels: Int, components: Int, dimension: Int) {
        ensure(levels >= 2, "LogisticMixtureObservation: needs at least 2 levels, got \(levels)")
        ensure(components >= 1, "LogisticMixtureObservation: mixture components must be positive, got \(components)")
        levelCount = levels
        self.components = components
        self.dimension = dimension
    }

    public var parametersPerDimension: Int { 3 * components }
    public var name: String { "logistic-mixture" }

    /// Logits, means and log-scales, `[..., D, M]` each.
    func mixtureParameters(_ output: Tensor) -> (logits: Tensor, means: Tensor, logScales: Tensor) {
        let parts = perDimension(output).chunked(3, alongAxis: -1)
        return (parts[0], parts[1], parts[2])
    }

    public func distribution(output: Tensor) -> any Distribution {
        let (logits, means, logScales) = mixtureParameters(output)
        return Independent(DiscretizedLogisticMixture(logits: logits, means: means, logScales: logScales, levelCount: levelCount),
                           reinterpretedBatchDimensions: 1)
    }

    /// Levels as values `2v/(L − 1) − 1` in [−1, 1].
    public func observations(_ x: Tensor) -> Tensor {
        withoutDerivative { DiscretizedLogisticMixture.values(fromLevels: levels(x), levelCount: levelCount) }
    }
    public func dataUnits(_ draw: Tensor) -> Tensor { (draw + 1) * 0.5 }

    /// `(Σₖ πₖ clamp(μₖ, −1, 1) + 1) / 2`.
    public func mean(output: Tensor) -> Tensor {
        let (logits, means, _) = mixtureParameters(output)
        let mean = (logits.softmax(alongAxis: -1) * means.clamped(min: -1, max: 1)).sum(alongAxis: -1)
        return (mean + 1) * 0.5
    }
}
