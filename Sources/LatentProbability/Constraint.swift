/// The set a distribution's values (or a bijector's inputs and outputs) live in.
public enum Constraint: Equatable, Sendable, CustomStringConvertible {
    /// All real numbers.
    case real
    /// x > 0.
    case positive
    /// x ≥ 0.
    case nonnegative
    /// 0 < x < 1 (open) — probabilities for logits, Beta's support.
    case unitInterval
    /// lower ≤ x ≤ upper.
    case interval(lower: Float, upper: Float)
    /// x > lower.
    case greaterThan(Float)
    /// Non-negative integers ≤ upper (nil: unbounded).
    case nonnegativeInteger(upper: Int?)
    /// {0, 1}.
    case boolean
    /// Non-negative vectors summing to 1 (the last axis).
    case simplex
    /// One-hot vectors (the last axis).
    case oneHot
    /// Lower-triangular matrices with positive diagonal.
    case lowerCholesky
    /// Symmetric positive-definite matrices.
    case positiveDefinite
    /// Real vectors (event dimension 1).
    case realVector
    /// A constraint that depends on the parameters and is not checked.
    case dependent

    public var description: String {
        switch self {
        case .real: return "real"
        case .positive: return "positive"
        case .nonnegative: return "nonnegative"
        case .unitInterval: return "unit interval (0, 1)"
        case .interval(let a, let b): return "interval [\(a), \(b)]"
        case .greaterThan(let a): return "greater than \(a)"
        case .nonnegativeInteger(let u): return u.map { "integer in [0, \($0)]" } ?? "nonnegative integer"
        case .boolean: return "boolean {0, 1}"
        case .simplex: return "simplex"
        case .oneHot: return "one-hot"
        case .lowerCholesky: return "lower Cholesky factor"
        case .positiveDefinite: return "positive definite"
        case .realVector: return "real vector"
        case .dependent: return "dependent"
        }
    }
}
