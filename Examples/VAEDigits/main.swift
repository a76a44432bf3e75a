// A variational autoencoder on the embedded 8×8 digits, written as a plain training loop.
//
//   swift run -c release example-vae [OUTPUT_FOLDER]      (about a minute on 2 cores)
//
// The encoder outputs q(z|x) = N(μ(x), diag σ²(x)); the decoder p(x|z) is Bernoulli per pixel
// (images are binarised afresh at every step). The loss is the negative ELBO,
// −E_q[log p(x|z)] + KL(q(z|x) ‖ N(0, I)), minimised by Adam; the test NLL is the
// importance-sampled estimate −log (1/K) Σ p(x, z_k)/q(z_k|x). Writes samples.png and
// reconstructions.png (top row data, bottom row reconstructions).
import Foundation
import Latent

let output = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "example-vae", isDirectory: true)
try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)

let train = try Digits.load(.train), test = try Digits.load(.test)
let data = DataDescription(featureShape: Digits.imageShape, kind: .image(levels: Digits.levels), name: "digits")
var generator = RandomGenerator(seed: 0)
let model = VAE(configuration: VAEConfiguration(latentDimension: 16, hidden: [256, 128], likelihood: .bernoulli,
                                                binarizes: true, evaluationSamples: 500),
                data: data, generator: &generator)
let optimizer = Adam(learningRate: 2e-3)
let loader = DataLoader(train, batchSize: 64, shuffle: true, dropLast: true, seed: 0)
let epochs = 150
var step = 0
for epoch in 0..<epochs {
    var total = 0.0, batches = 0
    for batch in loader.batches(epoch: epoch) {
        let (loss, gradients) = valueAndGradient(of: model) {
            $0.trainingLoss(batch, progress: TrainingProgress(step: step, epoch: epoch), generator: &generator).loss
        }
        optimizer.learningRate = 2e-3 * Float(0.5 * (1 + cos(Double.pi * Double(step) / Double(epochs * loader.batchesPerEpoch))))
        optimizer.update(model, with: gradients)
        total += Double(loss.scalar); batches += 1; step += 1
    }
    if epoch % 25 == 0 || epoch == epochs - 1 {
        print("epoch \(epoch + 1): training −ELBO \(String(format: "%.2f", total / Double(batches))) nats")
    }
}

// Test NLL (nats per binarised 8×8 image), importance-sampled with K = 500.
model.eval()
var sums: [String: Double] = [:]
for batch in DataLoader(test, batchSize: 120) {
    sums.merge(model.evaluationSums(batch, generator: &generator), uniquingKeysWith: +)
}
let n = Double(test.count)
print(String(format: "test NLL %.2f nats (−ELBO %.2f, KL %.2f) on %d images", sums["nll"]! / n, sums["negative-elbo"]! / n,
             sums["kl"]! / n, test.count))

// Decoder means of prior draws, and reconstructions of test digits.
let samples = model.sampleMeans(count: 64, generator: &generator)
try PNG.write(imageGrid(samples, rows: 8), to: output.appendingPathComponent("samples.png"), scale: 4)
let originals = test.subset(0..<16).features                                      // [16, 1, 8, 8] in [0, 1]
let reconstructions = withoutDerivative {
    model.decode(model.posteriorLocation(originals.reshaped(to: [16, data.dimension]))).sigmoid()   // Bernoulli means
}
try PNG.write(imageGrid(concatenate([originals, reconstructions.reshaped(to: originals.shape)], alongAxis: 0), rows: 2),
              to: output.appendingPathComponent("reconstructions.png"), scale: 4)
print("wrote \(output.path)/samples.png and reconstructions.png")
