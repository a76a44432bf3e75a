import Foundation
import Latent

// The reference models of ../shared/bench/pytorch_reference.py (beside the repository) as small modules:
// benchmark fixtures with the same layer shapes and losses, not library models.

/// A multilayer perceptron of Linear layers with ReLU between them (and after the last
/// one when `finalActivation`), as the reference script's `mlp`.
func benchMLP(_ sizes: [Int], finalActivation: Bool = false, generator: inout RandomGenerator) -> Sequential {
    var layers: [any Layer] = []
    for i in 0..<(sizes.count - 1) {
        layers.append(Linear(sizes[i], sizes[i + 1], generator: &generator))
        if i < sizes.count - 2 || finalActivation { layers.append(ReLU()) }
    }
    return Sequential(layers)
}

/// ln 2π, for standard normal log-densities.
let benchLogTwoPi = Float(Foundation.log(2 * Double.pi))

/// VAE: encoder 784-512-256 → (μ, log σ²) of 32 in one GEMM; decoder 32-256-512-784
/// giving Bernoulli logits.
final class BenchVAE: Module {
    static let dataDimension = 784
    let latentDimension = 32
    let encoder: Sequential
    let encoderOutput: Linear
    let decoder: Sequential

    init(generator: inout RandomGenerator) {
        encoder = benchMLP([Self.dataDimension, 512, 256], finalActivation: true, generator: &generator)
        encoderOutput = Linear(256, 2 * latentDimension, generator: &generator)
        decoder = benchMLP([latentDimension, 256, 512, Self.dataDimension], generator: &generator)
    }

    func encode(_ x: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        let parts = encoderOutput(encoder(x)).chunked(2, alongAxis: -1)
        return (parts[0], parts[1])
    }

    /// −ELBO with one reparameterised sample, averaged over the batch.
    func negativeELBO(_ x: Tensor, noise: NoiseSource) -> Tensor {
        let (mu, logVariance) = encode(x)
        let z = mu + (0.5 * logVariance).exp() * noise.normal(mu.shape)
        let logits = decoder(z)
        let reconstruction = binaryCrossEntropy(logits: logits, targets: x, reduction: .none).sum(alongAxis: -1)
        let kl = 0.5 * (mu * mu + logVariance.exp() - 1 - logVariance).sum(alongAxis: -1)
        return (reconstruction + kl).mean()
    }

    /// The IWAE bound with `samples` importance samples, negated and averaged over the batch.
    func iwaeLoss(_ x: Tensor, samples k: Int, noise: NoiseSource) -> Tensor {
        let (mu, logVariance) = encode(x)
        let batch = x.shape[0]
        let standardDeviation = (0.5 * logVariance).exp()
        let epsilon = noise.normal([k] + mu.shape)                       // [k, B, z]
        let z = mu + standardDeviation * epsilon
        let logits = decoder(z.reshaped(to: [k * batch, latentDimension]))
            .reshaped(to: [k, batch, Self.dataDimension])
        let logPxz = -binaryCrossEntropy(logits: logits, targets: x, reduction: .none).sum(alongAxis: -1)
        let logPz = -0.5 * (z * z + benchLogTwoPi).sum(alongAxis: -1)
        let logQz = -0.5 * (epsilon * epsilon + benchLogTwoPi + logVariance).sum(alongAxis: -1)
        let logWeights = logPxz + logPz - logQz                            // [k, B]
        return -(logWeights.logSumExp(alongAxis: 0) - Float(Foundation.log(Double(k)))).mean()
    }
}

/// Affine coupling y = m·x + (1−m)·(x·eˢ + t), (s, t) = NN(m·x), s = scale·tanh(·).
final class BenchCoupling: Module {
    @Buffer var mask: Tensor
    @Buffer var complement: Tensor
    let net: Sequential
    @Parameter var scale: Tensor

    init(mask: Tensor, hidden: Int = 512, generator: inout RandomGenerator) {
        _mask = Buffer(mask)
        _complement = Buffer(1 - mask)
        net = benchMLP([BenchVAE.dataDimension, hidden, hidden, 2 * BenchVAE.dataDimension], generator: &generator)
        _scale = Parameter(Tensor.ones([BenchVAE.dataDimension]))
    }

    func shiftAndScale(_ xm: Tensor) -> (s: Tensor, t: Tensor) {
        let parts = net(xm).chunked(2, alongAxis: -1)
        return (scale * parts[0].tanh() * complement, parts[1] * complement)
    }

    /// Data → latent, with log|det J| per sample.
    func forward(_ x: Tensor) -> (Tensor, Tensor) {
        let xm = x * mask
        let (s, t) = shiftAndScale(xm)
        return (xm + complement * (x * s.exp() + t), s.sum(alongAxis: -1))
    }

    /// Latent → data.
    func inverse(_ y: Tensor) -> Tensor {
        let ym = y * mask
        let (s, t) = shiftAndScale(ym)
        return ym + complement * ((y - t) * (-s).exp())
    }
}

