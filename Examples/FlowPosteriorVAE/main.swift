// One VAE class, three probability families swapped in: a VAE whose posterior q(z|x) is a
// conditional normalizing flow and whose prior p(z) is another flow, beside the plain
// diagonal-Gaussian VAE, on the embedded 8×8 digits.
//
//   swift run -c release example-flow-vae [OUTPUT_FOLDER]      (about a minute and a half on 2 cores)
//
// The parts are the library's shared ones: the posterior is a diagonal Gaussian pushed
// through a masked autoregressive flow (the MADE inside it is the same network `latent train
// made` trains) whose every step also sees a context vector computed by the encoder; the
// prior is an unconditional MAF over z; the decoder is Bernoulli. The ELBO is estimated by
// Monte Carlo (log q(z|x) − log p(z) along each sample, exact for both flows), and the test
// NLL by importance sampling with the flow posterior as the proposal. A richer posterior
// narrows the gap between the ELBO and the log-likelihood; a learned prior lets the
// aggregate posterior move away from N(0, I). On these 1,257 binarised 8×8 digits the gap
// is small to begin with (about 0.3 nats, 200 epochs): expect the flows to narrow it a
// little and to match the diagonal model's NLL, not to beat it by much; the point here is
// that both models are the same `VAE` with other probability parts plugged in. Writes
// samples-diagonal.png and samples-flow.png.
import Foundation
import Latent

let output = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "example-flow-vae", isDirectory: true)
try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)

let train = try Digits.load(.train), test = try Digits.load(.test)
let data = DataDescription(featureShape: Digits.imageShape, kind: .image(levels: Digits.levels), name: "digits")

/// Trains `model` for `epochs` (Adam, cosine decay) and returns its test metrics per image.
func fit(_ model: VAE, epochs: Int, seed: UInt64) -> [String: Double] {
    var generator = RandomGenerator(seed: seed)
    let optimizer = Adam(learningRate: 1e-3)
    let loader = DataLoader(train, batchSize: 64, shuffle: true, dropLast: true, seed: seed)
    let total = epochs * loader.batchesPerEpoch
    var step = 0
    for epoch in 0..<epochs {
        for batch in loader.batches(epoch: epoch) {
            let (_, gradients) = valueAndGradient(of: model) {
                $0.trainingLoss(batch, progress: TrainingProgress(step: step, epoch: epoch), generator: &generator).loss
            }
            optimizer.learningRate = 1e-3 * Float(0.5 * (1 + cos(Double.pi * Double(step) / Double(total))))
            optimizer.update(model, with: gradients)
            step += 1
        }
    }
    model.eval()
    var sums: [String: Double] = [:]
    for batch in DataLoader(test, batchSize: 120) {
        sums.merge(model.evaluationSums(batch, generator: &generator), uniquingKeysWith: +)
    }
    return sums.mapValues { $0 / Double(test.count) }
}

let latent = 8, context = 16
var diagonal = VAEConfiguration(latentDimension: latent, hidden: [256, 128], likelihood: .bernoulli, binarizes: true,
                                evaluationSamples: 500)
var flows = diagonal
// q(z|x): N(μ(x), σ²(x)) through 2 MAF steps that read a 16-wide context from the encoder.
flows.posterior = .flow(contextSize: context) { z, g in Flow.maf(dimension: z, layers: 2, hidden: [32], contextSize: context, generator: &g) }
// p(z): N(0, I) through 2 unconditional MAF steps.
flows.prior = .flow { z, g in Flow.maf(dimension: z, layers: 2, hidden: [32], generator: &g) }

print("| posterior / prior | test NLL | −ELBO | gap (−ELBO − NLL) | KL |")
print("|---|---:|---:|---:|---:|")
for (name, configuration) in [("diagonal Gaussian / N(0, I)", diagonal), ("MAF with context / MAF", flows)] {
    var g = RandomGenerator(seed: 0)
    let model = VAE(configuration: configuration, data: data, generator: &g)
    let m = fit(model, epochs: 200, seed: 0)
    print(String(format: "| %@ | %.2f | %.2f | %.2f | %.2f |", name, m["nll"]!, m["negative-elbo"]!,
                 m["negative-elbo"]! - m["nll"]!, m["kl"]!))
    let file = configuration.posterior.name == "flow" ? "samples-flow.png" : "samples-diagonal.png"
    try PNG.write(imageGrid(model.sampleMeans(count: 64, generator: &g), rows: 8), to: output.appendingPathComponent(file), scale: 4)
}
print("(nats per binarised 8×8 test image; NLL importance-sampled with K = 500)")
print("wrote \(output.path)/samples-diagonal.png and samples-flow.png")
