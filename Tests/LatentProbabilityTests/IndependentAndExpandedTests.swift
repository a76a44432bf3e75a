import LatentCore
import LatentProbability
import LatentTestSupport
import Testing

@Suite struct IndependentAndExpandedTests {
    let normal = Normal(loc: Tensor([[0, 1, 2], [1, 1, 1]]), scale: Tensor([0.5, 1, 2]))

    @Test func independentReinterpretsBatchDimensions() {
        let d = normal.independent(reinterpretedBatchDimensions: 1)
        #expect(d.batchShape == [2] && d.eventShape == [3])
        #expect(d.hasRSample && d.support == .real)
        let x = Tensor(shape: [5, 1, 3], scalars: (0..<15).map { Float($0) / 7 })
        let lp = d.logProb(x)
        #expect(lp.shape == [5, 2])
        expectClose(lp, normal.logProb(x).sum(alongAxis: -1))
        expectClose(d.entropy(), normal.entropy().sum(alongAxis: -1))
        expectClose(d.mean, normal.mean)
        expectClose(d.variance, normal.variance)
        var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
        #expect(d.rsample([4], generator: &a).scalars == normal.rsample([4], generator: &b).scalars)
        // Everything reinterpreted, and nothing.
        let all = normal.independent(reinterpretedBatchDimensions: 2)
        #expect(all.batchShape == [] && all.eventShape == [2, 3])
        let full = x.broadcast(to: [5, 2, 3])    // the event dimensions must match exactly
        expectClose(all.logProb(full), normal.logProb(full).sum(alongAxes: [1, 2]))
        let none = normal.independent(reinterpretedBatchDimensions: 0)
        #expect(none.batchShape == [2, 3] && none.eventShape == [])
        expectClose(none.logProb(x), normal.logProb(x))
        // Nested over a vector event: a batch of MVNs becomes one event of shape [2, d].
        let mvn = MultivariateNormal(loc: Tensor(repeating: 0, shape: [2, 2]), scaleTril: Tensor.eye(2))
        let nested = mvn.independent(reinterpretedBatchDimensions: 1)
        #expect(nested.batchShape == [] && nested.eventShape == [2, 2])
        expectClose(nested.logProb(Tensor.ones([2, 2])), mvn.logProb(Tensor.ones([2, 2])).sum())
    }

    @Test func perTypeExpansionKeepsTheType() {
        let e: Normal = Normal(loc: 1, scale: 2).expand([3, 2])
        #expect(e.batchShape == [3, 2])
        expectClose(e.logProb(Tensor(0.5)), Normal(loc: 1, scale: 2).logProb(Tensor(0.5)).broadcast(to: [3, 2]))
        let dirichlet: Dirichlet = Dirichlet(concentration: Tensor([1, 2, 3])).expand([4])
        #expect(dirichlet.batchShape == [4] && dirichlet.eventShape == [3])
        let mvn: MultivariateNormal = MultivariateNormal(loc: Tensor([0, 0]), scaleTril: Tensor.eye(2)).expand([5])
        #expect(mvn.batchShape == [5] && mvn.eventShape == [2])
        let independent: Independent = normal.independent(reinterpretedBatchDimensions: 1).expand([4, 2])
        #expect(independent.batchShape == [4, 2] && independent.eventShape == [3])
        // Every built-in univariate type.
        let types: [any Distribution] = [
            LogNormal(loc: 0, scale: 1).expand([2]), Uniform(low: 0, high: 1).expand([2]), Laplace(loc: 0, scale: 1).expand([2]),
            Logistic(loc: 0, scale: 1).expand([2]), Cauchy(loc: 0, scale: 1).expand([2]),
            StudentT(degreesOfFreedom: 3).expand([2]), Exponential(rate: 1).expand([2]),
            Gamma(concentration: 1).expand([2]), Beta(concentration1: 1, concentration0: 2).expand([2]),
        ]
        for d in types {
            #expect(d.batchShape == [2] && !(d is Expanded), "\(type(of: d))")
        }
    }

    @Test func expandedWrapperBroadcastsEverything() {
        let base = Gamma(concentration: Tensor([[0.5, 2, 4]]), rate: 1)   // batch [1, 3]
        let d = Expanded(base, batchShape: [2, 2, 3])
        #expect(d.batchShape == [2, 2, 3] && d.eventShape == [])
        expectClose(d.logProb(Tensor(0.7)), base.logProb(Tensor(0.7)).broadcast(to: [2, 2, 3]))
        expectClose(d.entropy(), base.entropy().broadcast(to: [2, 2, 3]))
        expectClose(d.mean, base.mean.broadcast(to: [2, 2, 3]))
        expectClose(d.cdf(Tensor(1)), base.cdf(Tensor(1)).broadcast(to: [2, 2, 3]))
        var rng = RandomGenerator(seed: 4)
        let x = d.rsample([3], generator: &rng)
        #expect(x.shape == [3, 2, 2, 3])
        // Re-expanding does not nest wrappers.
        #expect(d.expand([5, 2, 2, 3]).base is Gamma)
        // A wrapper around a multivariate distribution keeps the event dimension last.
        let mvn = MultivariateNormal(loc: Tensor(shape: [1, 2], scalars: [0, 100]), scaleTril: Tensor.eye(2))
        let wrapped = Expanded(mvn, batchShape: [4])
        let y = wrapped.sample([6], generator: &rng)
        #expect(y.shape == [6, 4, 2])
        #expect(abs(y.mean(alongAxes: [0, 1]).scalars[1] - 100) < 1)
        #expect(wrapped.logProb(y).shape == [6, 4])
    }

    @Test func gradientsFlowThroughWrappers() {
        expectGradient(at: [Tensor([0.2, -0.4, 1]), Tensor([0.7, 1.2, 2])], tolerance: 1e-2, epsilon: 1e-3) {
            Normal(loc: $0[0], scale: $0[1]).independent(reinterpretedBatchDimensions: 1).logProb(Tensor([[0.1, 0.2, 0.3], [1, -1, 2]]))
        }
        expectGradient(at: [Tensor([0.2, -0.4]), Tensor([0.7, 1.2])], tolerance: 1e-2, epsilon: 1e-3) {
            Expanded(Normal(loc: $0[0], scale: $0[1]), batchShape: [3, 2]).entropy()
        }
    }
}
