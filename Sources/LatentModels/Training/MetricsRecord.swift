import Foundation

/// One line of a run's `metrics.jsonl`.
///
/// ```json
/// {"step":100,"epoch":1,"split":"train","loss":85.2,"metrics":{"kl":12.1},"items-per-second":5120.3,"time":4.21,"learning-rate":0.001}
/// ```
/// `split` is `train` (the mean training loss over the steps since the previous train
/// line), `validation` (the model's evaluation metrics per example over the whole
/// validation split; `loss` is the headline metric) or `test`. `time` is seconds of
/// training since the run began (across resumptions); `items-per-second` and `time` vary
/// between runs, everything else is reproducible.
public struct MetricsRecord: Codable, Sendable, Equatable {
    public var step: Int
    public var epoch: Int
    public var split: String
    public var loss: Double
    public var metrics: [String: Double]
    public var itemsPerSecond: Double?
    public var time: Double
    public var learningRate: Double?

    public init(step: Int, epoch: Int, split: String, loss: Double, metrics: [String: Double] = [:],
                itemsPerSecond: Double? = nil, time: Double, learningRate: Double? = nil) {
        self.step = step; self.epoch = epoch; self.split = split; self.loss = loss
        self.metrics = metrics; self.itemsPerSecond = itemsPerSecond; self.time = time
        self.learningRate = learningRate
    }

    enum CodingKeys: String, CodingKey {
        case step, epoch, split, loss, metrics, time
        case itemsPerSecond = "items-per-second", learningRate = "learning-rate"
        // The keys of runs written before the naming convention (read, never written).
        case legacyItemsPerSecond = "items_per_second", legacyLearningRate = "learning_rate"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        step = try c.decode(Int.self, forKey: .step)
        epoch = try c.decode(Int.self, forKey: .epoch)
        split = try c.decode(String.self, forKey: .split)
        loss = try c.decode(Double.self, forKey: .loss)
        var metrics = try c.decodeIfPresent([String: Double].self, forKey: .metrics) ?? [:]
        if let bits = metrics.removeValue(forKey: "bits_per_dim") ?? metrics.removeValue(forKey: "bitsPerDimension") {
            metrics[MetricName.bitsPerDimension] = bits
        }
        self.metrics = metrics
        time = try c.decode(Double.self, forKey: .time)
        itemsPerSecond = try c.decodeIfPresent(Double.self, forKey: .itemsPerSecond) ?? c.decodeIfPresent(Double.self, forKey: .legacyItemsPerSecond)
        learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? c.decodeIfPresent(Double.self, forKey: .legacyLearningRate)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(step, forKey: .step)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(split, forKey: .split)
        try c.encode(loss, forKey: .loss)
        try c.encode(metrics, forKey: .metrics)
        try c.encodeIfPresent(itemsPerSecond, forKey: .itemsPerSecond)
        try c.encode(time, forKey: .time)
        try c.encodeIfPresent(learningRate, forKey: .learningRate)
    }

    /// The record as one JSON line (keys sorted, no trailing newline).
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// Parses one JSON line.
    public static func parse(_ line: some StringProtocol) throws -> MetricsRecord {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(MetricsRecord.self, from: Data(line.utf8))
    }
}
