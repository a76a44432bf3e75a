import Foundation
import LatentCore
import LatentData
import LatentNN

/// A ``FeatureClassifier`` on disk: a folder with `classifier.safetensors` (the weights) and
/// `classifier.json` (a ``Record``: the architecture, the SHA-256 of the weights file, the
/// test accuracy and the floor of the sample metrics). `latent classifier train --dataset
/// D` writes one to `<data store>/classifiers/D/`, where GAN runs on `D` find it
/// (`feature-network=auto`). Loading checks the checksum, the architecture and that every
/// weight is finite, and says in one line what is wrong otherwise.
public enum FeatureClassifierFile {
    public static let weightsName = "classifier.safetensors"
    public static let recordName = "classifier.json"
    public static let format = "latent-feature-classifier"

    /// What `classifier.json` holds.
    public struct Record: Codable, Equatable, Sendable {
        public var format: String = FeatureClassifierFile.format
        public var version: Int = 1
        /// The dataset the classifier was trained on.
        public var dataset: String
        public var architecture: FeatureClassifier.Architecture
        /// SHA-256 of `classifier.safetensors`, lowercase hex.
        public var weightsSHA256: String
        /// Accuracy on the dataset's test split.
        public var testAccuracy: Double
        public var training: FeatureClassifier.TrainingSettings?
        /// The sample metrics of training images scored against test images (the same
        /// counts a model's evaluation uses): the best a model can hope for.
        public var floor: [String: Double]
        /// How many images of each set the floor used.
        public var floorSamples: Int
        public var created: String?

        public init(dataset: String, architecture: FeatureClassifier.Architecture, weightsSHA256: String, testAccuracy: Double,
                    training: FeatureClassifier.TrainingSettings?, floor: [String: Double], floorSamples: Int, created: String? = nil) {
            self.dataset = dataset
            self.architecture = architecture
            self.weightsSHA256 = weightsSHA256
            self.testAccuracy = testAccuracy
            self.training = training
            self.floor = floor
            self.floorSamples = floorSamples
            self.created = created
        }
    }

    /// Why a classifier folder cannot be used.
    public struct LoadError: Error, CustomStringConvertible, Equatable {
        public let message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// `<store>/classifiers/<dataset>/`.
    public static func folder(dataset: String, store: DatasetStore = .default) -> URL {
        let safe = String(dataset.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        return store.root.appendingPathComponent("classifiers", isDirectory: true).appendingPathComponent(safe, isDirectory: true)
    }

    /// Whether `folder` holds a record (it may still fail to load).
    public static func exists(at folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(recordName).path)
    }

    /// Writes the weights, then the record with their checksum (each file atomically; the
    /// record last, so a folder with a record always has the weights it describes).
    public static func save(_ classifier: FeatureClassifier, record: Record, to folder: URL) throws -> Record {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let bytes = SafeTensors.encode(classifier.state(), metadata: ["format": format, "dataset": record.dataset])
        try AtomicFile.write(bytes, to: folder.appendingPathComponent(weightsName))
        var record = record
        record.weightsSHA256 = SHA256.hash(bytes).hexString
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(record), to: folder.appendingPathComponent(recordName))
        return record
    }

