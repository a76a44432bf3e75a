import LatentCore
import LatentModels
import LatentNN
import LatentTestSupport
import Testing

@Suite struct PixelCNNCodePriorTests {
    func prior(seed: UInt64 = 0) -> PixelCNNCodePrior {
        var g = RandomGenerator(seed: seed)
        return PixelCNNCodePrior(codebookSize: 5, latentShape: [3, 4], channels: 8, layers: 2, generator: &g)
    }

    @Test func logitsDependOnlyOnEarlierPositions() {
        let model = prior()
        var g = RandomGenerator(seed: 1)
        let base = g.integers([1, 3, 4], in: 0..<5)
        let before = model.logits(base).permuted(0, 2, 3, 1).reshaped(to: [12, 5]).scalars
        for p in [0, 5, 11] {
            var changed = base.scalars
            changed[p] = (changed[p] + 1) % 5
            let after = model.logits(IndexTensor(shape: [1, 3, 4], scalars: changed))
                .permuted(0, 2, 3, 1).reshaped(to: [12, 5]).scalars
            for q in 0..<12 {
                let same = (0..<5).allSatisfy { abs(before[q * 5 + $0] - after[q * 5 + $0]) <= 1e-6 }
                if q <= p { #expect(same, "changing the code at \(p) changed the logits at \(q)") }
            }
            if p < 11 {
                #expect(((p + 1)..<12).contains { q in (0..<5).contains { before[q * 5 + $0] != after[q * 5 + $0] } },
                        "changing the code at \(p) changed no later logits")
            }
        }
    }

    /// The plain prior keeps the state names it had before it shared ``PixelCNNNetwork``
    /// with the `pixelcnn` family, so VQ-VAE checkpoints written before still load.
    @Test func stateNamesOfTheSharedNetworkAreTheEarlierOnes() {
        let names = Set(prior().state().keys)
        var expected: Set<String> = ["embedding.weight", "input.weight", "input.bias", "input.mask", "output.weight", "output.bias"]
        for l in 0..<2 {
            for name in ["1.weight", "1.bias", "1.mask", "3.weight", "3.bias"] { expected.insert("layers.\(l).block.\(name)") }
        }
        #expect(names == expected)
    }

    @Test func logProbabilitiesNormaliseAndSumToLogProb() {
        let model = prior()
        var g = RandomGenerator(seed: 2)
        let codes = g.integers([3, 3, 4], in: 0..<5)
        let logProbabilities = model.logProbabilities(codes)
        #expect(logProbabilities.shape == [3, 5, 3, 4])
        expectClose(logProbabilities.logSumExp(alongAxis: 1), Tensor.zeros([3, 3, 4]), absolute: 1e-5)
        // log p(z) is the sum of the log-probabilities at the actual codes.
        let table = logProbabilities.permuted(0, 2, 3, 1).scalars
        let expected = (0..<3).map { b in
            (0..<12).reduce(Float(0)) { sum, p in sum + table[(b * 12 + p) * 5 + Int(codes.scalars[b * 12 + p])] }
        }
        expectClose(model.logProb(codes), Tensor(expected), absolute: 1e-4)
    }

    @Test func samplesHaveTheCodeMapShape() {
        let model = prior()
        var g1 = RandomGenerator(seed: 3), g2 = RandomGenerator(seed: 3)
        let draws = model.sample(count: 6, generator: &g1)
        #expect(draws.shape == [6, 3, 4])
        #expect(draws.scalars.allSatisfy { (0..<5).contains($0) })
        #expect(model.sample(count: 6, generator: &g2) == draws, "same seed, same draws")
    }

    @Test func trainingReducesTheNLLOfAFixedCodeMap() {
        let model = prior(seed: 4)
        // A code map whose codes follow from their left neighbours (a cycle along each row).
        let codes = IndexTensor(shape: [2, 3, 4], scalars: [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1,
                                                             2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3])
        let optimizer = Adam(learningRate: 1e-2)
        var nlls: [Float] = []
        for _ in 0..<60 {
            let (loss, gradients) = valueAndGradient(of: model) { -$0.logProb(codes).mean() }
            optimizer.update(model, with: gradients)
            nlls.append(loss.scalar)
        }
        #expect(nlls.last! < 0.3 * nlls.first!, "prior NLL \(nlls.first!) → \(nlls.last!)")
    }
}
