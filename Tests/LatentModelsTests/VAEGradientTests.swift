import Foundation
import LatentCore
import LatentData
import LatentModels
import LatentNN
import LatentProbability
import Testing

@Suite struct VAEGradientTests {
    /// For a linear-Gaussian decoder the ELBO is closed form:
    /// `E_q log p(x|z) = −½σ⁻²(‖x − Wμ − b‖² + Σⱼ sⱼ²‖W₋ⱼ‖²) − (D/2) log 2πσ²`, so the average of
    /// many reparameterised gradient estimates must match its exact gradient.
    @Test func reparameterisedELBOGradientIsUnbiased() {
        let model = linearGaussianVAE(d: 2, z: 2, sigma: 0.7, seed: 5)
        let x = Tensor(shape: [1, 2], scalars: [0.4, -0.9])
        let copies = 20_000
        let tiled = x.broadcast(to: [copies, 2])
        var g = RandomGenerator(seed: 11)
        let estimate = gradient(of: model) { m in -m.elbo(tiled, generator: &g).mean() }
        let exact = gradient(of: model) { m in
            let q = m.posterior(x) as! Independent
            let normal = q.base as! Normal
            let layer = (m.decoder.network as! MultilayerPerceptron).layers[0]
            let residual = x - linear(normal.loc, weight: layer.weight, bias: layer.bias)
            let spread = (normal.variance * layer.weight.square().sum(alongAxis: 0)).sum()
            let expected = (residual.square().sum() + spread) * Float(-0.5 / 0.49) - Float(log(2 * Double.pi * 0.49))
            return (try! klDivergence(q, m.priorDistribution())).sum() - expected
        }
        for (path, e) in exact {
            let a = estimate[path]!.scalars, b = e.scalars
            for (u, v) in zip(a, b) {
                #expect(abs(u - v) < 0.03 + 0.03 * abs(v), "\(path): average estimate \(a) vs exact \(b)")
            }
        }
    }

    /// DReG and the standard IWAE estimator have the same expectation (the gradient of the
    /// IWAE bound) for every parameter.
    @Test func dregAgreesWithStandardIWAEGradientOnAverage() {
        var g = RandomGenerator(seed: 2)
        let data = DataDescription(featureShape: [2], kind: .continuous, name: "toy")
        func configuration(_ estimator: IWAEGradientEstimator) -> VAEConfiguration {
            VAEConfiguration(latentDimension: 2, hidden: [], likelihood: .gaussianFixed, observationStandardDeviation: 0.6,
                             objective: VAEObjective(bound: .iwae, samples: 5, estimator: estimator))
        }
        let standard = IWAE(configuration: configuration(.standard), data: data, generator: &g)
        g = RandomGenerator(seed: 2)
        let dreg = IWAE(configuration: configuration(.dreg), data: data, generator: &g)
        let x = Tensor(shape: [1, 2], scalars: [1.1, -0.3]).broadcast(to: [20_000, 2])
        var g1 = RandomGenerator(seed: 9), g2 = RandomGenerator(seed: 10)
        let a = gradient(of: standard) { $0.loss(x, condition: nil, step: 0, generator: &g1).loss }
        let b = gradient(of: dreg) { $0.loss(x, condition: nil, step: 0, generator: &g2).loss }
        #expect(Set(a.keys) == Set(b.keys))
        for (path, ga) in a {
            for (u, v) in zip(ga.scalars, b[path]!.scalars) {
                #expect(abs(u - v) < 0.02 + 0.05 * abs(u), "\(path): standard \(ga.scalars) vs DReG \(b[path]!.scalars)")
            }
        }
    }

    @Test func freeBitsAndWarmupShapeTheKLTerm() {
        var objective = VAEObjective(beta: 2, klWarmupSteps: 100)
        #expect(objective.klWeight(step: 0) == 0)
        #expect(objective.klWeight(step: 50) == 1)
        #expect(objective.klWeight(step: 500) == 2)
        objective.klWarmupSteps = 0
        #expect(objective.klWeight(step: 0) == 2)
    }
}