    /// Loads and checks the classifier in `folder`.
    public static func load(from folder: URL) throws(LoadError) -> (classifier: FeatureClassifier, record: Record) {
        let recordURL = folder.appendingPathComponent(recordName), weightsURL = folder.appendingPathComponent(weightsName)
        guard let recordData = try? Data(contentsOf: recordURL) else {
            throw LoadError("\(recordURL.path): no feature classifier here (train one with `latent classifier train --dataset NAME`)")
        }
        let record: Record
        do { record = try JSONDecoder().decode(Record.self, from: recordData) } catch {
            throw LoadError("\(recordURL.path): not a feature-classifier record (\(Self.describe(error)))")
        }
        guard record.format == format, record.version == 1 else {
            throw LoadError("\(recordURL.path): format '\(record.format)' version \(record.version); expected '\(format)' version 1")
        }
        if let problem = record.architecture.problem { throw LoadError("\(recordURL.path): architecture: \(problem)") }
        guard let weights = try? Data(contentsOf: weightsURL) else { throw LoadError("\(weightsURL.path): missing or unreadable") }
        let digest = SHA256.hash(weights).hexString
        guard digest == record.weightsSHA256.lowercased() else {
            throw LoadError("\(weightsURL.path): SHA-256 \(digest) does not match the record's \(record.weightsSHA256); the weights were changed or damaged — retrain with `latent classifier train --dataset \(record.dataset) --force`")
        }
        var generator = RandomGenerator(seed: 0)
        let classifier = FeatureClassifier(architecture: record.architecture, generator: &generator)
        do {
            let contents = try SafeTensors.read(from: weightsURL)
            try classifier.load(state: contents.tensors)
        } catch {
            throw LoadError("\(weightsURL.path): \(Self.describe(error))")
        }
        if let bad = classifier.state().first(where: { !$0.value.scalars.allSatisfy(\.isFinite) }) {
            throw LoadError("\(weightsURL.path): tensor '\(bad.key)' holds NaN or infinite values")
        }
        classifier.eval()
        return (classifier, record)
    }

    static func describe(_ error: Error) -> String {
        // Foundation's own errors print as a dump; their localized description reads as a sentence.
        if error is CocoaError || type(of: error) == NSError.self { return error.localizedDescription }
        return String(describing: error)
    }
}

extension FeatureClassifierFile {
    /// How many images of each set the floor (and a GAN's `latent evaluate`) compares.
    public static let standardSampleCount = 10_000

    /// Trains a ``FeatureClassifier`` on the training split of the labelled image dataset
    /// `dataset`, measures its test accuracy and the floor of the sample metrics (up to
    /// 10,000 training images — a fixed random subset — scored against up to 10,000 test
    /// images), and saves it to `folder`. Returns nil when `shouldStop` interrupted it
    /// (nothing is written then).
    public static func train(dataset: String, store: DatasetStore = .default, folder: URL,
                             architecture: FeatureClassifier.Architecture? = nil,
                             settings: FeatureClassifier.TrainingSettings = .init(),
                             log: (String) -> Void = { _ in }, shouldStop: () -> Bool = { false }) throws -> Record? {
        let train = try DatasetCatalog.load(dataset, split: .train, store: store)
        let test = try DatasetCatalog.load(dataset, split: .test, store: store)
        let shape = train.featureShape
        guard shape.count == 3, let labels = train.labels, test.labels != nil else {
            throw LoadError("\(dataset): a feature classifier needs labelled images [C, H, W]; this dataset has shape \(shape)\(train.labels == nil ? " and no labels" : "")")
        }
        let classes = (labels.scalars.max().map { Int($0) } ?? 0) + 1
        let architecture = architecture ?? FeatureClassifier.Architecture(inputShape: shape, classes: max(classes, 2))
        if let problem = architecture.problem { throw LoadError("classifier architecture: \(problem)") }
        guard architecture.inputShape == shape else { throw LoadError("classifier input shape \(architecture.inputShape) does not match \(dataset)'s \(shape)") }
        var generator = RandomGenerator(seed: settings.seed)
        let classifier = FeatureClassifier(architecture: architecture, generator: &generator)
        log("training a feature classifier on \(dataset): \(train.count) images, \(settings.epochs) epochs of batch \(settings.batchSize)")
        guard classifier.train(on: train, settings: settings, log: log, shouldStop: shouldStop) else { return nil }
        let accuracy = classifier.accuracy(on: test)
        log("test accuracy \(String(format: "%.4f", accuracy)); measuring the floor (training against test images)")
        let count = min(standardSampleCount, train.count, test.count)
        var pick = RandomGenerator(seed: 0xF100)
        let trainSubset = train.subset(Array(pick.permutation(train.count).prefix(count)))
        let quality = SampleQuality(network: classifier, real: test.subset(0..<count).features)
        let floor = quality.score(trainSubset.features)
        let record = Record(dataset: dataset, architecture: architecture, weightsSHA256: "", testAccuracy: accuracy,
                            training: settings, floor: floor, floorSamples: count,
                            created: ISO8601DateFormatter().string(from: Date()))
        return try save(classifier, record: record, to: folder)
    }
}
