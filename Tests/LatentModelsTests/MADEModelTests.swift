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
}
