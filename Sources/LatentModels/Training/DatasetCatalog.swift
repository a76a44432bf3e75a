import Foundation
import LatentCore
import LatentData

/// The datasets `latent train --dataset NAME` accepts: an open registry (like
/// ``ModelRegistry``) of how each is described to models, loaded and split.
///
/// | name | examples (train / validation / test) | features | kind |
/// |---|---|---|---|
/// | `digits` | 1,257 / 180 / 360 (embedded) | `[1, 8, 8]`, `v / 16` | `.image(levels: 17)` |
/// | `two-moons`, `circles`, `8gaussians`, `25gaussians`, `checkerboard`, `pinwheel`, `2spirals`, `swissroll` | 100,000 / 10,000 / 10,000 drawn from fixed seeds | `[2]` | `.continuous` |
/// | `gaussian-1d` | 100,000 / 10,000 / 10,000 drawn from N(2, 0.5²) with fixed seeds | `[1]` | `.continuous` |
/// | `mnist`, `fashion-mnist` | 55,000 / 5,000 / 10,000 (install first) | `[1, 28, 28]`, `byte / 255` | `.image(levels: 256)` |
/// | `sherlock-holmes-excerpt` | 90 % / 5 % / 5 % of the characters (embedded, 185 KB) | character tokens | `.text` |
/// | `sherlock-holmes`, `moby-dick` | 90 % / 5 % / 5 % of the characters (install first) | character tokens | `.text` |
///
/// **Local files**, named directly, no registration needed:
/// - `file:PATH.npy`: an array `[N, D]` (vectors, `.continuous`), `[N, H, W]` or
///   `[N, C, H, W]` (images: `uint8` arrays are scaled by 1/255 as `.image(levels: 256)`,
///   float arrays in [0, 1] are taken as 8-bit images, others as `.continuous`);
/// - `file:FOLDER` of PNG files (sorted by name; all one size; grey or colour, 8-bit);
/// - `text:PATH` a UTF-8 text file, one token per character; `bytes:PATH` (or
///   `bytes:NAME` of a registered text dataset), one token per UTF-8 byte.
///
/// **Splits.** Text is split contiguously: the last 5 % of the tokens is test, the 5 %
/// before it validation, the rest training (``TextCorpus``). Local arrays and image
/// folders are split the same way by position: the last 5 % of the examples is test, the
/// 5 % before it validation (at least one example each; at least 3 examples in all).
///
/// Features are given to models as stored (images in [0, 1]); models that need binarised
/// or dequantised data transform batches themselves, using ``DataDescription/kind``.
/// Toy splits are `ToyDensity.sample(n, generator: RandomGenerator(seed: s))` with seeds
/// 1 (train), 2 (validation) and 3 (test).
///
/// ```swift
/// // a dataset of one's own, by name
/// DatasetCatalog.register(.init(name: "my-points", summary: "measured points",
///     description: { _ in DataDescription(featureShape: [3], kind: .continuous, name: "my-points") },
///     tensors: { split, _ in try loadMyPoints(split) }))
/// ```
public enum DatasetCatalog {
    /// One catalogued dataset: how it is described and loaded.
    public struct Entry: Sendable {
        /// What a dataset holds: tensors by split, or a text corpus (split by position).
        public enum Content: Sendable {
            case tensors(@Sendable (DataSplit, DatasetStore) throws -> TensorDataset)
            case text(@Sendable (DatasetStore) throws -> TextCorpus)
        }

        public let name: String
        public let summary: String
        /// Whether it must be installed with `latent datasets install` first.
        public let needsInstall: Bool
        let describe: @Sendable (DatasetStore) throws -> DataDescription
        public let content: Content

        /// A dataset of tensors.
        public init(name: String, summary: String, needsInstall: Bool = false,
                    description: @escaping @Sendable (DatasetStore) throws -> DataDescription,
                    tensors: @escaping @Sendable (DataSplit, DatasetStore) throws -> TensorDataset) {
            self.name = name
            self.summary = summary
            self.needsInstall = needsInstall
            self.describe = description
            self.content = .tensors(tensors)
        }

        /// A text dataset; its description carries the corpus's vocabulary.
        public init(name: String, summary: String, needsInstall: Bool = false,
                    corpus: @escaping @Sendable (DatasetStore) throws -> TextCorpus) {
            self.name = name
            self.summary = summary
            self.needsInstall = needsInstall
            self.describe = { store in
                let c = try corpus(store)
                return DataDescription(featureShape: [], kind: .text(c.vocabulary), name: name)
            }
            self.content = .text(corpus)
        }

        /// Whether the dataset is text.
        public var isText: Bool {
            if case .text = content { return true }
            return false
        }
    }

