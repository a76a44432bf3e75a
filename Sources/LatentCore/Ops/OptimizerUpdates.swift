import Foundation

/// Fused parameter updates of the optimisers (SGD, Adam/AdamW, RMSprop): each reads a
/// parameter, its gradient and its optimiser state and returns the new values in one pass
/// over the elements, split across cores for large tensors. Nothing is recorded.
///
/// These are the only ops that exist for the optimisers in LatentNN: the update rules,
/// their hyperparameters and state slots stay there, and the loops over raw buffers stay
/// here, with the other kernels (an update is too hot a loop to compose from tensor ops,
/// which would allocate a temporary per arithmetic step).

/// One SGD step with momentum, dampening, Nesterov momentum and L2 weight decay, as in
/// PyTorch's `torch.optim.SGD`:
///
///     g ← g + λθ;  b ← μb + (1−τ)g (b = g on the first step);  g ← g + μb (Nesterov) or b;
///     θ ← θ − lr·g
///
/// - Parameters:
///   - parameter: `θ`.
///   - gradient: `g`, shaped like `θ`.
///   - momentumBuffer: `b` from the previous step; `nil` on the first step.
///   - momentum: `μ`; 0 keeps no buffer.
///   - dampening: `τ`.
///   - nesterov: Use Nesterov momentum (Sutskever et al. 2013).
///   - weightDecay: `λ`.
/// - Returns: The new parameter, and the new momentum buffer when `μ ≠ 0`.
public func sgdUpdate(parameter: Tensor, gradient: Tensor, momentumBuffer: Tensor?, learningRate lr: Float,
                      momentum mu: Float, dampening tau: Float, nesterov: Bool, weightDecay wd: Float)
    -> (parameter: Tensor, momentumBuffer: Tensor?) {
    checkUpdateOperands("sgdUpdate", parameter, [gradient, momentumBuffer])
    let outs = OptimizerKernels.outputs(mu != 0 ? 2 : 1, like: parameter) { o in
        let (p, gp) = (parameter.storage.pointer, gradient.storage.pointer)
        let bp = momentumBuffer?.storage.pointer
        OptimizerKernels.forEach(parameter.scalarCount) { i in
            var grad = gp[i]
            if wd != 0 { grad += wd * p[i] }
            if mu != 0 {
                let b = bp.map { mu * $0[i] + (1 - tau) * grad } ?? grad
                o[1][i] = b
                grad = nesterov ? grad + mu * b : b
            }
            o[0][i] = p[i] - lr * grad
        }
    }
    return (outs[0], mu != 0 ? outs[1] : nil)
}

