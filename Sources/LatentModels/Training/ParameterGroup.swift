import Foundation
import LatentNN

/// A named set of a model's parameters trained by one optimiser (a GAN's `generator` and
/// `discriminator`; `model` for single-loss families), with the family's default settings.
///
/// Every trainable parameter must belong to exactly one group: the trainer checks this when
/// it builds the optimisers.
public struct ParameterGroup: Sendable, Equatable {
    /// The group of a single-loss family.
    public static let defaultName = "model"

    public var name: String
    /// Path prefixes of the group's parameters (`"generator."`); empty means every parameter.
    public var prefixes: [String]
    /// The family's defaults; flags and configuration keys override them per group.
    public var defaults: OptimizerSettings

    public init(_ name: String, prefixes: [String] = [], defaults: OptimizerSettings = OptimizerSettings()) {
        self.name = name
        self.prefixes = prefixes
        self.defaults = defaults
    }

    /// Checks that every trainable parameter of `model` belongs to exactly one of `groups`.
    public static func checkCoverage(_ groups: [ParameterGroup], of model: Module) throws(TrainingError) {
        for (path, p) in model.namedParameters() where !p.isFrozen {
            let owners = groups.filter { $0.contains(path) }.map(\.name)
            guard owners.count == 1 else {
                throw TrainingError("\(type(of: model)): parameter '\(path)' belongs to \(owners.isEmpty ? "no parameter group" : "the groups \(owners.joined(separator: ", "))"); each trainable parameter must belong to exactly one")
            }
        }
    }

    /// Whether the parameter at `path` belongs to the group.
    public func contains(_ path: String) -> Bool {
        prefixes.isEmpty || prefixes.contains { path.hasPrefix($0) }
    }
}

/// How one parameter group is optimised: the optimiser and its hyper-parameters, the
/// learning-rate schedule, gradient clipping and an optional parameter average.
public struct OptimizerSettings: Sendable, Equatable, Codable {
    /// The optimiser kinds: `adam`, `adamw`, `sgd` (momentum 0.9) and `rmsprop`.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case adam, adamw, sgd, rmsprop
    }
    /// Learning-rate schedules: `constant`, `cosine` (to 0 at the end) and `step` (×0.1 every third of the run).
    public enum Schedule: String, Sendable, Codable, CaseIterable {
        case constant, cosine, step
    }

    public var optimizer: Kind = .adam
    public var learningRate: Double = 1e-3
    /// β₁ and β₂ of Adam/AdamW.
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var schedule: Schedule = .constant
    public var warmupSteps: Int = 0
    /// Maximum global L2 norm of the group's gradient; nil for no clipping.
    public var clipNorm: Double?
    /// Decay of an exponential moving average of the group's parameters, used for
    /// validation, evaluation and sampling; nil for none.
    public var averageDecay: Double?

    public init(optimizer: Kind = .adam, learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                schedule: Schedule = .constant, warmupSteps: Int = 0, clipNorm: Double? = nil, averageDecay: Double? = nil) {
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.schedule = schedule
        self.warmupSteps = warmupSteps
        self.clipNorm = clipNorm
        self.averageDecay = averageDecay
    }

    /// A new optimiser with these settings.
    public func makeOptimizer() -> any Optimizer {
        let lr = Float(learningRate)
        switch optimizer {
        case .adam: return Adam(learningRate: lr, beta1: Float(beta1), beta2: Float(beta2))
        case .adamw: return AdamW(learningRate: lr, beta1: Float(beta1), beta2: Float(beta2))
        case .sgd: return SGD(learningRate: lr, momentum: 0.9)
        case .rmsprop: return RMSprop(learningRate: lr)
        }
    }

    /// The learning rate of step `step` (0-based) of `totalSteps`: linear warm-up over
    /// `warmupSteps`, then the schedule.
    public func learningRate(step: Int, totalSteps: Int) -> Float {
        let base = Float(learningRate)
        let warmup = warmupSteps
        if step < warmup { return base * Float(step + 1) / Float(warmup) }
        switch schedule {
        case .cosine:
            guard totalSteps > warmup else { return base }
            return CosineDecay(initial: base, totalSteps: totalSteps, warmupSteps: warmup).learningRate(at: step)
        case .step:
            return StepDecay(initial: base, stepSize: max(1, (totalSteps + 2) / 3)).learningRate(at: step)
        case .constant:
            return base
        }
    }

    /// Checks every value; `group` names the group in messages (nil for a single group).
    public func validate(group: String?) throws(TrainingError) {
        let suffix = group.map { " (group '\($0)')" } ?? ""
        guard learningRate > 0, learningRate.isFinite else {
            throw TrainingError("--learning-rate must be a positive number\(suffix), got \(learningRate)")
        }
        guard (0..<1).contains(beta1) else { throw TrainingError("--beta1 must be in [0, 1)\(suffix), got \(beta1)") }
        guard (0..<1).contains(beta2) else { throw TrainingError("--beta2 must be in [0, 1)\(suffix), got \(beta2)") }
        guard warmupSteps >= 0 else { throw TrainingError("--warmup-steps must not be negative\(suffix), got \(warmupSteps)") }
        if let clipNorm, !(clipNorm > 0 && clipNorm.isFinite) {
            throw TrainingError("--clip-norm must be a positive number\(suffix), got \(clipNorm)")
        }
        if let averageDecay, !(averageDecay > 0 && averageDecay < 1) {
            throw TrainingError("--average must be in (0, 1)\(suffix), got \(averageDecay)")
        }
    }
}
