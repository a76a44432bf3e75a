import Foundation
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
            let t = Float(step)
            let bc1 = 1 - Foundation.pow(b1, t)
            let bc2Sqrt = Foundation.sqrt(1 - Foundation.pow(b2, t))
            let stepSize = lr / bc1
            let m0 = slot(path, "exp_avg", like: theta), v0 = slot(path, "exp_avg_sq", like: theta)
            let vmax0 = ams ? slot(path, "max_exp_avg_sq", like: theta) : nil
            let outs = UpdateKernel.outputs(ams ? 4 : 3, like: theta) { o in
                let (p, gp, mp, vp) = (theta.storage.pointer, g.storage.pointer, m0.storage.pointer, v0.storage.pointer)
                let vmaxp = vmax0?.storage.pointer
                let (op, mo, vo) = (o[0], o[1], o[2])
                let vmaxo: UnsafeMutablePointer<Float>? = ams ? o[3] : nil
                // Plain Adam (no decay, no AMSGrad): 16 lanes at a time.
                let vectorised = wd == 0 && !ams
                UpdateKernel.forEachChunk(theta.scalarCount) { range in
                    var i = range.lowerBound
                    if vectorised {
                        typealias V = SIMD16<Float>
                        while i + V.scalarCount <= range.upperBound {
                            let grad = UpdateKernel.load(gp + i)
                            let m = b1 * UpdateKernel.load(mp + i) + (1 - b1) * grad
                            let v = b2 * UpdateKernel.load(vp + i) + (1 - b2) * grad * grad
                            let denom = v.squareRoot() / bc2Sqrt + eps
                            UpdateKernel.store(UpdateKernel.load(p + i) - stepSize * (m / denom), op + i)
                            UpdateKernel.store(m, mo + i)
                            UpdateKernel.store(v, vo + i)
                            i += V.scalarCount
                        }
                    }
                    while i < range.upperBound {
                        var param = p[i]
                        var grad = gp[i]
                        if wd != 0 {
                            if decoupled { param *= 1 - lr * wd } else { grad += wd * param }
                        }
                        let m = b1 * mp[i] + (1 - b1) * grad
                        let v = b2 * vp[i] + (1 - b2) * grad * grad
                        var vUsed = v
                        if let vmaxp, let vmaxo {
                            vUsed = Swift.max(vmaxp[i], v)
                            vmaxo[i] = vUsed
                        }
                        let denom = vUsed.squareRoot() / bc2Sqrt + eps
                        op[i] = param - stepSize * (m / denom)
                        mo[i] = m
                        vo[i] = v
                        i += 1
                    }
                }
            }
            setSlot(path, "exp_avg", outs[1])
            setSlot(path, "exp_avg_sq", outs[2])
            if ams { setSlot(path, "max_exp_avg_sq", outs[3]) }
            return outs[0]
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