/// RealNVP: 8 affine couplings with alternating masks on a standard normal base.
final class BenchRealNVP: Module {
    let layers: [BenchCoupling]

    init(layerCount: Int = 8, hidden: Int = 512, generator: inout RandomGenerator) {
        let d = BenchVAE.dataDimension
        let base = Tensor(shape: [d], scalars: (0..<d).map { Float($0 % 2) })
        var layers: [BenchCoupling] = []
        for i in 0..<layerCount {
            layers.append(BenchCoupling(mask: i % 2 == 0 ? base : 1 - base, hidden: hidden, generator: &generator))
        }
        self.layers = layers
    }

    func negativeLogLikelihood(_ x: Tensor) -> Tensor {
        var h = x
        var logDeterminant = Tensor.zeros([x.shape[0]])
        for layer in layers {
            let (y, ld) = layer.forward(h)
            h = y
            logDeterminant = logDeterminant + ld
        }
        let logPz = -0.5 * (h * h + benchLogTwoPi).sum(alongAxis: -1)
        return -(logPz + logDeterminant).mean()
    }

    func sample(_ z: Tensor) -> Tensor {
        layers.reversed().reduce(z) { h, layer in layer.inverse(h) }
    }
}

/// MADE with one masked hidden layer of 1024 units, natural ordering, random degrees.
final class BenchMADE: Module {
    let net: Sequential

    init(hidden: Int = 1024, generator: inout RandomGenerator) {
        let d = BenchVAE.dataDimension
        // Hidden degrees uniform in [1, d − 1].
        let u = generator.uniform([hidden]).scalars
        let degrees = u.map { min(d - 1, 1 + Int($0 * Float(d - 1))) }
        let hiddenMask = Tensor(shape: [hidden, d]) { p, _ in
            for k in 0..<hidden { for i in 0..<d { p[k * d + i] = degrees[k] >= i + 1 ? 1 : 0 } }
        }
        let outputMask = Tensor(shape: [d, hidden]) { p, _ in
            for i in 0..<d { for k in 0..<hidden { p[i * hidden + k] = i + 1 > degrees[k] ? 1 : 0 } }
        }
        net = Sequential(MaskedLinear(d, hidden, mask: hiddenMask, generator: &generator), ReLU(),
                         MaskedLinear(hidden, d, mask: outputMask, generator: &generator))
    }

    func loss(_ x: Tensor) -> Tensor {
        binaryCrossEntropy(logits: net(x), targets: x, reduction: .none).sum(alongAxis: -1).mean()
    }

    /// Naive ancestral sampling: one full forward pass per dimension.
    func sample(_ n: Int, noise: NoiseSource) -> Tensor {
        let d = BenchVAE.dataDimension
        var x = [Float](repeating: 0, count: n * d)
        for i in 0..<d {
            let logits = net(Tensor(shape: [n, d], scalars: x))
            let u = noise.uniform([n]).scalars
            let p = logits.storage.pointer
            for r in 0..<n {
                let probability = 1 / (1 + Foundation.exp(-p[r * d + i]))
                x[r * d + i] = u[r] < probability ? 1 : 0
            }
        }
        return Tensor(shape: [n, d], scalars: x)
    }
}

/// DCGAN-small generator: z 64 → 128·7·7 → convT 64 @14² → convT 1 @28², tanh.
final class BenchGenerator: Module {
    let fc: Linear
    let up1: ConvTranspose2d
    let up2: ConvTranspose2d

    init(latentDimension: Int = 64, generator: inout RandomGenerator) {
        fc = Linear(latentDimension, 128 * 7 * 7, generator: &generator)
        up1 = ConvTranspose2d(128, 64, kernelSize: (4, 4), stride: (2, 2), padding: (1, 1), generator: &generator)
        up2 = ConvTranspose2d(64, 1, kernelSize: (4, 4), stride: (2, 2), padding: (1, 1), generator: &generator)
    }

    func callAsFunction(_ z: Tensor) -> Tensor {
        let h = fc(z).relu().reshaped(to: [z.shape[0], 128, 7, 7])
        return up2(up1(h).relu()).tanh()
    }
}

/// DCGAN-small discriminator: conv 64 s2 → conv 128 s2 → dense 1, leaky ReLU 0.2.
final class BenchDiscriminator: Module {
    let c1: Conv2d
    let c2: Conv2d
    let fc: Linear

    init(generator: inout RandomGenerator) {
        c1 = Conv2d(1, 64, kernelSize: (4, 4), stride: (2, 2), padding: (1, 1), generator: &generator)
        c2 = Conv2d(64, 128, kernelSize: (4, 4), stride: (2, 2), padding: (1, 1), generator: &generator)
        fc = Linear(128 * 7 * 7, 1, generator: &generator)
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = c2(c1(x).leakyRelu(negativeSlope: 0.2)).leakyRelu(negativeSlope: 0.2)
        return fc(h.reshaped(to: [x.shape[0], 128 * 7 * 7]))
    }
}
