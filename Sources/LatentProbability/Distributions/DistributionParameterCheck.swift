import LatentCore

/// Runs a parameter validator and traps with its message if it throws (a programmer
/// error, as bad shapes are); the validators themselves are public and throwing so that
/// callers can check untrusted parameters first and tests can read the messages.
@discardableResult
func checkDistributionParameters<T>(_ body: () throws(DistributionParameterError) -> T) -> T {
    do {
        return try body()
    } catch {
        preconditionFailure(error.message)
    }
}
