import Foundation
import LatentCore
import LatentData
import LatentModels
import LatentNN
import LatentProbability
import LatentTestSupport
import Testing

/// A flow is a distribution: as the base of another flow, as a VAE prior and as a VAE
/// posterior.
@Suite struct FlowDistributionTests {
    /// Random weights so that the flows are far from the identity.
    func randomize(_ flow: Flow, scale: Float = 0.3, generator g: inout RandomGenerator) -> Flow {
        for (_, p) in flow.namedParameters() { p.wrappedValue = p.wrappedValue + g.normal(p.wrappedValue.shape) * scale }
        return flow
    }

    @Test func flowOnAFlowIntegratesToOneAndOwnsTheBaseParameters() {
        var g = RandomGenerator(seed: 1)
        let inner = randomize(Flow.maf(dimension: 2, layers: 2, hidden: [8], actNorm: false, generator: &g), generator: &g)
        let outer = randomize(Flow(eventShape: [2], transforms: Flow.maf(dimension: 2, layers: 1, hidden: [8], actNorm: false,
                                                                         generator: &g).transforms,
                                   base: inner), generator: &g)
        // The base's parameters belong to the outer flow (they train with it and checkpoint under base.…).
        let paths = outer.namedParameters().map(\.path)
        #expect(paths.contains { $0.hasPrefix("base.") } && paths.contains { $0.hasPrefix("transforms.") })
        #expect(paths.count == inner.namedParameters().count + outer.transforms.flatMap { $0.namedParameters() }.count)

        // log p(x) = log p_inner(f⁻¹(x)) + log |det ∂f⁻¹/∂x|.
        let x = g.normal([6, 2])
        let (z, logDet) = outer.latentAndLogAbsDetJacobian(x, context: nil)
        expectClose(outer.logProb(x), inner.logProb(z) + logDet, relative: 1e-5, absolute: 1e-5)

        // The density integrates to 1 on a grid (trapezoids are plain sums here: it vanishes at the edges).
        let n = 301, lo: Float = -9, step: Float = 18 / Float(n - 1)
        var points = [Float]()
        for i in 0..<n { for j in 0..<n { points += [lo + Float(i) * step, lo + Float(j) * step] } }
        let density = outer.logProb(Tensor(shape: [n * n, 2], scalars: points)).exp().scalars
        let integral = density.reduce(0.0) { $0 + Double($1) } * Double(step * step)
        #expect(abs(integral - 1) < 1e-2, "∫ p = \(integral)")

        // Draws (any sample shape) are scored by sampleAndLogProb as by logProb.
        let (s, logP) = outer.sampleAndLogProb([3, 4], generator: &g)
        #expect(s.shape == [3, 4, 2] && logP.shape == [3, 4])
        expectClose(outer.logProb(s), logP, relative: 1e-4, absolute: 1e-4)
        #expect(outer.sample([5], generator: &g).shape == [5, 2])
    }

    @Test func flowIsAVAEPrior() throws {
        var g = RandomGenerator(seed: 2)
        var configuration = VAEConfiguration(latentDimension: 2, hidden: [16], likelihood: .bernoulli, binarizes: true,
                                             evaluationSamples: 4)
        configuration.prior = .flow { z, g in Flow.maf(dimension: z, layers: 2, hidden: [8], actNorm: false, generator: &g) }
        let model = VAE(configuration: configuration, data: digitsDescription, generator: &g)
        let prior = try #require(model.prior as? FlowPrior)
        #expect(model.namedParameters().contains { $0.path.hasPrefix("prior-flow.") })
        // log p(z) is the flow's density; samples come from the flow.
        let z = g.normal([5, 2])
        expectClose(model.priorLogProb(z), prior.flow.logProb(z))
        #expect(model.samplePrior(count: 7, generator: &g).shape == [7, 2])
        // No analytic KL against a flow: the bound uses the Monte-Carlo KL, and the prior trains.
        let batch = try Digits.load(.train).batch(at: Array(0..<16), generator: &g)
        let (x, _) = model.prepare(batch, training: false, generator: &g)
        let terms = model.elboTerms(x, generator: &g)
        #expect(terms.klPerDimension == nil && terms.kl.shape == [16])
        let gradients = gradient(of: model) { m in
            m.trainingLoss(batch, progress: TrainingProgress(step: 0, epoch: 0), generator: &g).loss
        }
        #expect(gradients.keys.contains { $0.hasPrefix("prior-flow.") && gradients[$0]!.scalars.contains { $0 != 0 } })
        let sums = model.evaluationSums(batch, generator: &g)
        #expect(sums["nll"]!.isFinite && sums["kl"]!.isFinite)
    }

