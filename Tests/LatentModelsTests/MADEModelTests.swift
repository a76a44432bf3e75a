import Foundation
import LatentCore
import LatentData
import LatentModels
import LatentNN
import Testing

/// MADE's masks and the `made` density model of binary images.
@Suite struct MADEModelTests {
    /// ∂ output i / ∂ input j is exactly zero unless j precedes i in the ordering, for
    /// several orderings and connectivities (and nonzero for some preceding pairs).
    @Test func masksGiveAutoregressiveJacobians() {
        var g = RandomGenerator(seed: 5)
        let d = 6, p = 2
        let made = MADE(dimension: d, hidden: [9, 8], parametersPerDimension: p, generator: &g)
        let last = made.layers[made.layers.count - 1]
        last.weight = g.normal(last.weight.shape)
        let orderings = [Array(0..<d), Array((0..<d).reversed()), g.permutation(d), g.permutation(d)]
        for (n, ordering) in orderings.enumerated() {
            let degrees = n % 2 == 0 ? nil : MADE.randomDegrees(made.hidden, dimension: d, generator: &g)
            made.setConnectivity(ordering: ordering, hiddenDegrees: degrees)
            let position = Dictionary(uniqueKeysWithValues: ordering.enumerated().map { ($1, $0) })
            let x = g.normal([4, d])
            var dependencies = 0
            for i in 0..<d {
                for k in 0..<p {
                    let grad = gradient(at: x) { made($0, context: nil).sliced(starts: [0, i, k], sizes: [4, 1, 1]).sum() }
                    for j in 0..<d {
                        let column = (0..<4).map { grad.scalars[$0 * d + j] }
                        if position[j]! >= position[i]! {
                            #expect(column.allSatisfy { $0 == 0 }, "ordering \(ordering): output \(i) depends on input \(j)")
                        } else if column.contains(where: { $0 != 0 }) {
                            dependencies += 1
                        }
                    }
                }
            }
            #expect(dependencies > 0, "ordering \(ordering): no dependencies at all")
        }
    }

    /// The mask ensemble is a distribution: its probabilities of all 2^D binary images sum to 1.
    @Test(arguments: [("natural", "1"), ("agnostic", "3"), ("random", "2")])
    func probabilitiesOfAllBinaryInputsSumToOne(ordering: String, masks: String) throws {
        var g = RandomGenerator(seed: 1)
        let data = DataDescription(featureShape: [1, 2, 2], kind: .image(levels: 256), name: "tiny")
        let options = try ModelOptions(["hidden": "8,8", "ordering": ordering, "masks": masks, "binarization": "none"],
                                       declared: MADEModel.options, model: MADEModel.modelName)
        let model = try MADEModel(options: options, data: data, generator: &g)
        let last = model.network.layers[model.network.layers.count - 1]
        last.weight = g.normal(last.weight.shape)
        let all = Tensor(shape: [16, 4], scalars: (0..<16).flatMap { v in (0..<4).map { Float((v >> $0) & 1) } })
        let total = model.logProbability(all).scalars.reduce(0.0) { $0 + exp(Double($1)) }
        #expect(abs(total - 1) < 1e-5, "\(total)")
    }

