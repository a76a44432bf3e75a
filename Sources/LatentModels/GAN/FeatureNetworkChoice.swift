import Foundation
import LatentCore
import LatentData

/// The `feature-network` option of the image GANs: which ``FeatureNetwork`` measures their
/// samples (``SampleQuality``).
///
/// - `auto` (the default): the dataset's cached ``FeatureClassifier`` when there is one
///   (`latent classifier train --dataset D` puts it in the data store), else none;
/// - `none`: no feature-space metrics (the sample distances on pixels remain);
/// - a folder path containing `/` (e.g. `./my-features`): a classifier folder in the
///   ``FeatureClassifierFile`` layout, which must load.
public enum FeatureNetworkChoice: OptionValue {
    case automatic
    case none
    case folder(String)

    public init?(optionText: String) {
        let text = optionText.trimmingCharacters(in: .whitespaces)
        switch text {
        case "auto": self = .automatic
        case "none": self = .none
        default:
            guard text.contains("/") else { return nil }
            self = .folder(text)
        }
    }

    public var optionText: String {
        switch self {
        case .automatic: "auto"
        case .none: "none"
        case .folder(let path): path
        }
    }

    public static var valueDescription: String { "auto, none or a classifier folder path containing '/'" }
    public static var placeholder: String { "auto|none|PATH/" }

    /// The feature network for `data`, or nil (`none`, or `auto` without a cached classifier).
    public func resolve(for data: DataDescription, model: String, store: DatasetStore = .default) throws(ModelOptionError) -> FeatureNetworkHandle? {
        let folder: URL
        switch self {
        case .none: return nil
        case .automatic:
            folder = FeatureClassifierFile.folder(dataset: data.name, store: store)
            guard FeatureClassifierFile.exists(at: folder) else { return nil }
        case .folder(let path):
            folder = URL(fileURLWithPath: (path as NSString).expandingTildeInPath, isDirectory: true)
        }
        do throws(FeatureClassifierFile.LoadError) {
            let (classifier, record) = try FeatureClassifierFile.load(from: folder)
            guard classifier.inputShape == data.featureShape else {
                throw FeatureClassifierFile.LoadError("\(folder.path): the classifier takes images \(classifier.inputShape), '\(data.name)' has \(data.featureShape)")
            }
            return FeatureNetworkHandle(network: classifier, record: record, folder: folder)
        } catch {
            throw ModelOptionError("\(model): option 'feature-network': \(error.message)")
        }
    }
}

/// A loaded feature network with its record, and the feature statistics of the last real
/// image set it scored against (so that repeated validations on the same split compute the
/// real features once).
public final class FeatureNetworkHandle: @unchecked Sendable {
    public let network: FeatureNetwork
    public let record: FeatureClassifierFile.Record?
    public let folder: URL
    private let lock = NSLock()
    private var cached: (key: [UInt64], quality: SampleQuality)?

    public init(network: FeatureNetwork, record: FeatureClassifierFile.Record?, folder: URL) {
        self.network = network
        self.record = record
        self.folder = folder
    }

    /// ``SampleQuality`` against `real` images, reused while the same images come back.
    public func quality(real: Tensor) -> SampleQuality {
        let key = [UInt64(real.shape.reduce(1, *)), Self.fingerprint(real.scalars)]
        if let cached = lock.withLock({ cached }), cached.key == key { return cached.quality }
        let quality = SampleQuality(network: network, real: real)
        lock.withLock { cached = (key, quality) }
        return quality
    }

    /// FNV-1a over the bit patterns.
    static func fingerprint(_ values: [Float]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for v in values { h = (h ^ UInt64(v.bitPattern)) &* 0x100_0000_01B3 }
        return h
    }
}
