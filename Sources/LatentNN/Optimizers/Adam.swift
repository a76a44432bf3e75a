import LatentCore

/// Adam (Kingma & Ba 2015), with PyTorch's conventions.
///
/// mₜ = β₁mₜ₋₁ + (1−β₁)g, vₜ = β₂vₜ₋₁ + (1−β₂)g², θ ← θ − lr·m̂ₜ/(√v̂ₜ + ε) with bias-corrected
/// m̂, v̂. `weightDecay` adds λθ to the gradient (L2); for decoupled decay use ``AdamW``.
/// `amsgrad` keeps the running maximum of vₜ (Reddi et al. 2018).
public class Adam: StatefulOptimizer, Optimizer {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public var amsgrad: Bool
    let decoupled: Bool

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, amsgrad: Bool = false) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.amsgrad = amsgrad
        self.decoupled = false
        super.init(kind: "adam", learningRate: learningRate)
    }

    init(kind: String, learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, amsgrad: Bool) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.amsgrad = amsgrad
        self.decoupled = true
        super.init(kind: kind, learningRate: learningRate)
    }

    public func update(_ model: Module, with gradients: [String: Tensor]) {
        let (b1, b2, eps, wd, lr) = (beta1, beta2, epsilon, weightDecay, learningRate)
        let decoupled = self.decoupled, ams = amsgrad
        forEachParameter(model, gradients) { path, theta, g in
            let m0 = slot(path, "exp_avg", like: theta), v0 = slot(path, "exp_avg_sq", like: theta)
            let vmax0 = ams ? slot(path, "max_exp_avg_sq", like: theta) : nil
            let outs = adamUpdate(parameter: theta, gradient: g, firstMoment: m0, secondMoment: v0,
                                  maximumSecondMoment: vmax0, step: step, learningRate: lr, beta1: b1, beta2: b2,
                                  epsilon: eps, weightDecay: wd, decoupledWeightDecay: decoupled)
            setSlot(path, "exp_avg", outs.firstMoment)
            setSlot(path, "exp_avg_sq", outs.secondMoment)
            if let vmax = outs.maximumSecondMoment { setSlot(path, "max_exp_avg_sq", vmax) }
            return outs.parameter
        }
    }
}

/// AdamW (Loshchilov & Hutter 2019): Adam with weight decay decoupled from the gradient,
/// θ ← θ(1 − lr·λ) before the Adam step. PyTorch's default λ = 0.01.
public final class AdamW: Adam {
    public override init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0.01, amsgrad: Bool = false) {
        super.init(kind: "adamw", learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                   weightDecay: weightDecay, amsgrad: amsgrad)
    }
}
