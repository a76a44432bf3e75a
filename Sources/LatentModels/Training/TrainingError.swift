/// A problem with a training run a user can act on (bad configuration, missing data,
/// unreadable run folder).
public struct TrainingError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
