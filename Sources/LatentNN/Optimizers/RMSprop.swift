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
            let outs = rmspropUpdate(parameter: theta, gradient: g, squareAverage: s0, gradientAverage: gAvg0,
                                     momentumBuffer: b0, learningRate: lr, alpha: a, epsilon: eps, weightDecay: wd,
                                     momentum: mu)
            setSlot(path, "square_avg", outs.squareAverage)
            if let gAvg = outs.gradientAverage { setSlot(path, "grad_avg", gAvg) }
            if let b = outs.momentumBuffer { setSlot(path, "momentum_buffer", b) }
            return outs.parameter
        }
    }
}
