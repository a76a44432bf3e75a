import ArgumentParser
import Foundation
import Latent

/// `latent classifier train|show`: the feature classifier GAN evaluation measures samples with.
struct ClassifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Train or show the feature classifier that GAN runs are evaluated with (FD, precision/recall, density/coverage).",
        discussion: """
            `latent classifier train --dataset mnist` trains a small CNN on the dataset's \
            training images once and caches it, with a SHA-256 of its weights, in \
            <data store>/classifiers/mnist/. GAN runs on that dataset then report the Fréchet \
            distance and the other feature-space metrics in validation and `latent evaluate` \
            (see docs/CLI.md). These are not Inception-FID numbers: Inception weights are not \
            available offline, and the features here come from a classifier of the dataset itself.
            """,
        subcommands: [Train.self, Show.self])

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Train and cache the feature classifier of a labelled image dataset.")

        @Option(help: "A labelled image dataset, e.g. mnist, fashion-mnist or digits.")
        var dataset: String

        @Option(parsing: .unconditional, help: "Epochs, 1 to 1000.")
        var epochs = 6

        @Option(parsing: .unconditional, help: "Random shifts of the training images of up to this many pixels, 0 to 8.")
        var shift = 2

        @Option(parsing: .unconditional, help: "Batch size, 1 to 100000.")
        var batchSize = 128

        @Option(parsing: .unconditional, help: "Adam's initial learning rate (cosine decay to 0), in (0, 1].")
        var learningRate: Float = 1e-3

        @Option(parsing: .unconditional, help: "Seed of the initial weights, the batch order and dropout.")
        var seed: UInt64 = 0

        @Option(help: "Write here instead of the data store's classifiers/DATASET folder.")
        var output: String?

        @Flag(help: "Replace a classifier that is already there.")
        var force = false

        func run() throws {
            try Inputs.check(epochs, in: 1...1000, flag: "epochs")
            try Inputs.check(batchSize, in: 1...100_000, flag: "batch-size")
            try Inputs.check(shift, in: 0...8, flag: "shift")
            guard learningRate > 0 && learningRate <= 1 else { throw ValidationError("--learning-rate must be in (0, 1], got \(learningRate)") }
            if let output, output.isEmpty { throw ValidationError("--output must name a folder, got an empty path") }
            let folder = output.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? FeatureClassifierFile.folder(dataset: dataset)
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), !isFolder.boolValue {
                throw ValidationError("--output: \(folder.path) is a file, not a folder")
            }
            if FeatureClassifierFile.exists(at: folder) && !force {
                throw ValidationError("a feature classifier already exists in \(folder.path); use --force to replace it")
            }
            let interrupt = InterruptFlag()
            interrupt.install()
            let started = Date()
            let settings = FeatureClassifier.TrainingSettings(epochs: epochs, batchSize: batchSize, learningRate: learningRate, maximumShift: shift, seed: seed)
            let record: FeatureClassifierFile.Record?
            do {
                record = try FeatureClassifierFile.train(dataset: dataset, folder: folder, settings: settings,
                                                         log: { Console.line($0) }, shouldStop: { interrupt.isRaised })
            } catch let error as FeatureClassifierFile.LoadError {
                throw ValidationError(error.message)
            } catch let error as TrainingError {
                throw ValidationError(error.description)
            }
            guard let record else {
                Console.line("interrupted; nothing written")
                Foundation.exit(interrupt.exitStatus)
            }
            Console.line("saved to \(folder.path) in \(Console.number(Date().timeIntervalSince(started))) s")
            Show.print(record, folder: folder)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check and describe a cached feature classifier.")

        @Argument(help: ArgumentHelp("A dataset name (its cached classifier) or a classifier folder.", valueName: "dataset-or-folder"))
        var target: String

        func run() throws {
            let folder = target.contains("/") ? URL(fileURLWithPath: target, isDirectory: true) : FeatureClassifierFile.folder(dataset: target)
            do {
                let (_, record) = try FeatureClassifierFile.load(from: folder)
                Show.print(record, folder: folder)
            } catch {
                throw ValidationError(error.message)
            }
        }

        static func print(_ record: FeatureClassifierFile.Record, folder: URL) {
            let a = record.architecture
            Console.line("feature classifier for \(record.dataset) (\(folder.path))")
            Console.line("  architecture: input \(a.inputShape), convolutions \(a.channels), \(a.features) features, \(a.classes) classes")
            Console.line("  weights SHA-256: \(record.weightsSHA256) (checked)")
            Console.line("  test accuracy: \(Console.number(record.testAccuracy))")
            Console.line("  floor (\(record.floorSamples) training images against \(record.floorSamples) test images):")
            for key in record.floor.keys.sorted() where !key.hasPrefix("class-") { Console.line("    \(key): \(Console.number(record.floor[key]!))") }
        }
    }
}
