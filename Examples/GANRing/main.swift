// A generative adversarial network on the ring of eight Gaussians, from layers up.
//
//   swift run -c release example-gan [OUTPUT_FOLDER]      (under a minute on 2 cores)
//
// The generator G maps noise z ~ N(0, I) to points; the discriminator D scores points as
// real or generated. Each step first updates D on its logistic loss,
//   L_D = softplus(−D(x)) + softplus(D(G(z))),
// then G on the non-saturating loss L_G = softplus(−D(G(z))) (Goodfellow et al. 2014), each
// with its own Adam (2·10⁻⁴, β = (0.5, 0.999)). The ring is the classic test of mode
// collapse: the program prints how many of the 8 modes 10,000 samples cover and how many
// samples land within 3σ of a mode (VEEGAN's measures), and writes samples.png (a 2-D
// histogram, x right, y up, extent ±4.5) and data.png for comparison.
import Foundation
import Latent

let output = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "example-gan", isDirectory: true)
try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)

let ring = DatasetCatalog.toyDensity(named: "8gaussians")!
let train = try DatasetCatalog.load("8gaussians", split: .train)
var rng = RandomGenerator(seed: 0)
let noise = 8, width = 128
let generator = Sequential(Linear(noise, width, generator: &rng), ReLU(), Linear(width, width, generator: &rng), ReLU(),
                           Linear(width, 2, generator: &rng))
let discriminator = Sequential(Linear(2, width, generator: &rng), LeakyReLU(negativeSlope: 0.2),
                               Linear(width, width, generator: &rng), LeakyReLU(negativeSlope: 0.2),
                               Linear(width, 1, generator: &rng))
let optimizerG = Adam(learningRate: 2e-4, beta1: 0.5, beta2: 0.999)
let optimizerD = Adam(learningRate: 2e-4, beta1: 0.5, beta2: 0.999)
let loader = DataLoader(train, batchSize: 256, shuffle: true, dropLast: true, seed: 0)
let steps = 6000
for step in 0..<steps {
    let real = loader.batch(epoch: step / loader.batchesPerEpoch, step: step % loader.batchesPerEpoch).features
    // The discriminator step: generated points are constants here (no gradient into G).
    let fake = withoutDerivative { generator(rng.normal([256, noise])) }
    let (lossD, gradientsD) = valueAndGradient(of: discriminator) { d in
        (-d(real)).softplus().mean() + d(fake).softplus().mean()
    }
    optimizerD.update(discriminator, with: gradientsD)
    // The generator step: gradients flow through D into G; only G's parameters move.
    let z = rng.normal([256, noise])
    let (lossG, gradientsG) = valueAndGradient(of: generator) { g in (-discriminator(g(z))).softplus().mean() }
    optimizerG.update(generator, with: gradientsG)
    if step % 1000 == 0 || step == steps - 1 {
        print(String(format: "step %d: D loss %.3f, G loss %.3f", step + 1, lossD.scalar, lossG.scalar))
    }
}

let samples = withoutDerivative { generator(rng.normal([ModeCoverage.standardSampleCount, noise])) }
let coverage = ModeCoverage(samples: samples, modes: ring.gaussianModes!)
print(String(format: "modes covered: %d of 8; high-quality samples (within 3σ of a mode): %.1f %%; KL(mode histogram ‖ uniform) %.4f nats",
             coverage.modesCovered, 100 * coverage.highQualityFraction, coverage.reverseKL))
let points = DataDescription(featureShape: [2], kind: .continuous, name: "8gaussians")
try PNG.write(TrainedRun.picture(of: samples, description: points), to: output.appendingPathComponent("samples.png"), scale: 2)
try PNG.write(TrainedRun.picture(of: train.subset(0..<10_000).features, description: points),
              to: output.appendingPathComponent("data.png"), scale: 2)
print("wrote \(output.path)/samples.png and data.png")
