import Foundation
import LatentCore
import LatentNN

/// What a family's ``GenerativeModel/trainingStep(_:context:)`` works with: where training
/// is, the step's random numbers, and ``update(_:createGraph:_:)``, which differentiates a
/// loss with respect to one parameter group and steps that group's optimiser.
///
/// ```swift
/// // a GAN step: the discriminator first, then the generator
/// let dLoss = try context.update("discriminator") { discriminatorLoss(real, fake.detached()) }
/// let gLoss = try context.update("generator") { generatorLoss(generator(noise)) }
/// return StepResult(loss: dLoss, metrics: ["generator-loss": gLoss])
/// ```
public final class TrainingStepContext {
    /// The step (0-based) and epoch.
    public let progress: TrainingProgress
    /// The step's generator: a pure function of the run's seed and the step, so a resumed
    /// run draws the same numbers.
    public var generator: RandomGenerator
    /// The optimiser state of each group.
    let groups: [String: TrainableGroup]
    let model: Module
    /// Updates made in this step, by group.
    public private(set) var updates: [String: Int] = [:]

    init(progress: TrainingProgress, generator: RandomGenerator, model: Module, groups: [String: TrainableGroup]) {
        self.progress = progress
        self.generator = generator
        self.model = model
        self.groups = groups
    }

    /// The names of the parameter groups.
    public var groupNames: [String] { groups.keys.sorted() }

    /// Differentiates `loss` with respect to the parameters of `group` (the others are
    /// constants), clips the gradient when the group's settings say so, and applies one
    /// optimiser step with the group's scheduled learning rate; the group's parameter
    /// average, if any, follows. Returns the loss.
    ///
    /// - Parameters:
    ///   - createGraph: record the gradient computation, for losses that contain gradients
    ///     themselves and are differentiated again (WGAN-GP, R1).
    /// - Throws: ``TrainingError`` when the loss is not finite (naming the group and step) or
    ///   the group does not exist.
    @discardableResult
    public func update(_ group: String, createGraph: Bool = false, _ loss: () throws -> Tensor) throws -> Double {
        guard let state = groups[group] else {
            throw TrainingError("the model has no parameter group '\(group)'; its groups: \(groupNames.joined(separator: ", "))")
        }
        let (value, gradients) = try valueAndGradient(of: model, createGraph: createGraph, includes: state.group.contains) { _ in
            try loss()
        }
        let scalar = Double(value.scalar)
        guard scalar.isFinite else {
            let name = groups.count > 1 ? " of '\(group)'" : ""
            throw TrainingError("the training loss\(name) became \(scalar) at step \(progress.step + 1); try a lower --learning-rate or --clip-norm")
        }
        var clipped = gradients
        if let clip = state.settings.clipNorm { clipped = clipGradientsByGlobalNorm(gradients, maximumNorm: Float(clip)).gradients }
        state.optimizer.learningRate = state.learningRate
        state.optimizer.update(model, with: clipped)
        state.average?.update(from: model)
        updates[group, default: 0] += 1
        return scalar
    }
}

/// One parameter group being trained: its settings, optimiser and parameter average.
final class TrainableGroup {
    let group: ParameterGroup
    let settings: OptimizerSettings
    let optimizer: any Optimizer
    let average: ExponentialMovingAverage?
    /// The learning rate of the current step (set by the trainer before each step).
    var learningRate: Float

    init(group: ParameterGroup, settings: OptimizerSettings, model: Module) {
        self.group = group
        self.settings = settings
        optimizer = settings.makeOptimizer()
        average = settings.averageDecay.map { ExponentialMovingAverage(decay: Float($0), model: model, includes: group.contains) }
        learningRate = Float(settings.learningRate)
    }
}
