import LatentCore

/// A trainable tensor owned by a ``Module``.
///
/// Declare parameters with the property wrapper; the module discovers them by reflection
/// and names them by property path (`encoder.layers.0.weight`):
///
/// ```swift
/// final class Affine: Module {
///     @Parameter var weight: Tensor
///     @Parameter var bias: Tensor
///     init(_ n: Int) {
///         _weight = Parameter(.ones([n]))
///         _bias = Parameter(.zeros([n]))
///     }
/// }
/// ```
///
/// The wrapper is a reference, so optimisers and checkpoints update the value in place
/// while model code reads it as a plain `Tensor`.
@propertyWrapper
public final class Parameter: @unchecked Sendable {
    /// The current value.
    public var wrappedValue: Tensor
    /// Frozen parameters receive no gradient and are skipped by optimisers.
    public var isFrozen: Bool

    public init(wrappedValue: Tensor) {
        self.wrappedValue = wrappedValue
        self.isFrozen = false
    }

    public init(_ value: Tensor, frozen: Bool = false) {
        self.wrappedValue = value
        self.isFrozen = frozen
    }

    /// The wrapper itself, reachable as `$weight`.
    public var projectedValue: Parameter { self }
}

/// A non-trainable tensor owned by a ``Module`` and saved with it (e.g. BatchNorm's
/// running statistics, or a fixed MADE mask).
@propertyWrapper
public final class Buffer: @unchecked Sendable {
    /// The current value.
    public var wrappedValue: Tensor
    /// Whether loading a state may replace the value with one of another shape (for state
    /// whose size depends on the run, such as a language model's hidden state carried
    /// across batches, one row per stream).
    public let resizesOnLoad: Bool

    public init(wrappedValue: Tensor) { self.wrappedValue = wrappedValue; self.resizesOnLoad = false }
    public init(_ value: Tensor, resizesOnLoad: Bool = false) { self.wrappedValue = value; self.resizesOnLoad = resizesOnLoad }

    /// The wrapper itself, reachable as `$name`.
    public var projectedValue: Buffer { self }
}