    /// Toy split sizes (train, validation, test).
    ///
    /// The training split is large because the toy densities are cheap to draw and a
    /// flexible 2-D flow overfits 10,000 points measurably: the same 1,500-step NSF on the
    /// checkerboard is 0.075 nats from the true test NLL when trained on 10,000 points and
    /// 0.058 when trained on 100,000 (docs/Results.md). The 10,000-point test split keeps
    /// the standard error of a test NLL near 0.01 nats, small against the 0.05-nat gaps
    /// these sets are used to check.
    public static let toySplitSizes = (train: 100_000, validation: 10_000, test: 10_000)

    static let toyNames: [(String, ToyDensity)] = [
        ("two-moons", .twoMoons), ("circles", .circles), ("8gaussians", .eightGaussians), ("25gaussians", .twentyFiveGaussians),
        ("checkerboard", .checkerboard), ("pinwheel", .pinwheel), ("2spirals", .spirals),
        ("swissroll", .swissRoll),
    ]

    /// Mean and standard deviation of `gaussian-1d`.
    public static let gaussian1D = (mean: Float(2), standardDeviation: Float(0.5))

    /// The datasets shipped with Latent, in catalogue order.
    public static var builtIn: [Entry] {
        var entries = [Entry(name: "digits", summary: "8×8 handwritten digits, 17 grey levels (embedded)",
                             description: { _ in DataDescription(featureShape: Digits.imageShape, classCount: Digits.classCount,
                                                                 kind: .image(levels: Digits.levels), name: "digits") },
                             tensors: { split, _ in try Digits.load(split) })]
        for (name, toy) in toyNames {
            entries.append(Entry(name: name, summary: "2-D toy density '\(toy.rawValue)' (generated)",
                                 description: { _ in DataDescription(featureShape: [2], classCount: toy.componentCount, kind: .continuous, name: name) },
                                 tensors: { split, _ in toySplit(split) { n, g in let s = toy.labeledSample(n, generator: &g); return (s.points, s.components) } }))
        }
        entries.append(Entry(name: "gaussian-1d", summary: "1-D normal N(2, 0.5²) (generated; the smallest GAN test)",
                             description: { _ in DataDescription(featureShape: [1], kind: .continuous, name: "gaussian-1d") },
                             tensors: { split, _ in
                                 toySplit(split) { n, g in (g.normal([n, 1]) * gaussian1D.standardDeviation + gaussian1D.mean, nil) }
                             }))
        for (name, summary) in [("mnist", "28×28 handwritten digits, 256 grey levels"), ("fashion-mnist", "28×28 clothing images, 256 grey levels")] {
            entries.append(Entry(name: name, summary: summary, needsInstall: true,
                                 description: { _ in DataDescription(featureShape: [1, 28, 28], classCount: 10, kind: .image(levels: 256), name: name) },
                                 tensors: { split, store in
                                     try requireInstalled(name, store)
                                     return name == "mnist" ? try MNIST.load(split, store: store) : try FashionMNIST.load(split, store: store)
                                 }))
        }
        entries.append(Entry(name: "sherlock-holmes-excerpt", summary: "the first four Sherlock Holmes stories, 185 KB of English text (embedded)",
                             corpus: { _ in try TextCorpus.embedded() }))
        for (name, summary) in [("sherlock-holmes", "The Adventures of Sherlock Holmes, 580 KB of English text"), ("moby-dick", "Moby-Dick, 1.2 MB of English text")] {
            entries.append(Entry(name: name, summary: summary, needsInstall: true,
                                 corpus: { store in try requireInstalled(name, store); return try TextCorpus.installed(name, store: store) }))
        }
        return entries
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var registered: [Entry] = builtIn

    /// Every registered dataset, in catalogue order.
    public static var entries: [Entry] { lock.withLock { registered } }

    /// Adds a dataset (replacing one of the same name).
    public static func register(_ entry: Entry) {
        lock.withLock {
            if let i = registered.firstIndex(where: { $0.name == entry.name }) { registered[i] = entry } else { registered.append(entry) }
        }
    }

    /// Valid names, in catalogue order.
    public static var names: [String] { entries.map(\.name) }

    /// The generating density of a toy dataset (nil for other datasets).
    public static func toyDensity(named name: String) -> ToyDensity? {
        toyNames.first(where: { $0.0 == name })?.1
    }

    /// The entry of a registered name or of a local file (`file:`, `text:`, `bytes:`).
    public static func entry(named name: String) throws(TrainingError) -> Entry {
        if let entry = entries.first(where: { $0.name == name }) { return entry }
        if let path = name.droppingPrefix("file:") { return try fileEntry(name: name, path: path) }
        if let path = name.droppingPrefix("text:") { return try textFileEntry(name: name, path: path, bytes: false) }
        if let rest = name.droppingPrefix("bytes:") {
            if let text = entries.first(where: { $0.name == rest }), case .text(let corpus) = text.content {
                return Entry(name: name, summary: text.summary + ", one token per UTF-8 byte", needsInstall: text.needsInstall) { store in
                    let c = try corpus(store)
                    return TextCorpus(text: c.text, name: name, bytes: true)
                }
            }
            return try textFileEntry(name: name, path: rest, bytes: true)
        }
        throw TrainingError("unknown dataset '\(name)'; valid datasets: \(names.joined(separator: ", ")), or a local file as file:PATH.npy, file:FOLDER (of PNGs), text:PATH or bytes:PATH")
    }

    /// The dataset name with the path of a local file (`file:`, `text:`, `bytes:`) made
    /// absolute, so a run's `config.json` finds it from any folder.
    public static func absolutePaths(_ name: String) -> String {
        guard entries.first(where: { $0.name == name }) == nil else { return name }
        for prefix in ["file:", "text:", "bytes:"] {
            guard let path = name.droppingPrefix(prefix) else { continue }
            if prefix == "bytes:" && entries.contains(where: { $0.name == path }) { return name }
            return prefix + URL(fileURLWithPath: path).standardizedFileURL.path
        }
        return name
    }

    /// The description models are built from (loads a text corpus to learn its vocabulary).
    public static func description(of name: String, store: DatasetStore = .default) throws(TrainingError) -> DataDescription {
        let entry = try entry(named: name)
        return try wrapping(name) { try entry.describe(store) }
    }

    /// One split of a dataset of tensors, features as described by ``description(of:store:)``.
    public static func load(_ name: String, split: DataSplit, store: DatasetStore = .default) throws(TrainingError) -> TensorDataset {
        let entry = try entry(named: name)
        guard case .tensors(let load) = entry.content else {
            throw TrainingError("dataset '\(name)' is text; this model trains on images or vectors (text models: \(textModelNames))")
        }
        return try wrapping(name) { try load(split, store) }
    }

    /// The corpus of a text dataset.
    public static func corpus(_ name: String, store: DatasetStore = .default) throws(TrainingError) -> TextCorpus {
        let entry = try entry(named: name)
        guard case .text(let corpus) = entry.content else {
            throw TrainingError("dataset '\(name)' holds images or vectors; this model trains on text (e.g. sherlock-holmes-excerpt, or text:PATH)")
        }
        return try wrapping(name) { try corpus(store) }
    }

    /// Checks that a model family trains on the kind of data a dataset holds.
    public static func check(_ type: any GenerativeModel.Type, canTrainOn description: DataDescription) throws(TrainingError) {
        let isText = description.vocabulary != nil
        if type.trainsOnText && !isText {
            throw TrainingError("\(type.modelName) trains on text; dataset '\(description.name)' holds images or vectors (text datasets: sherlock-holmes-excerpt, sherlock-holmes, moby-dick, or text:PATH)")
        }
        if !type.trainsOnText && isText {
            throw TrainingError("\(type.modelName) trains on images or vectors; dataset '\(description.name)' is text (text models: \(textModelNames))")
        }
    }

    /// Registered models that train on text, for messages.
    static var textModelNames: String {
        let names = ModelRegistry.all.filter { $0.trainsOnText }.map { $0.modelName }.sorted()
        return names.isEmpty ? "none registered" : names.joined(separator: ", ")
    }

    private static func wrapping<T>(_ name: String, _ body: () throws -> T) throws(TrainingError) -> T {
        do { return try body() } catch let error as TrainingError { throw error } catch {
            throw TrainingError("dataset '\(name)': \(error)")
        }
    }

    private static func requireInstalled(_ name: String, _ store: DatasetStore) throws {
        guard store.isInstalled(name) else {
            throw TrainingError("dataset '\(name)' is not installed; run `latent datasets install \(name)` (it goes to \(store.folder(name).path))")
        }
    }

    /// The three splits of a generated dataset: `draw(n, generator)` with seeds 1, 2 and 3.
    static func toySplit(_ split: DataSplit, _ draw: (Int, inout RandomGenerator) -> (Tensor, IndexTensor?)) -> TensorDataset {
        let sizes = toySplitSizes
        func make(_ n: Int, _ seed: UInt64) -> (Tensor, IndexTensor?) {
            var g = RandomGenerator(seed: seed)
            return draw(n, &g)
        }
        switch split {
        case .train: let (x, y) = make(sizes.train, 1); return TensorDataset(features: x, labels: y)
        case .validation: let (x, y) = make(sizes.validation, 2); return TensorDataset(features: x, labels: y)
        case .test: let (x, y) = make(sizes.test, 3); return TensorDataset(features: x, labels: y)
        case .trainAndValidation:
            let (a, _) = make(sizes.train, 1), (b, _) = make(sizes.validation, 2)
            return TensorDataset(features: Tensor(shape: [a.shape[0] + b.shape[0]] + Array(a.shape.dropFirst()), scalars: a.scalars + b.scalars))
        }
    }

    // MARK: Local files

    /// The positions of a split of `count` examples: the last 5 % test, the 5 % before it
    /// validation (at least one each).
    public static func positionalRange(_ split: DataSplit, count: Int) -> Range<Int> {
        let held = max(1, count / 20)
        let a = count - 2 * held, b = count - held
        switch split {
        case .train: return 0..<a
        case .validation: return a..<b
        case .test: return b..<count
        case .trainAndValidation: return 0..<b
        }
    }

    private static func fileEntry(name: String, path: String) throws(TrainingError) -> Entry {
        let url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw TrainingError("dataset '\(name)': \(url.path) does not exist")
        }
        let read: () throws -> (features: Tensor, kind: DataDescription.Kind)
        if isFolder.boolValue {
            read = { try imageFolder(url) }
        } else if url.pathExtension.lowercased() == "npy" {
            read = { try array(url) }
        } else {
            throw TrainingError("dataset '\(name)': \(url.lastPathComponent) is neither a .npy array nor a folder of PNG images (for text use text:PATH)")
        }
        // Read once: the entry describes the data and serves its splits from the same tensor.
        let (features, kind) = try wrapping(name) { try read() }
        guard features.shape[0] >= 3 else {
            throw TrainingError("dataset '\(name)': \(features.shape[0]) examples; a local dataset needs at least 3 (train, validation and test)")
        }
        let description = DataDescription(featureShape: Array(features.shape.dropFirst()), kind: kind, name: name)
        return Entry(name: name, summary: "local file \(url.path)", description: { _ in description }, tensors: { split, _ in
            TensorDataset(features: features.sliced(alongAxis: 0, range: positionalRange(split, count: features.shape[0])))
        })
    }

