import Foundation
import LatentCore
import LatentTestSupport
import Testing

/// The fused optimiser updates against their formulas written per element in Double (the
/// optimisers' golden tests against PyTorch live in LatentNNTests). 37 elements run the
/// 16-lane body of Adam twice and a tail.
@Suite struct OptimizerUpdatesTests {
    static func random(_ seed: UInt64, low: Float = -1) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return g.uniform([37], low: low, high: 1)
    }

    static func expectMatches(_ t: Tensor, _ expected: [Double], _ comment: String) {
        expectClose(t, Tensor(shape: t.shape, scalars: expected.map(Float.init)), relative: 1e-5, absolute: 1e-6, comment)
    }

    @Test(arguments: [false, true], [false, true])
    func adam(decoupled: Bool, amsgrad: Bool) {
        let (p, g, m, v, vmax) = (Self.random(1), Self.random(2), Self.random(3), Self.random(4, low: 0), Self.random(5, low: 0))
        let (lr, b1, b2, eps, step) = (0.01, 0.9, 0.999, 1e-8, 3)
        for wd in [0.0, 0.1] {
            let out = adamUpdate(parameter: p, gradient: g, firstMoment: m, secondMoment: v,
                                 maximumSecondMoment: amsgrad ? vmax : nil, step: step, learningRate: Float(lr),
                                 beta1: Float(b1), beta2: Float(b2), epsilon: Float(eps), weightDecay: Float(wd),
                                 decoupledWeightDecay: decoupled)
            var ep: [Double] = [], em: [Double] = [], ev: [Double] = [], emax: [Double] = []
            for i in 0..<37 {
                var (pi, gi) = (Double(p.scalars[i]), Double(g.scalars[i]))
                if decoupled { pi *= 1 - lr * wd } else { gi += wd * pi }
                let mi = b1 * Double(m.scalars[i]) + (1 - b1) * gi
                let vi = b2 * Double(v.scalars[i]) + (1 - b2) * gi * gi
                let used = amsgrad ? max(Double(vmax.scalars[i]), vi) : vi
                let denominator = used.squareRoot() / (1 - pow(b2, Double(step))).squareRoot() + eps
                ep.append(pi - lr / (1 - pow(b1, Double(step))) * mi / denominator)
                em.append(mi); ev.append(vi); emax.append(used)
            }
            Self.expectMatches(out.parameter, ep, "parameter")
            Self.expectMatches(out.firstMoment, em, "first moment")
            Self.expectMatches(out.secondMoment, ev, "second moment")
            #expect((out.maximumSecondMoment != nil) == amsgrad)
            if let vmaxOut = out.maximumSecondMoment { Self.expectMatches(vmaxOut, emax, "maximum") }
        }
    }

    @Test(arguments: [false, true])
    func sgd(nesterov: Bool) {
        let (p, g, b) = (Self.random(1), Self.random(2), Self.random(3))
        let (lr, mu, tau, wd) = (0.1, 0.9, nesterov ? 0 : 0.2, 0.01)
        for previous in [nil, b] {
            let out = sgdUpdate(parameter: p, gradient: g, momentumBuffer: previous, learningRate: Float(lr), momentum: Float(mu),
                                dampening: Float(tau), nesterov: nesterov, weightDecay: Float(wd))
            var ep: [Double] = [], eb: [Double] = []
            for i in 0..<37 {
                let gi = Double(g.scalars[i]) + wd * Double(p.scalars[i])
                let bi = previous.map { mu * Double($0.scalars[i]) + (1 - tau) * gi } ?? gi
                ep.append(Double(p.scalars[i]) - lr * (nesterov ? gi + mu * bi : bi))
                eb.append(bi)
            }
            Self.expectMatches(out.parameter, ep, "parameter")
            Self.expectMatches(out.momentumBuffer!, eb, "momentum buffer")
        }
        let plain = sgdUpdate(parameter: p, gradient: g, momentumBuffer: nil, learningRate: 0.5, momentum: 0, dampening: 0,
                              nesterov: false, weightDecay: 0)
        #expect(plain.momentumBuffer == nil)
        Self.expectMatches(plain.parameter, (0..<37).map { Double(p.scalars[$0]) - 0.5 * Double(g.scalars[$0]) }, "plain")
    }

    @Test(arguments: [false, true], [false, true])
    func rmsprop(centered: Bool, momentum: Bool) {
        let (p, g, s, ga, b) = (Self.random(1), Self.random(2), Self.random(3, low: 0.5), Self.random(4, low: -0.5), Self.random(5))
        let (lr, a, eps, wd, mu) = (0.01, 0.99, 1e-8, 0.1, momentum ? 0.9 : 0)
        let out = rmspropUpdate(parameter: p, gradient: g, squareAverage: s, gradientAverage: centered ? ga : nil,
                                momentumBuffer: momentum ? b : nil, learningRate: Float(lr), alpha: Float(a),
                                epsilon: Float(eps), weightDecay: Float(wd), momentum: Float(mu))
        var ep: [Double] = [], es: [Double] = [], ega: [Double] = [], eb: [Double] = []
        for i in 0..<37 {
            let gi = Double(g.scalars[i]) + wd * Double(p.scalars[i])
            let si = a * Double(s.scalars[i]) + (1 - a) * gi * gi
            let gai = a * Double(ga.scalars[i]) + (1 - a) * gi
            let denominator = (centered ? si - gai * gai : si).squareRoot() + eps
            let bi = mu * Double(b.scalars[i]) + gi / denominator
            ep.append(Double(p.scalars[i]) - lr * (momentum ? bi : gi / denominator))
            es.append(si); ega.append(gai); eb.append(bi)
        }
        Self.expectMatches(out.parameter, ep, "parameter")
        Self.expectMatches(out.squareAverage, es, "square average")
        #expect((out.gradientAverage != nil) == centered && (out.momentumBuffer != nil) == momentum)
        if let average = out.gradientAverage { Self.expectMatches(average, ega, "gradient average") }
        if let buffer = out.momentumBuffer { Self.expectMatches(buffer, eb, "momentum buffer") }
    }
}
