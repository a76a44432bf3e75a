import Foundation
import Latent

/// The VAE family: training-step time of the MLP VAE and IWAE (k = 10) at batch 128,
/// 784-512-256-32 (the shape compared with PyTorch), and seconds per epoch on digits.
enum VAEBenchmark {
    static func run() {
        print("## VAE family\n")
        print("| case | time |")
        print("|---|---|")
        var g = RandomGenerator(seed: 0)
        let mnistLike = DataDescription(featureShape: [784], kind: .image(levels: 256), name: "random")
        let features = g.uniform([128, 784])
        let batch = TensorBatch(features: features, indices: Array(0..<128))
        for (label, objective) in [("VAE step (batch 128, 784-512-256-32)", VAEObjective()),
                                   ("IWAE k=10 step", VAEObjective(bound: .iwae, samples: 10)),
                                   ("IWAE k=10 DReG step", VAEObjective(bound: .iwae, samples: 10, estimator: .dreg))] {
            let model = VAE(configuration: VAEConfiguration(latentDimension: 32, hidden: [512, 256], likelihood: .bernoulli,
                                                    binarizes: true, objective: objective),
                            data: mnistLike, generator: &g)
            let optimizer = Adam(learningRate: 1e-3)
            func step(_ i: Int) {
                let (_, gradients) = valueAndGradient(of: model) { m in
                    m.trainingLoss(batch, progress: TrainingProgress(step: i, epoch: 0), generator: &g).loss
                }
                optimizer.update(model, with: gradients)
            }
            for i in 0..<3 { step(i) }
            let n = 20
            let start = Date()
            for i in 0..<n { step(i) }
            print("| \(label) | \(String(format: "%.2f", Date().timeIntervalSince(start) / Double(n) * 1000)) ms |")
        }
        // One epoch on digits (1,257 training images, batch 128), 64-512-256-32.
        guard let train = try? Digits.load(.train) else { return }
        let digits = DataDescription(featureShape: Digits.imageShape, classCount: 10, kind: .image(levels: 17), name: "digits")
        let model = VAE(configuration: VAEConfiguration(latentDimension: 32, hidden: [512, 256], likelihood: .bernoulli,
                                                binarizes: true),
                        data: digits, generator: &g)
        let optimizer = Adam(learningRate: 1e-3)
        var times: [Double] = []
        for epoch in 0..<3 {
            let start = Date()
            let order = g.permutation(train.count)
            var i = 0
            while i < order.count {
                let b = train.batch(at: Array(order[i..<min(i + 128, order.count)]), generator: &g)
                let (_, gradients) = valueAndGradient(of: model) { m in
                    m.trainingLoss(b, progress: TrainingProgress(step: i, epoch: epoch), generator: &g).loss
                }
                optimizer.update(model, with: gradients)
                i += 128
            }
            times.append(Date().timeIntervalSince(start))
        }
        print("| VAE epoch on digits (1,257 images, batch 128, 64-512-256-32) | \(String(format: "%.3f", times.min()!)) s |")
        let test = try! Digits.load(.test)
        let tb = test.batch(at: Array(0..<test.count), generator: &g)
        model.evaluationSamples = 1000
        let start = Date()
        let sums = model.evaluationSums(tb, generator: &g)
        print("| VAE evaluation on digits test (360 images, K = 1000) | \(String(format: "%.2f", Date().timeIntervalSince(start))) s (NLL \(String(format: "%.2f", sums["nll"]! / Double(test.count))) nats after 3 epochs) |")
    }
}