    /// Cycling K masks through training resumes exactly, and the NLL falls.
    @Test func agnosticTrainingResumesExactly() throws {
        let folder = temporaryFolder("made-resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        var c = TrainingConfiguration()
        c.modelName = "made"
        c.dataset = "digits"
        c.steps = 8
        c.batchSize = 32
        c.logEvery = 2
        c.validateEvery = 4
        c.modelOptions = ["hidden": "32,32", "masks": "3", "ordering": "agnostic"]
        let run = try expectExactResume(c, in: folder, interruptAt: 5)
        let validation = run.readMetrics().filter { $0.split == "validation" }
        #expect(validation.count == 2 && validation[1].loss < validation[0].loss, "\(validation.map(\.loss))")
        let trained = try TrainedRun(run)
        var s = RandomGenerator(seed: 0)
        let samples = trained.model.sample(count: 2, generator: &s)
        #expect(samples.scalars.allSatisfy { $0 == 0 || $0 == 1 })
    }

    /// Incremental sampling (first layer updated by one column, one output block) sees the
    /// same logits as a full pass per coordinate, so it draws the same samples; and it is
    /// faster at MNIST size (the measured speed-up is printed).
    @Test func incrementalSamplingMatchesFullPasses() throws {
        var g = RandomGenerator(seed: 3)
        let d = 30, n = 8
        let made = MADE(dimension: d, hidden: [40, 40], parametersPerDimension: 1, generator: &g)
        let last = made.layers[made.layers.count - 1]
        last.weight = g.normal(last.weight.shape)
        made.setConnectivity(ordering: g.permutation(d), hiddenDegrees: MADE.randomDegrees(made.hidden, dimension: d, generator: &g))
        let thresholds = g.uniform([d, n]).scalars
        func run(_ incremental: Bool) -> (samples: [Float], logits: [Float]) {
            var seen = [Float](repeating: 0, count: d * n)
            let x = made.sampleAutoregressively(count: n, incremental: incremental) { i, out in
                let l = out.scalars
                for b in 0..<n { seen[i * n + b] = l[b] }
                return (0..<n).map { thresholds[i * n + $0] < 1 / (1 + exp(-l[$0])) ? 1 : 0 }
            }
            return (x.scalars, seen)
        }
        let a = run(true), b = run(false)
        #expect(a.samples == b.samples)
        #expect(zip(a.logits, b.logits).map { abs($0 - $1) }.max()! < 1e-4)
        #expect(Set(a.samples).count == 2, "both values drawn")

        // MNIST size: 784 inputs, two hidden layers of 500, 32 samples.
        let data = DataDescription(featureShape: [1, 28, 28], kind: .image(levels: 256), name: "mnist-shaped")
        let model = try MADEModel(options: ModelOptions([:], declared: MADEModel.options, model: MADEModel.modelName), data: data, generator: &g)
        var s1 = RandomGenerator(seed: 0), s2 = RandomGenerator(seed: 0)
        let clock = ContinuousClock()
        let incremental = clock.measure { _ = model.sample(count: 32, incremental: true, generator: &s1) }
        let full = clock.measure { _ = model.sample(count: 32, incremental: false, generator: &s2) }
        print("MADE sampling, 784 pixels, hidden 500-500, 32 samples: incremental \(incremental), full passes \(full), speed-up \(full / incremental)")
        #expect(incremental < full)
    }

    func mixtureMADE(_ data: DataDescription, _ extra: [String: String] = [:]) throws -> MADEModel {
        var g = RandomGenerator(seed: 2)
        let options = try ModelOptions(["hidden": "16,16", "output": "gaussian-mixture", "components": "3"].merging(extra) { $1 },
                                       declared: MADEModel.options, model: MADEModel.modelName)
        let model = try MADEModel(options: options, data: data, generator: &g)
        let last = model.network.layers[model.network.layers.count - 1]
        last.weight = 0.5 * g.normal(last.weight.shape)
        return model
    }

    /// Gaussian-mixture conditionals: the 2-D density integrates to 1 on a grid (several
    /// masks and orderings), incremental sampling equals full passes, and bad data is refused.
    @Test func gaussianMixtureOutputsAreADensity() throws {
        let plane = DataDescription(featureShape: [2], kind: .continuous, name: "plane")
        for extra in [[:], ["ordering": "reverse"], ["ordering": "agnostic", "masks": "2"]] {
            let model = try mixtureMADE(plane, extra)
            let n = 240, low: Float = -12, step: Float = 24 / Float(n)
            var points = [Float]()
            for i in 0..<n { for j in 0..<n { points += [low + (Float(i) + 0.5) * step, low + (Float(j) + 0.5) * step] } }
            let logP = model.logProbability(Tensor(shape: [n * n, 2], scalars: points)).scalars
            let integral = logP.reduce(0.0) { $0 + exp(Double($1)) } * Double(step * step)
            #expect(abs(integral - 1) < 0.01, "\(extra): \(integral)")
        }
        let model = try mixtureMADE(DataDescription(featureShape: [5], kind: .continuous, name: "five"))
        var s1 = RandomGenerator(seed: 4), s2 = RandomGenerator(seed: 4)
        let a = model.sample(count: 16, incremental: true, generator: &s1).scalars
        let b = model.sample(count: 16, incremental: false, generator: &s2).scalars
        #expect(zip(a, b).map { abs($0 - $1) }.max()! < 1e-4)
        #expect(Set(a).count > 40, "real values drawn")
        let text = DataDescription(featureShape: [4], kind: .text(.bytes), name: "t")
        #expect(throws: ModelOptionError.self) { try mixtureMADE(text) }
        #expect(throws: ModelOptionError.self) {
            var g = RandomGenerator(seed: 0)
            _ = try MADEModel(options: ModelOptions([:], declared: MADEModel.options, model: "made"),
                              data: DataDescription(featureShape: [2], kind: .continuous, name: "plane"), generator: &g)
        }
    }

    /// MADE with Gaussian mixtures learns a 2-D toy density and the dequantised digits through
    /// the trainer (NLL falls; image samples come back in [0, 1]).
    @Test func gaussianMixtureTrainsOnToyAndImageData() throws {
        for (dataset, steps) in [("8gaussians", 60), ("digits", 30)] {
            let folder = temporaryFolder("made-mog-\(dataset)")
            defer { try? FileManager.default.removeItem(at: folder) }
            var c = TrainingConfiguration()
            c.modelName = "made"
            c.dataset = dataset
            c.steps = steps
            c.batchSize = 64
            c.logEvery = 10
            c.validateEvery = steps / 2
            c.modelOptions = ["hidden": "64,64", "output": "gaussian-mixture", "components": "4"]
            let run = RunDirectory(folder.appendingPathComponent("run"))
            #expect(try Trainer(configuration: c, run: run).train() == .completed(step: steps))
            let validation = run.readMetrics().filter { $0.split == "validation" }
            #expect(validation.count == 2 && validation[1].loss < validation[0].loss, "\(dataset): \(validation.map(\.loss))")
            let trained = try TrainedRun(run)
            let samples = trained.sample(count: 4, seed: 0)
            let finite = samples.scalars.allSatisfy { $0.isFinite }
            #expect(finite)
            if dataset == "digits" { #expect(samples.shape == [4, 1, 8, 8] && samples.scalars.allSatisfy { $0 >= 0 && $0 <= 1 }) }
        }
    }
}