/// One Adam step (Kingma & Ba 2015) with PyTorch's conventions, or AdamW's decoupled
/// weight decay (Loshchilov & Hutter 2019):
///
///     g ← g + λθ (Adam) or θ ← θ(1 − lr·λ) (AdamW)
///     m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  v̂ ← max(v̂, v) (AMSGrad) or v
///     θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
///
/// Without weight decay or AMSGrad the loop runs 16 lanes at a time.
///
/// - Parameters:
///   - parameter: `θ`.
///   - gradient: `g`, shaped like `θ`.
///   - firstMoment: `m` (`exp_avg`), zeros before the first step.
///   - secondMoment: `v` (`exp_avg_sq`), zeros before the first step.
///   - maximumSecondMoment: `v̂` (`max_exp_avg_sq`) for AMSGrad (Reddi et al. 2018); `nil`
///     without it.
///   - step: `t`, counting from 1.
///   - weightDecay: `λ`.
///   - decoupledWeightDecay: Decay the parameter (AdamW) instead of adding `λθ` to the gradient.
/// - Returns: The new parameter and moments (`maximumSecondMoment` when one was given).
public func adamUpdate(parameter: Tensor, gradient: Tensor, firstMoment: Tensor, secondMoment: Tensor,
                       maximumSecondMoment: Tensor?, step: Int, learningRate lr: Float, beta1 b1: Float,
                       beta2 b2: Float, epsilon eps: Float, weightDecay wd: Float, decoupledWeightDecay decoupled: Bool)
    -> (parameter: Tensor, firstMoment: Tensor, secondMoment: Tensor, maximumSecondMoment: Tensor?) {
    checkUpdateOperands("adamUpdate", parameter, [gradient, firstMoment, secondMoment, maximumSecondMoment])
    let t = Float(step)
    let bc1 = 1 - Foundation.pow(b1, t)
    let bc2Sqrt = Foundation.sqrt(1 - Foundation.pow(b2, t))
    let stepSize = lr / bc1
    let ams = maximumSecondMoment != nil
    let outs = OptimizerKernels.outputs(ams ? 4 : 3, like: parameter) { o in
        let (p, gp) = (parameter.storage.pointer, gradient.storage.pointer)
        let (mp, vp) = (firstMoment.storage.pointer, secondMoment.storage.pointer)
        let vmaxp = maximumSecondMoment?.storage.pointer
        let (op, mo, vo) = (o[0], o[1], o[2])
        let vmaxo: UnsafeMutablePointer<Float>? = ams ? o[3] : nil
        // Plain Adam (no decay, no AMSGrad): 16 lanes at a time.
        let vectorised = wd == 0 && !ams
        OptimizerKernels.forEachChunk(parameter.scalarCount) { range in
            var i = range.lowerBound
            if vectorised {
                typealias V = SIMD16<Float>
                while i + V.scalarCount <= range.upperBound {
                    let grad = VectorMath.load(gp + i, V.scalarCount)
                    let m = b1 * VectorMath.load(mp + i, V.scalarCount) + (1 - b1) * grad
                    let v = b2 * VectorMath.load(vp + i, V.scalarCount) + (1 - b2) * grad * grad
                    let denom = v.squareRoot() / bc2Sqrt + eps
                    VectorMath.store(VectorMath.load(p + i, V.scalarCount) - stepSize * (m / denom), op + i, V.scalarCount)
                    VectorMath.store(m, mo + i, V.scalarCount)
                    VectorMath.store(v, vo + i, V.scalarCount)
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
    return (outs[0], outs[1], outs[2], ams ? outs[3] : nil)
}

/// One RMSprop step (Hinton, Coursera lecture 6e), as PyTorch's `torch.optim.RMSprop`:
///
///     g ← g + λθ;  s ← αs + (1−α)g²;  ḡ ← αḡ + (1−α)g (centred);
///     d = √(s − ḡ²) + ε (centred) or √s + ε;
///     b ← μb + g/d, θ ← θ − lr·b (momentum) or θ ← θ − lr·g/d
///
/// - Parameters:
///   - parameter: `θ`.
///   - gradient: `g`, shaped like `θ`.
///   - squareAverage: `s` (`square_avg`), zeros before the first step.
///   - gradientAverage: `ḡ` (`grad_avg`) for the centred variant; `nil` otherwise.
///   - momentumBuffer: `b` when `momentum > 0`; `nil` otherwise.
///   - alpha: `α`, the smoothing constant.
///   - weightDecay: `λ`.
///   - momentum: `μ`.
/// - Returns: The new parameter and state (the optional parts when given).
public func rmspropUpdate(parameter: Tensor, gradient: Tensor, squareAverage: Tensor, gradientAverage: Tensor?,
                          momentumBuffer: Tensor?, learningRate lr: Float, alpha a: Float, epsilon eps: Float,
                          weightDecay wd: Float, momentum mu: Float)
    -> (parameter: Tensor, squareAverage: Tensor, gradientAverage: Tensor?, momentumBuffer: Tensor?) {
    checkUpdateOperands("rmspropUpdate", parameter, [gradient, squareAverage, gradientAverage, momentumBuffer])
    let outs = OptimizerKernels.outputs(4, like: parameter) { o in
        let (p, gp, sp) = (parameter.storage.pointer, gradient.storage.pointer, squareAverage.storage.pointer)
        let gap = gradientAverage?.storage.pointer, bp = momentumBuffer?.storage.pointer
        OptimizerKernels.forEach(parameter.scalarCount) { i in
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
    return (outs[0], outs[1], gradientAverage == nil ? nil : outs[2], momentumBuffer == nil ? nil : outs[3])
}

/// Traps unless every state tensor is shaped like the parameter.
private func checkUpdateOperands(_ op: String, _ parameter: Tensor, _ others: [Tensor?]) {
    for case let t? in others {
        ensure(t.shape == parameter.shape,
               "\(op): parameter of shape \(shapeString(parameter.shape)) with state or gradient of shape \(shapeString(t.shape))")
    }
}

/// The loops of the optimiser updates over raw buffers.
enum OptimizerKernels {
    /// Calls `body(i)` for every element index, split across cores for large tensors.
    @inline(__always)
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        Parallel.forEachChunk(count: count, minimumChunk: 1 << 16) { r in for i in r { body(i) } }
    }

    /// Calls `body` with contiguous index ranges covering `0..<count`, split across cores
    /// for large tensors (for loops that handle 16 lanes at a time).
    @inline(__always)
    static func forEachChunk(_ count: Int, _ body: (Range<Int>) -> Void) {
        Parallel.forEachChunk(count: count, minimumChunk: 1 << 16, body)
    }

    /// Allocates `n` output tensors shaped like `like` and runs `body` with their pointers.
    static func outputs(_ n: Int, like: Tensor, _ body: ([UnsafeMutablePointer<Float>]) -> Void) -> [Tensor] {
        let storages = (0..<n).map { _ in TensorStorage(uninitializedCount: like.scalarCount) }
        body(storages.map(\.pointer))
        return storages.map { Tensor(shape: like.shape, storage: $0) }
    }
}
