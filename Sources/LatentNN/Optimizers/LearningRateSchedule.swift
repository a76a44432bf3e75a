import LatentCore
import Foundation

/// A learning rate as a function of the optimisation step (0-based).
///
/// ```swift
/// let schedule = CosineDecay(initial: 1e-3, totalSteps: 10_000, warmupSteps: 500)
/// optimizer.learningRate = schedule.learningRate(at: step)
/// ```
public protocol LearningRateSchedule: Sendable {
    func learningRate(at step: Int) -> Float
}

/// A fixed learning rate.
public struct ConstantLearningRate: LearningRateSchedule {
    public var value: Float
    public init(_ value: Float) { self.value = value }
    public func learningRate(at step: Int) -> Float { value }
}

/// Multiplies the rate by `gamma` every `stepSize` steps (PyTorch's StepLR).
public struct StepDecay: LearningRateSchedule {
    public var initial: Float, stepSize: Int, gamma: Float
    public init(initial: Float, stepSize: Int, gamma: Float = 0.1) {
        ensure(stepSize > 0, "StepDecay: stepSize must be positive")
        self.initial = initial; self.stepSize = stepSize; self.gamma = gamma
    }
    public func learningRate(at step: Int) -> Float { initial * Foundation.pow(gamma, Float(step / stepSize)) }
}

/// lr = initial · γ^step (PyTorch's ExponentialLR).
public struct ExponentialDecay: LearningRateSchedule {
    public var initial: Float, gamma: Float
    public init(initial: Float, gamma: Float) { self.initial = initial; self.gamma = gamma }
    public func learningRate(at step: Int) -> Float { initial * Foundation.pow(gamma, Float(step)) }
}

/// Linear warm-up from `initial · startFactor` to `initial` over `warmupSteps`, then constant.
public struct LinearWarmup: LearningRateSchedule {
    public var initial: Float, warmupSteps: Int, startFactor: Float
    public init(initial: Float, warmupSteps: Int, startFactor: Float = 0) {
        self.initial = initial; self.warmupSteps = warmupSteps; self.startFactor = startFactor
    }
    public func learningRate(at step: Int) -> Float {
        guard warmupSteps > 0, step < warmupSteps else { return initial }
        let f = startFactor + (1 - startFactor) * Float(step) / Float(warmupSteps)
        return initial * f
    }
}

/// Cosine decay (Loshchilov & Hutter 2017, without restarts) from `initial` to `minimum`
/// over `totalSteps`, after an optional linear warm-up from 0 over `warmupSteps`
/// (the schedule of nanoGPT).
public struct CosineDecay: LearningRateSchedule {
    public var initial: Float, totalSteps: Int, warmupSteps: Int, minimum: Float
    public init(initial: Float, totalSteps: Int, warmupSteps: Int = 0, minimum: Float = 0) {
        ensure(totalSteps > warmupSteps, "CosineDecay: totalSteps must exceed warmupSteps")
        self.initial = initial; self.totalSteps = totalSteps; self.warmupSteps = warmupSteps; self.minimum = minimum
    }
    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return initial * Float(step + 1) / Float(warmupSteps) }
        if step >= totalSteps { return minimum }
        let progress = Double(step - warmupSteps) / Double(totalSteps - warmupSteps)
        return minimum + (initial - minimum) * Float(0.5 * (1 + cos(Double.pi * progress)))
    }
}
