import LatentCore
import LatentNN

/// Activation normalisation (Glow, Kingma & Dhariwal 2018): a per-feature affine map
/// with data-dependent initialisation.
///
/// In the data → latent direction, z = (x − μ)·exp(−log σ) with per-feature μ and log σ
/// (features on the last axis for vectors `[B, D]`, on axis 1 for images `[B, C, H, W]`).
/// log |det ∂x/∂z| = Σ log σ (times H·W for images).
///
/// The first time the layer sees data in the data → latent direction while training, μ
/// and σ are set to that batch's mean and standard deviation, so its outputs start
/// standardised. The initial values are kept in buffers and the trained parameters are
/// offsets from them (both start at zero), so the initialisation also works inside
/// `valueAndGradient`, which restores parameter values after the loss runs.
public final class ActNorm: Module, FlowTransform {
    /// Learned offset of μ, `[D]` (or `[C]`).
    @Parameter public var shift: Tensor
    /// Learned offset of log σ.
    @Parameter public var logScale: Tensor
    @Buffer public var initialShift: Tensor
    @Buffer public var initialLogScale: Tensor
    /// 1 once initialised from data.
    @Buffer public var initialized: Tensor
    public let featureCount: Int
    /// 1 for vectors `[B, D]`, 3 for images `[B, C, H, W]`.
    public let eventRank: Int

    /// - Parameters:
    ///   - featureCount: D for vectors, C for images.
    ///   - eventRank: 1 (vectors) or 3 (images, channels first).
    public init(featureCount: Int, eventRank: Int = 1) {
        ensure(eventRank == 1 || eventRank == 3, "ActNorm: eventRank must be 1 (vectors) or 3 (images), got \(eventRank)")
        self.featureCount = featureCount
        self.eventRank = eventRank
        _shift = Parameter(Tensor.zeros([featureCount]))
        _logScale = Parameter(Tensor.zeros([featureCount]))
        _initialShift = Buffer(Tensor.zeros([featureCount]))
        _initialLogScale = Buffer(Tensor.zeros([featureCount]))
        _initialized = Buffer(Tensor(0))
    }

    private var parameterShape: [Int] { eventRank == 1 ? [featureCount] : [featureCount, 1, 1] }
    private func logDet(_ x: Tensor) -> Tensor {
        let perElement = eventRank == 1 ? 1 : x.shape[2] * x.shape[3]
        let total = (initialLogScale + logScale).sum() * Float(perElement)
        return total.broadcast(to: [x.shape[0]])
    }

    /// Sets μ and σ from a batch of data (data → latent direction).
    public func initialize(from x: Tensor) {
        let axes = eventRank == 1 ? Array(0..<(x.rank - 1)) : [0, 2, 3]
        let data = x.detached()
        let mean = data.mean(alongAxes: axes)
        let std = ((data - mean.reshaped(to: parameterShape)).square().mean(alongAxes: axes) + 1e-6).sqrt()
        initialShift = mean.detached()
        initialLogScale = std.log().detached()
        initialized = Tensor(1)
    }

    private func check(_ x: Tensor) {
        checkShapes { () throws(ShapeError) in
            let ok = eventRank == 1 ? (x.rank == 2 && x.shape[1] == featureCount) : (x.rank == 4 && x.shape[1] == featureCount)
            guard ok else { throw ShapeError(op: "ActNorm", "input of shape \(shapeString(x.shape)) for \(featureCount) features (event rank \(eventRank))") }
        }
    }

    public func forwardAndLogAbsDetJacobian(_ z: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        check(z)
        let mu = (initialShift + shift).reshaped(to: parameterShape)
        let s = (initialLogScale + logScale).reshaped(to: parameterShape)
        return (z * s.exp() + mu, logDet(z))
    }

    public func inverseAndLogAbsDetJacobian(_ x: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        check(x)
        if isTraining && initialized.scalar == 0 { initialize(from: x) }
        let mu = (initialShift + shift).reshaped(to: parameterShape)
        let s = (initialLogScale + logScale).reshaped(to: parameterShape)
        return ((x - mu) * (-s).exp(), -logDet(x))
    }
}
