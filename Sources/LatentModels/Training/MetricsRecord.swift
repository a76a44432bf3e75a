import Foundation

/// One line of a run's `metrics.jsonl`.
///
/// ```json
/// {"step":100,"epoch":1,"split":"train","loss":85.2,"metrics":{"kl":12.1},"items_per_second":5120.3,"time":4.21,"learning_rate":0.001}
/// ```
/// `split` is `train` (the mean training loss over the steps since the previous train
/// line), `validation` (the model's evaluation metrics per example over the whole
/// validation split; `loss` is the headline metric) or `test`. `time` is seconds of
/// training since the run began (across resumptions); `items_per_second` and `time` vary
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
        case itemsPerSecond = "items_per_second", learningRate = "learning_rate"
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
