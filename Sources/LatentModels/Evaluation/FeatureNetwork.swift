import Foundation
import LatentCore

/// A network that maps images to features (and optionally class logits), in whose space
/// generated images are compared with real ones (``FeatureSpaceMetrics``, ``SampleQuality``).
///
/// Latent's own is ``FeatureClassifier``, trained once per dataset by `latent classifier
/// train` and cached in the data store. Any other extractor can take its place: conform a
/// module to this protocol (e.g. one that loads another network's safetensors weights) and
/// pass it to ``SampleQuality/init(network:real:)``; or, from the command line, give a
/// GAN run `--option feature-network=FOLDER` with a folder in the layout of
/// ``FeatureClassifierFile`` holding weights in the ``FeatureClassifier`` architecture.
public protocol FeatureNetwork: AnyObject {
    /// The image shape `[C, H, W]` the network takes (values in [0, 1]).
    var inputShape: [Int] { get }
    /// Features and class logits (nil when the network has no classifier head) of images
    /// `[B, C, H, W]`: `([B, F], [B, K]?)`. Called without gradient recording, in evaluation mode.
    func featuresAndLogits(_ images: Tensor) -> (features: Tensor, logits: Tensor?)
}

extension FeatureNetwork {
    /// Features and logits of many images, `batchSize` at a time.
    public func featuresAndLogits(of images: Tensor, batchSize: Int = 500) -> (features: Tensor, logits: Tensor?) {
        let n = images.shape[0]
        var features: [Tensor] = [], logits: [Tensor] = []
        var start = 0
        while start < n {
            let part = images.sliced(alongAxis: 0, range: start..<min(start + batchSize, n))
            let (f, l) = withoutDerivative { featuresAndLogits(part.reshaped(to: [part.shape[0]] + inputShape)) }
            features.append(f)
            if let l { logits.append(l) }
            start += batchSize
        }
        guard !features.isEmpty else { return (.zeros([0, 0]), nil) }
        return (concatenate(features, alongAxis: 0), logits.isEmpty ? nil : concatenate(logits, alongAxis: 0))
    }
}

/// The feature statistics of a set of real images, kept so that many sample sets can be
/// scored against them (``score(_:classes:)``): what a GAN's validation and `latent
/// evaluate` report in the feature space of a ``FeatureNetwork``.
public struct SampleQuality {
    /// Metric names: `fd`, `precision`, `recall`, `density`, `coverage`, `inception-score`
    /// (when the network has a classifier head) and, for class-conditional samples,
    /// `class-accuracy` (the share of samples the classifier assigns to the class they were
    /// drawn for) and `class-accuracy-K` per class.
    public static let frechetDistanceName = "fd"
    public static let metricNames = ["fd", "precision", "recall", "density", "coverage", "inception-score"]

    public let network: FeatureNetwork
    /// Features of the real images `[N, F]`.
    public let realFeatures: Tensor
    let realMean: [Double]
    let realCovariance: [Double]
    /// The real features' k-NN radii (k = ``FeatureSpaceMetrics/defaultNeighbours``), needed
    /// by every score; computed once here rather than per sample set.
    let realRadii: [Float]

    /// Computes the real images' features, their mean and covariance and their k-NN radii.
    public init(network: FeatureNetwork, real images: Tensor) {
        self.network = network
        realFeatures = network.featuresAndLogits(of: images).features
        (realMean, realCovariance) = FeatureSpaceMetrics.meanAndCovariance(realFeatures)
        realRadii = FeatureSpaceMetrics.neighbourRadii(realFeatures, k: FeatureSpaceMetrics.defaultNeighbours)
    }

    /// The metrics of generated images `[M, C, H, W]` (see ``metricNames``); `classes`
    /// (`[M]`) are the classes they were generated for, if any.
    public func score(_ images: Tensor, classes: [Int]? = nil) -> [String: Double] {
        let (features, logits) = network.featuresAndLogits(of: images)
        let (mean, covariance) = FeatureSpaceMetrics.meanAndCovariance(features)
        var metrics = ["fd": FeatureSpaceMetrics.frechetDistance(mean1: realMean, covariance1: realCovariance,
                                                                  mean2: mean, covariance2: covariance)]
        let k = FeatureSpaceMetrics.defaultNeighbours
        ensure(realFeatures.shape[0] > k && features.shape[0] > k,
               "SampleQuality.score: needs more than k = \(k) points in each set, got \(realFeatures.shape[0]) and \(features.shape[0])")
        let prdc = FeatureSpaceMetrics.precisionRecallDensityCoverage(real: realFeatures, realRadii: realRadii, fake: features, neighbours: k)
        metrics["precision"] = prdc.precision
        metrics["recall"] = prdc.recall
        metrics["density"] = prdc.density
        metrics["coverage"] = prdc.coverage
        if let logits {
            metrics["inception-score"] = FeatureSpaceMetrics.inceptionScore(logits: logits)
            if let classes {
                let predicted = logits.argmax(alongAxis: 1).scalars.map(Int.init)
                let classCount = logits.shape[1]
                var hits = [Int](repeating: 0, count: classCount), totals = [Int](repeating: 0, count: classCount)
                for (p, c) in zip(predicted, classes) where c >= 0 && c < classCount {
                    totals[c] += 1
                    if p == c { hits[c] += 1 }
                }
                metrics["class-accuracy"] = Double(hits.reduce(0, +)) / Double(max(totals.reduce(0, +), 1))
                for c in 0..<classCount where totals[c] > 0 { metrics["class-accuracy-\(c)"] = Double(hits[c]) / Double(totals[c]) }
            }
        }
        return metrics
    }
}
