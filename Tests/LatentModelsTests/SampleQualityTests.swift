import Foundation
import LatentCore
import LatentData
@_spi(Testing) import LatentModels
import LatentNN
import LatentTestSupport
import Testing

/// The feature-space sample metrics (FD, precision/recall, density/coverage, the
/// Inception-score analogue), the feature classifier and its cached file, and their use by
/// the image GANs.
@Suite struct SampleQualityTests {
    /// FD of two 2-D Gaussians against the closed form for 2 × 2 matrices:
    /// tr √M = √(tr M + 2√det M) with M = Σ₁^{1/2} Σ₂ Σ₁^{1/2}, tr M = tr Σ₁Σ₂, det M = det Σ₁ det Σ₂.
    @Test func frechetDistanceMatchesTheClosedForm() {
        let m1 = [0.5, -1.0], m2 = [2.0, 0.25]
        let s1 = [2.0, 0.6, 0.6, 1.0], s2 = [0.5, -0.3, -0.3, 3.0]
        let trProduct = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3]
        let det1 = s1[0] * s1[3] - s1[1] * s1[2], det2 = s2[0] * s2[3] - s2[1] * s2[2]
        let closed = (1.5 * 1.5 + 1.25 * 1.25) + 3.0 + 3.5 - 2 * (trProduct + 2 * (det1 * det2).squareRoot()).squareRoot()
        let fd = FeatureSpaceMetrics.frechetDistance(mean1: m1, covariance1: s1, mean2: m2, covariance2: s2)
        #expect(abs(fd - closed) < 1e-10, "\(fd) vs \(closed)")
        // Symmetric in its arguments, zero for identical Gaussians.
        #expect(abs(FeatureSpaceMetrics.frechetDistance(mean1: m2, covariance1: s2, mean2: m1, covariance2: s1) - closed) < 1e-10)
        #expect(FeatureSpaceMetrics.frechetDistance(mean1: m1, covariance1: s1, mean2: m1, covariance2: s1) < 1e-10)