    @Test func flowIsAVAEPosterior() throws {
        var g = RandomGenerator(seed: 3)
        var configuration = VAEConfiguration(latentDimension: 3, hidden: [16], likelihood: .bernoulli, binarizes: true,
                                             evaluationSamples: 4)
        configuration.posterior = .flow(contextSize: 5) { z, g in
            Flow.maf(dimension: z, layers: 2, hidden: [8], actNorm: false, contextSize: 5, generator: &g)
        }
        let model = VAE(configuration: configuration, data: digitsDescription, generator: &g)
        #expect(model.posteriorFamily is ConditionalFlowPosterior)
        #expect(model.namedParameters().contains { $0.path.hasPrefix("posterior-flow.") })
        let batch = try Digits.load(.train).batch(at: Array(0..<8), generator: &g)
        let (x, _) = model.prepare(batch, training: false, generator: &g)
        // q(z | x) is a distribution over [Z] per example: its draws are scored the same way
        // along the sampling pass and through the inverse.
        let q = model.posterior(x)
        #expect(q.batchShape == [8] && q.eventShape == [3])
        let (z, logQ) = q.sampleAndLogProb([4], generator: &g)
        #expect(z.shape == [4, 8, 3])
        expectClose(q.logProb(z), logQ, relative: 1e-4, absolute: 1e-4)
        #expect(model.posteriorLocation(x).shape == [8, 3])
        // KL(q ‖ N(0, I)) has no rule: Monte Carlo, never a trap.
        let kl = klDivergence(q, model.priorDistribution(), fallbackSamples: 16, generator: &g)
        #expect(kl.shape == [8] && kl.scalars.allSatisfy(\.isFinite))
        // It trains: the flow's parameters get gradients.
        let gradients = gradient(of: model) { m in
            m.trainingLoss(batch, progress: TrainingProgress(step: 0, epoch: 0), generator: &g).loss
        }
        #expect(gradients.keys.contains { $0.hasPrefix("posterior-flow.") && gradients[$0]!.scalars.contains { $0 != 0 } })
        let sums = model.evaluationSums(batch, generator: &g)
        #expect(sums["nll"]!.isFinite)
    }

    /// A flow posterior and a flow prior in one VAE keep their parameters apart (both once
    /// inlined as `flow.…`, which made the gradient's dictionary trap) and both train.
    @Test func flowPosteriorAndFlowPriorTogether() throws {
        var g = RandomGenerator(seed: 4)
        var configuration = VAEConfiguration(latentDimension: 3, hidden: [16], likelihood: .bernoulli, binarizes: true,
                                             evaluationSamples: 4)
        configuration.posterior = .flow(contextSize: 4) { z, g in
            Flow.maf(dimension: z, layers: 2, hidden: [8], contextSize: 4, generator: &g)
        }
        configuration.prior = .flow { z, g in Flow.maf(dimension: z, layers: 2, hidden: [8], generator: &g) }
        let model = VAE(configuration: configuration, data: digitsDescription, generator: &g)
        let paths = model.namedParameters().map(\.path)
        #expect(Set(paths).count == paths.count)
        let batch = try Digits.load(.train).batch(at: Array(0..<8), generator: &g)
        let gradients = gradient(of: model) { m in
            m.trainingLoss(batch, progress: TrainingProgress(step: 0, epoch: 0), generator: &g).loss
        }
        for prefix in ["posterior-flow.", "prior-flow."] {
            #expect(gradients.keys.contains { $0.hasPrefix(prefix) && gradients[$0]!.scalars.contains { $0 != 0 } }, "\(prefix)")
        }
    }
}
