import LatentCore

/// RMSprop (Hinton, Coursera lecture 6e), as in PyTorch (`torch.optim.RMSprop`).
///
/// s ← αs + (1−α)g²; with `centered`, ḡ ← αḡ + (1−α)g and the denominator uses s − ḡ²;
/// d = √s + ε; with momentum μ: b ← μb + g/d, θ ← θ − lr·b; else θ ← θ − lr·g/d.
public final class RMSprop: StatefulOptimizer, Optimizer {
    public var alpha: Float
    public var epsilon: Float
    public var weightDecay: Float
    public var momentum: Float
    public var centered: Bool

    public init(learningRate: Float = 1e-2, alpha: Float = 0.99, epsilon: Float = 1e-8, weightDecay: Float = 0,
                momentum: Float = 0, centered: Bool = false) {
        self.alpha = alpha; self.epsilon = epsilon; self.weightDecay = weightDecay
        self.momentum = momentum; self.centered = centered
        super.init(kind: "rmsprop", learningRate: learningRate)
    }

    public func update(_ model: Module, with gradients: [String: Tensor]) {
        let (lr, a, eps, wd, mu, centered) = (learningRate, alpha, epsilon, weightDecay, momentum, self.centered)
        forEachParameter(model, gradients) { path, theta, g in
            let s0 = slot(path, "square_avg", like: theta)
            let gAvg0 = centered ? slot(path, "grad_avg", like: theta) : nil
            let b0 = mu > 0 ? slot(path, "momentum_buffer", like: theta) : nil
            let outs = UpdateKernel.outputs(4, like: theta) { o in
                let (p, gp, sp) = (theta.storage.pointer, g.storage.pointer, s0.storage.pointer)
                let gap = gAvg0?.storage.pointer, bp = b0?.storage.pointer
                UpdateKernel.forEach(theta.scalarCount) { i in
                    var grad = gp[i]
                    if wd != 0 { grad += wd * p[i] }
                    let s = a * sp[i] + (1 - a) * grad * grad
                    o[1][i] = s
                    var denominator: Float
                    if let gap {
                        let ga = a * gap[i] + (1 - a) * grad
                        o[2][i] = ga
                        denominator = (s - ga * ga).squareRoot() + eps
                    } else {
                        denominator = s.squareRoot() + eps
                    }
                    if let bp {
                        let b = mu * bp[i] + grad / denominator
                        o[3][i] = b
                        o[0][i] = p[i] - lr * b
                    } else {
                        o[0][i] = p[i] - lr * grad / denominator
                    }
                }
            }
            setSlot(path, "square_avg", outs[1])
            if centered { setSlot(path, "grad_avg", outs[2]) }
            if mu > 0 { setSlot(path, "momentum_buffer", outs[3]) }
            return outs[0]
        }
    }
}