        // From samples: 100,000 draws of each Gaussian (Cholesky factors) land near the closed form.
        var g = RandomGenerator(seed: 3)
        func draw(_ mean: [Double], _ s: [Double]) -> Tensor {
            let l00 = s[0].squareRoot(), l10 = s[2] / l00, l11 = (s[3] - l10 * l10).squareRoot()
            let e: [Double] = g.normal([100_000, 2]).scalars.map(Double.init)
            var out = [Float](repeating: 0, count: 200_000)
            for i in 0..<100_000 {
                let e0 = e[2 * i], e1 = e[2 * i + 1]
                out[2 * i] = Float(mean[0] + l00 * e0)
                out[2 * i + 1] = Float(mean[1] + l10 * e0 + l11 * e1)
            }
            return Tensor(shape: [100_000, 2], scalars: out)
        }
        let sampled = FeatureSpaceMetrics.frechetDistance(draw(m1, s1), draw(m2, s2))
        #expect(abs(sampled - closed) < 0.05 * closed, "\(sampled) vs \(closed)")
    }

    /// The Jacobi eigendecomposition reconstructs a random symmetric matrix.
    @Test func symmetricEigenReconstructs() {
        var g = RandomGenerator(seed: 5)
        let n = 24
        let r = g.normal([n, n]).scalars.map(Double.init)
        let a = (0..<(n * n)).map { (r[$0] + r[($0 % n) * n + $0 / n]) / 2 }
        let e = SymmetricEigen(a, size: n)
        let back = e.function { $0 }
        let largestError = zip(a, back).map { abs($0 - $1) }.max() ?? 0
        #expect(largestError < 1e-10)
        let trace: Double = (0..<n).map { a[$0 * n + $0] }.reduce(0, +)
        let eigenvalueSum: Double = e.values.reduce(0, +)
        #expect(abs(eigenvalueSum - trace) < 1e-10)
    }

    /// Precision, recall, density and coverage on constructed sets.
    @Test func precisionRecallDensityCoverageOfConstructedSets() {
        var g = RandomGenerator(seed: 7)
        let a = g.normal([300, 4])
        // Identical sets: every point in its own ball; each ball holds itself and k neighbours, so density = (k+1)/k.
        let same = FeatureSpaceMetrics.precisionRecallDensityCoverage(real: a, fake: a, neighbours: 5)
        #expect(same.precision == 1 && same.recall == 1 && same.coverage == 1)
        #expect(abs(same.density - 1.2) < 1e-9, "\(same.density)")
        // Far apart: nothing in common.
        let far = FeatureSpaceMetrics.precisionRecallDensityCoverage(real: a, fake: a + 1000, neighbours: 5)
        #expect(far.precision == 0 && far.recall == 0 && far.density == 0 && far.coverage == 0)
        // Two real clusters, generated points on one of them only: precise, half the recall and coverage.
        let clusterA = g.normal([200, 2]), clusterB = g.normal([200, 2]) + 100
        let real = concatenate([clusterA, clusterB], alongAxis: 0)
        let fake = g.normal([400, 2])
        let half = FeatureSpaceMetrics.precisionRecallDensityCoverage(real: real, fake: fake, neighbours: 5)
        #expect(half.precision > 0.9 && abs(half.recall - 0.5) < 0.03 && abs(half.coverage - 0.5) < 0.03, "\(half)")
    }

    /// The Inception-score analogue: K for confident, balanced predictions, 1 for uniform ones.
    @Test func inceptionScoreBounds() {
        let k = 4
        let confident = Tensor(shape: [8, k], scalars: (0..<(8 * k)).map { Float($0 % k == ($0 / k) % k ? 50 : 0) })
        #expect(abs(FeatureSpaceMetrics.inceptionScore(logits: confident) - Double(k)) < 1e-6)
        #expect(abs(FeatureSpaceMetrics.inceptionScore(logits: .zeros([8, k])) - 1) < 1e-9)
    }

    /// A feature network that passes flattened images through and "classifies" by the first pixel.
    final class Passthrough: FeatureNetwork {
        let inputShape = [1, 2, 2]
        func featuresAndLogits(_ images: Tensor) -> (features: Tensor, logits: Tensor?) {
            let f = images.reshaped(to: [images.shape[0], 4])
            let first = f.scalars.enumerated().filter { $0.offset % 4 == 0 }.map { Int($0.element.rounded()) }
            return (f, Tensor(shape: [first.count, 2], scalars: first.flatMap { $0 == 0 ? [10, 0] : [0, 10] }))
        }
    }

    /// ``SampleQuality`` reports every metric and the class accuracy of conditional samples.
    @Test func sampleQualityScoresAndClassAccuracy() {
        var g = RandomGenerator(seed: 9)
        let real = g.uniform([50, 1, 2, 2])
        let quality = SampleQuality(network: Passthrough(), real: real)
        let images = Tensor(shape: [4, 1, 2, 2], scalars: [0, 0.5, 0.5, 0.5, 1, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0, 0.2, 0.2, 0.2])
        let metrics = quality.score(concatenate(Array(repeating: images, count: 3), alongAxis: 0), classes: Array(repeating: [0, 1, 1, 0], count: 3).flatMap { $0 })
        for name in SampleQuality.metricNames { #expect(metrics[name] != nil, "\(name)") }
        #expect(metrics["class-accuracy"] == 0.75 && metrics["class-accuracy-0"] == 1 && metrics["class-accuracy-1"] == 0.5)
        let same = quality.score(real)
        #expect(same["fd"]! < 1e-6 && same["precision"] == 1 && same["coverage"] == 1)
    }

    /// Random shifts move each image by at most the maximum, with zero fill.
    @Test func randomShiftsMoveImages() {
        var g = RandomGenerator(seed: 1)
        let image = Tensor(shape: [1, 1, 5, 5], scalars: (0..<25).map { $0 == 12 ? 1 : 0 })
        for _ in 0..<20 {
            let shifted = FeatureClassifier.randomlyShifted(image, maximum: 1, generator: &g).scalars
            let position = try! #require(shifted.firstIndex(of: 1))
            #expect(shifted.reduce(0, +) == 1 && abs(position / 5 - 2) <= 1 && abs(position % 5 - 2) <= 1)
        }
    }

    /// Trains a classifier on `digits` (8 × 8) for a few epochs and saves it into `folder`.
    static func digitsClassifier(in folder: URL) throws -> FeatureClassifierFile.Record {
        let architecture = FeatureClassifier.Architecture(inputShape: [1, 8, 8], channels: [8, 16], features: 32, classes: 10, dropout: 0.1)
        return try #require(try FeatureClassifierFile.train(dataset: "digits", folder: folder, architecture: architecture,
                                                            settings: .init(epochs: 8, batchSize: 64, learningRate: 3e-3, maximumShift: 0)))
    }

    /// The classifier learns `digits`; its folder loads with the checksum checked, and a
    /// changed, missing or non-finite weights file is refused with one line naming it.
    @Test func classifierTrainsSavesAndLoadsWithItsChecksum() throws {
        let folder = temporaryFolder("feature-classifier")
        defer { try? FileManager.default.removeItem(at: folder) }
        let record = try Self.digitsClassifier(in: folder)
        #expect(record.testAccuracy > 0.85, "\(record.testAccuracy)")
        #expect(record.floor["fd"] != nil && record.floor["precision"]! > 0.5 && record.weightsSHA256.count == 64)
        let (loaded, again) = try FeatureClassifierFile.load(from: folder)
        #expect(again == record)
        let test = try DatasetCatalog.load("digits", split: .test)
        #expect(abs(loaded.accuracy(on: test) - record.testAccuracy) < 1e-12)

        let weights = folder.appendingPathComponent(FeatureClassifierFile.weightsName)
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 3] ^= 0x40
        try bytes.write(to: weights)
        #expect { try FeatureClassifierFile.load(from: folder) } throws: { error in
            let message = (error as? FeatureClassifierFile.LoadError)?.message ?? ""
            return message.contains("SHA-256") && message.contains(weights.path) && !message.contains("\n")
        }
        // NaN weights with a matching checksum: refused by the finiteness check.
        var state = loaded.state()
        state["output.bias"] = Tensor(shape: [10], scalars: Array(repeating: .nan, count: 10))
        let nanBytes = SafeTensors.encode(state)
        try nanBytes.write(to: weights)
        var tampered = record
        tampered.weightsSHA256 = SHA256.hash(nanBytes).hexString
        try JSONEncoder().encode(tampered).write(to: folder.appendingPathComponent(FeatureClassifierFile.recordName))
        #expect { try FeatureClassifierFile.load(from: folder) } throws: { error in
            ((error as? FeatureClassifierFile.LoadError)?.message ?? "").contains("'output.bias' holds NaN")
        }
        try FileManager.default.removeItem(at: weights)
        #expect(throws: FeatureClassifierFile.LoadError.self) { try FeatureClassifierFile.load(from: folder) }
        #expect(throws: FeatureClassifierFile.LoadError.self) { try FeatureClassifierFile.load(from: folder.appendingPathComponent("absent")) }
    }

    /// `feature-network`: auto, none or a folder with '/'; a bad folder or a classifier for
    /// other images is a one-line option error.
    @Test func featureNetworkOptionParsesAndResolves() throws {
        #expect(FeatureNetworkChoice(optionText: "auto")?.optionText == "auto")
        #expect(FeatureNetworkChoice(optionText: "none")?.optionText == "none")
        #expect(FeatureNetworkChoice(optionText: "./features")?.optionText == "./features")
        #expect(FeatureNetworkChoice(optionText: "features") == nil)
        let empty = DatasetStore(root: temporaryFolder("empty-store"))
        let digits = DataDescription(featureShape: [1, 8, 8], kind: .image(levels: 17), name: "digits")
        #expect(try FeatureNetworkChoice.automatic.resolve(for: digits, model: "dcgan", store: empty) == nil)
        #expect { try FeatureNetworkChoice.folder("/nonexistent/classifier").resolve(for: digits, model: "dcgan") } throws: { error in
            let message = (error as? ModelOptionError)?.message ?? ""
            return message.hasPrefix("dcgan: option 'feature-network': ") && !message.contains("\n")
        }
    }

    /// A DCGAN on `digits` measured by a classifier folder: validation logs FD and the other
    /// metrics, `best` follows FD, progress pictures are saved at each validation and shown
    /// by the report, with the losses of both networks on one chart.
    @Test func dcganWithAFeatureNetworkThroughTheTrainer() throws {
        let folder = temporaryFolder("dcgan-fd")
        defer { try? FileManager.default.removeItem(at: folder) }
        let classifierFolder = folder.appendingPathComponent("classifier", isDirectory: true)
        _ = try Self.digitsClassifier(in: classifierFolder)
        let run = RunDirectory(folder.appendingPathComponent("run"))
        var c = TrainingConfiguration()
        c.modelName = "dcgan"
        c.dataset = "digits"
        c.steps = 4
        c.batchSize = 32
        c.modelOptions = ["width": "4", "eval-samples": "60", "feature-network": classifierFolder.path + "/"]
        c.logEvery = 2
        c.validateEvery = 2
        #expect(try Trainer(configuration: c, run: run).train() == .completed(step: 4))
        let validation = run.readMetrics().filter { $0.split == "validation" }
        #expect(validation.count == 2)
        for name in SampleQuality.metricNames + ["sliced-w1"] { #expect(validation.last?.metrics[name] != nil, "\(name)") }
        #expect(validation.last?.loss == validation.last?.metrics["fd"])
        #expect(run.progressImages().map(\.step) == [2, 4])
        let trained = try TrainedRun(run, checkpoint: "best")
        #expect(trained.model.checkpointCriterion == CheckpointCriterion(metric: "fd", lowerIsBetter: true))
        let html = try TrainingReport.html(for: trained)
        #expect(html.contains("Progress") && html.contains("step 4") && html.contains("losses of the networks") && html.contains("validation fd"))
    }

    /// A DCGAN with a generator average: validation and loading recompute the generator's
    /// batch-norm statistics for the averaged parameters (standing statistics), the run
    /// still resumes bit for bit, and the loaded statistics are not the checkpoint's.
    @Test func averagedDCGANUsesStandingStatisticsAndResumesExactly() throws {
        let folder = temporaryFolder("dcgan-ema")
        defer { try? FileManager.default.removeItem(at: folder) }
        var c = TrainingConfiguration()
        c.modelName = "dcgan"
        c.dataset = "digits"
        c.steps = 6
        c.batchSize = 16
        c.modelOptions = ["width": "4", "eval-samples": "40", "feature-network": "none"]
        c.average = PerGroup(groups: ["generator": 0.9])
        c.logEvery = 2
        c.validateEvery = 2
        let run = try expectExactResume(c, in: folder, interruptAt: 3)
        let trained = try TrainedRun(run, checkpoint: "latest")
        let contents = try SafeTensors.read(from: run.latestCheckpoint)
        let path = "generator.normalization1.running_mean"
        let loaded = try #require(trained.model.state()[path]), stored = try #require(contents.tensors["model/" + path])
        #expect(loaded.scalars != stored.scalars, "recomputed for the averaged generator")
        let again = try TrainedRun(run, checkpoint: "latest")
        #expect(again.model.state()[path]!.scalars == loaded.scalars, "deterministic")
        // --trained-weights: the trained parameters and the stored statistics, untouched.
        let trainedWeights = try TrainedRun(run, checkpoint: "latest", usesAverages: false)
        #expect(trainedWeights.model.state()[path]!.scalars == stored.scalars)
        let weight = "generator.projection.weight"
        #expect(trainedWeights.model.state()[weight]!.scalars == contents.tensors["model/" + weight]!.scalars)
        #expect(trained.model.state()[weight]!.scalars == contents.tensors["average/" + weight]!.scalars)
    }
}
