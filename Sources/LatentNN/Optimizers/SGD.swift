import LatentCore

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight
/// decay, as in PyTorch (`torch.optim.SGD`).
///
/// g ← g + λθ; b ← μb + (1−τ)g (b = g on the first step); g ← g + μb (Nesterov) or b;
/// θ ← θ − lr·g. Nesterov momentum follows Sutskever et al. 2013.
public final class SGD: StatefulOptimizer, Optimizer {
    public var momentum: Float
    public var dampening: Float
    public var nesterov: Bool
    public var weightDecay: Float

    public init(learningRate: Float, momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        ensure(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum requires momentum > 0 and zero dampening")
        self.momentum = momentum; self.dampening = dampening; self.nesterov = nesterov; self.weightDecay = weightDecay
        super.init(kind: "sgd", learningRate: learningRate)
    }

    public func update(_ model: Module, with gradients: [String: Tensor]) {
        let (lr, mu, tau, wd, nesterov) = (learningRate, momentum, dampening, weightDecay, self.nesterov)
        forEachParameter(model, gradients) { path, theta, g in
            let previous = mu != 0 ? slots[path]?["momentum_buffer"] : nil
            let outs = sgdUpdate(parameter: theta, gradient: g, momentumBuffer: previous, learningRate: lr, momentum: mu,
                                 dampening: tau, nesterov: nesterov, weightDecay: wd)
            if let b = outs.momentumBuffer { setSlot(path, "momentum_buffer", b) }
            return outs.parameter
        }
    }
}