    private static func textFileEntry(name: String, path: String, bytes: Bool) throws(TrainingError) -> Entry {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: url.path) else { throw TrainingError("dataset '\(name)': \(url.path) does not exist") }
        return Entry(name: name, summary: "local text \(url.path)") { _ in
            let corpus = try TextCorpus(contentsOf: url, name: name, bytes: bytes)
            guard corpus.tokens.count >= 64 else {
                throw TrainingError("dataset '\(name)': \(corpus.tokens.count) tokens; a text dataset needs at least 64")
            }
            return corpus
        }
    }

    /// A `.npy` array as features and their kind (see the type's documentation).
    static func array(_ url: URL) throws -> (features: Tensor, kind: DataDescription.Kind) {
        let array = try NPY.read(from: url)
        guard array.shape.count >= 2, array.shape.allSatisfy({ $0 > 0 }) else {
            throw DataError(file: url.path, "needs an array of shape [N, D], [N, H, W] or [N, C, H, W], got \(array.shape)")
        }
        var features = array.tensor()
        guard features.scalars.allSatisfy({ $0.isFinite }) else {
            throw DataError(file: url.path, "holds NaN or infinite values")
        }
        let isImage = array.shape.count >= 3
        if isImage && array.shape.count == 3 { features = features.reshaped(to: [array.shape[0], 1, array.shape[1], array.shape[2]]) }
        if array.scalarType == .uint8 {
            return (features / 255, isImage ? .image(levels: 256) : .continuous)
        }
        if isImage && features.scalars.allSatisfy({ $0 >= 0 && $0 <= 1 }) { return (features, .image(levels: 256)) }
        return (features, .continuous)
    }

    /// A folder of PNG images, sorted by file name, as `[N, C, H, W]` in [0, 1].
    static func imageFolder(_ url: URL) throws -> (features: Tensor, kind: DataDescription.Kind) {
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.lowercased().hasSuffix(".png") }.sorted()
        guard let first = names.first else { throw DataError(file: url.path, "the folder holds no .png files") }
        let reference = try PNG.read(from: url.appendingPathComponent(first))
        var scalars: [Float] = []
        let c = reference.channels, h = reference.height, w = reference.width
        scalars.reserveCapacity(names.count * c * h * w)
        for name in names {
            let image = try PNG.read(from: url.appendingPathComponent(name))
            guard image.width == w, image.height == h, image.channels == c else {
                throw DataError(file: url.appendingPathComponent(name).path, "is \(image.width)×\(image.height) with \(image.channels) channels; \(first) is \(w)×\(h) with \(c)")
            }
            // Interleaved HWC bytes → CHW floats.
            for channel in 0..<c { for i in 0..<(h * w) { scalars.append(Float(image.pixels[i * c + channel]) / 255) } }
        }
        return (Tensor(shape: [names.count, c, h, w], scalars: scalars), .image(levels: 256))
    }
}

extension String {
    /// The rest of the string after `prefix`, or nil when it does not start with it (or is only it).
    func droppingPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) && count > prefix.count ? String(dropFirst(prefix.count)) : nil
    }
}
