/// Stops the program with `message` when `condition` is false, in every build configuration.
///
/// Swift's `precondition` prints its message only in debug builds and is removed entirely
/// under `-Ounchecked` (which Latent's kernels are compiled with), so Latent uses this for
/// every programmer-error check whose message a user needs to see: wrong shapes, indices
/// out of range, invalid parameters.
@inlinable @inline(__always)
public func ensure(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = "internal invariant violated",
                   file: StaticString = #file, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
