import LatentCore

/// Validation of distribution parameters and of the values passed to `logProb`, `cdf`
/// and friends.
///
/// Every check is a public throwing function (so callers with untrusted inputs can check
/// first, and tests can read the messages); distributions call them through
/// ``checkParameters(_:)``, which traps with the message: a bad parameter is a
/// programmer error. Messages name the distribution, the parameter and the offending
/// value or shapes, e.g. `"Normal: scale must be positive, found -1.0 at flat index 2"`.
public enum DistributionValidation {
    /// Validates a location–scale pair (`loc` not NaN, `scale` > 0, shapes broadcastable)
    /// for the distribution `name` and returns the batch shape.
    public static func locationScale(_ name: String, loc: Tensor, scale: Tensor) throws(DistributionParameterError) -> [Int] {
        let shape = try broadcastShape(name, [("loc", loc.shape), ("scale", scale.shape)])
        try requireAll(name, "loc", loc, "a number (not NaN)") { !$0.isNaN }
        try requirePositive(name, "scale", scale)
        return shape
    }

    /// The broadcast shape of named parameter shapes.
    ///
    /// - Parameters:
    ///   - distribution: The distribution's name, for the message.
    ///   - parameters: (name, shape) pairs.
    public static func broadcastShape(_ distribution: String,
                                      _ parameters: [(name: String, shape: [Int])]) throws(DistributionParameterError) -> [Int] {
        var result: [Int] = []
        for p in parameters {
            do {
                result = try Shape.broadcast(result, p.shape, op: distribution)
            } catch {
                let list = parameters.map { "\($0.name) \(shapeString($0.shape))" }.joined(separator: ", ")
                throw DistributionParameterError(distribution, "parameter shapes do not broadcast: \(list)")
            }
        }
        return result
    }

    /// Checks that every element of `value` is positive (> 0, not NaN, and finite unless
    /// `allowInfinity`).
    public static func requirePositive(_ distribution: String, _ name: String, _ value: Tensor,
                                       allowInfinity: Bool = false) throws(DistributionParameterError) {
        try requireAll(distribution, name, value, "positive") { $0 > 0 && (allowInfinity || $0.isFinite) }
    }

    /// Checks that every element of `value` is finite.
    public static func requireFinite(_ distribution: String, _ name: String, _ value: Tensor) throws(DistributionParameterError) {
        try requireAll(distribution, name, value, "finite") { $0.isFinite }
    }

    /// Checks a predicate on every element; the message reads "`name` must be `what`".
    public static func requireAll(_ distribution: String, _ name: String, _ value: Tensor, _ what: String,
                                  _ predicate: (Float) -> Bool) throws(DistributionParameterError) {
        let p = value.storage.pointer
        for i in 0..<value.scalarCount where !predicate(p[i]) {
            let place = value.rank == 0 ? "" : " at flat index \(i)"
            throw DistributionParameterError(distribution, "\(name) must be \(what), found \(p[i])\(place)")
        }
    }

    /// Checks that a parameter has at least `rank` dimensions (for vector or matrix
    /// parameters) and that those trailing dimensions are non-empty.
    public static func requireRank(_ distribution: String, _ name: String, _ shape: [Int], atLeast rank: Int,
                                   what: String) throws(DistributionParameterError) {
        guard shape.count >= rank, shape.suffix(rank).allSatisfy({ $0 > 0 }) else {
            throw DistributionParameterError(distribution, "\(name) must be \(what), got shape \(shapeString(shape))")
        }
    }

    /// Checks the shape of a value given to a method such as `logProb`, and returns the
    /// shape of the result (`sampleShape + batchShape`, event dimensions removed).
    ///
    /// The value must end with `eventShape`, and its leading dimensions must broadcast with
    /// `batchShape` (as in torch.distributions).
    ///
    /// - Parameters:
    ///   - method: `"Normal.logProb"` and the like, for the message.
    ///   - value: The value's shape.
    ///   - batchShape: The distribution's batch shape.
    ///   - eventShape: The distribution's event shape.
    public static func valueShape(_ method: String, _ value: [Int], batchShape: [Int],
                                  eventShape: [Int]) throws(DistributionParameterError) -> [Int] {
        let description = "batch shape \(shapeString(batchShape)) and event shape \(shapeString(eventShape))"
        guard value.count >= eventShape.count, Array(value.suffix(eventShape.count)) == eventShape else {
            throw DistributionParameterError(
                method, "value of shape \(shapeString(value)) does not end with the event shape (distribution has \(description))")
        }
        do {
            return try Shape.broadcast(Array(value.dropLast(eventShape.count)), batchShape, op: method)
        } catch {
            throw DistributionParameterError(
                method, "value of shape \(shapeString(value)) does not broadcast with the distribution's \(description)")
        }
    }
}

/// Runs a parameter validation and traps with its message if it fails.
///
/// Invalid parameters are programmer errors (as shape mismatches are), so distributions
/// trap rather than throw; the validators themselves are public and throwing.
@inlinable
public func checkParameters<T>(_ body: () throws(DistributionParameterError) -> T) -> T {
    do {
        return try body()
    } catch {
        fatalError(error.message)
    }
}

extension Distribution {
    /// `sampleShape + batchShape + eventShape`.
    public func extendedShape(_ sampleShape: [Int]) -> [Int] { sampleShape + batchShape + eventShape }

    /// Validates a value for `method` (see ``DistributionValidation/valueShape(_:_:batchShape:eventShape:)``)
    /// and returns the result shape; traps with the message otherwise.
    func checkValue(_ method: String, _ value: Tensor) -> [Int] {
        checkParameters { () throws(DistributionParameterError) in
            try DistributionValidation.valueShape("\(Self.self).\(method)", value.shape,
                                                  batchShape: batchShape, eventShape: eventShape)
        }
    }
}

/// Uniform samples in the open interval (0, 1): the generator's 24-bit uniforms in
/// [0, 1), with 0 replaced by 2⁻²⁵. Used by inverse-CDF samplers, whose quantile
/// functions are infinite at 0 and 1.
func openUniform(_ shape: [Int], generator: inout RandomGenerator) -> Tensor {
    let u = generator.uniform(shape)
    return Tensor(shape: shape) { p, n in
        let q = u.storage.pointer
        for i in 0..<n { p[i] = q[i] == 0 ? 0x1p-25 : q[i] }
    }
}
