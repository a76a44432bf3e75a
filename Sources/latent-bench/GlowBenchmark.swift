import Latent

extension ModelBenchmark {
    /// Glow training steps on MNIST-shaped data (no PyTorch counterpart in pytorch_reference.py):
    /// `latent train glow`'s default model and a larger one.
    static var imageFlowTrainingFactories: [(String, String, () -> (Int) -> Void)] {
        [("glow", "Glow 28x28 L2 K4 h64 B=64", { glowStep(steps: 4, hiddenChannels: 64) }),
         ("glow-large", "Glow 28x28 L2 K8 h128 B=64", { glowStep(steps: 8, hiddenChannels: 128) })]
    }

    /// One Adam step of a 2-level Glow on dequantised, logit-transformed 8-bit images, the
    /// loss of `GlowModel` (negative log-likelihood in nats).
    static func glowStep(steps: Int, hiddenChannels: Int) -> (Int) -> Void {
        var rng = RandomGenerator(seed: 0)
        let flow = Flow.glow(imageShape: [1, 28, 28], levels: 2, steps: steps, hiddenChannels: hiddenChannels,
                             generator: &rng)
        let dequantization = Dequantization(levels: 256)
        let batches = (0..<batchCount).map { _ in (rng.uniform([64, 1, 28, 28]) * 255).rounded() / 255 }
        let noise = NoiseSource(seed: 1)
        return makeStep(flow, batches: batches) { f, x in
            let (w, logDeterminant) = dequantization.forward(x, generator: &noise.generator)
            return dequantization.negativeLogLikelihood(flowLogProb: f.logProb(w), logDeterminant: logDeterminant,
                                                        dimension: 784).mean()
        }
    }
}
