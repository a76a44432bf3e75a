import LatentCore
import Synchronization

/// A distribution that knows the closed-form KL divergence from itself to some other
/// distributions. Built-in pairs are provided this way (each distribution type
/// implements the pairs with itself on the left); users add pairs with
/// ``KLDivergence/register(_:_:_:)``.
public protocol AnalyticKLDivergence: Distribution {
    /// KL(self ‖ other), shape `batchShape`, or `nil` if no closed form is known for `other`.
    func analyticKLDivergence(to other: any Distribution) -> Tensor?
}

/// The registry of analytic KL divergences.
public enum KLDivergence {
    private struct Key: Hashable { let p: ObjectIdentifier; let q: ObjectIdentifier }
    private struct Rule: @unchecked Sendable { let compute: (any Distribution, any Distribution) -> Tensor }
    private static let rules = Mutex<[Key: Rule]>([:])

    /// Registers (or replaces) the KL divergence for distributions of types `P` and `Q`.
    /// User rules take precedence over built-in ones.
    ///
    /// ```swift
    /// KLDivergence.register(MyPrior.self, Normal.self) { p, q in ... }
    /// ```
    public static func register<P: Distribution, Q: Distribution>(_ p: P.Type, _ q: Q.Type,
                                                                  _ rule: @escaping (P, Q) -> Tensor) {
        let wrapped = Rule { a, b in rule(a as! P, b as! Q) }
        rules.withLock { $0[Key(p: ObjectIdentifier(p), q: ObjectIdentifier(q))] = wrapped }
    }

    /// The analytic KL(p ‖ q) if a rule is known (user-registered first, then built in).
    public static func analytic(_ p: any Distribution, _ q: any Distribution) -> Tensor? {
        let key = Key(p: ObjectIdentifier(type(of: p)), q: ObjectIdentifier(type(of: q)))
        if let rule = rules.withLock({ $0[key] }) { return rule.compute(p, q) }
        if let p = p as? any AnalyticKLDivergence, let kl = p.analyticKLDivergence(to: q) { return kl }
        // A distribution against an expanded one: the KL against its base, broadcast.
        if let q = q as? Expanded, let kl = analytic(p, q.base) {
            let shape = checkShapes { () throws(ShapeError) in try Shape.broadcast(p.batchShape, q.batchShape, op: "klDivergence") }
            return kl.broadcast(to: shape)
        }
        return nil
    }
}

/// Why ``klDivergence(_:_:)`` has no value: no analytic rule is known for the pair.
public struct KLDivergenceError: Error, CustomStringConvertible, Equatable {
    /// The types of p and q.
    public let p: String, q: String
    public init(p: String, q: String) { self.p = p; self.q = q }
    public var description: String {
        "klDivergence: no analytic KL for (\(p), \(q)); register one with KLDivergence.register, or pass a generator for the Monte-Carlo estimate"
    }
}

extension KLDivergence {
    /// Draws of p behind the Monte-Carlo fallback of
    /// ``klDivergence(_:_:fallbackSamples:generator:)`` unless the caller gives a count:
    /// 64 (the estimate's standard error is the spread of `log p − log q` over 8).
    public static let defaultMonteCarloSamples = 64
}

/// KL(p ‖ q) in closed form, shape `batchShape`. Throws ``KLDivergenceError`` (never traps)
/// when no analytic rule is known: then register one, or use
/// ``klDivergence(_:_:fallbackSamples:generator:)``, which falls back to Monte Carlo.
public func klDivergence(_ p: any Distribution, _ q: any Distribution) throws(KLDivergenceError) -> Tensor {
    guard let kl = KLDivergence.analytic(p, q) else {
        throw KLDivergenceError(p: "\(type(of: p))", q: "\(type(of: q))")
    }
    return kl
}

/// KL(p ‖ q), shape `batchShape`: the analytic value when a rule is known, else the
/// Monte-Carlo estimate `(1/S) Σₛ log p(xₛ) − log q(xₛ)`, `xₛ ~ p`, from
/// `fallbackSamples` draws (``monteCarloKLDivergence(_:_:sampleCount:generator:)``). The
/// generator is only used by the fallback. Never traps for a missing rule.
///
/// ```swift
/// let kl = klDivergence(posterior, flowPrior, generator: &rng)              // 64 draws if needed
/// let precise = klDivergence(posterior, flowPrior, fallbackSamples: 1000, generator: &rng)
/// ```
///
/// - Parameters:
///   - fallbackSamples: Draws S of the Monte-Carlo estimate (default
///     ``KLDivergence/defaultMonteCarloSamples``); the estimate is unbiased, its error falls
///     as 1/√S.
public func klDivergence(_ p: any Distribution, _ q: any Distribution,
                         fallbackSamples: Int = KLDivergence.defaultMonteCarloSamples,
                         generator: inout RandomGenerator) -> Tensor {
    KLDivergence.analytic(p, q) ?? monteCarloKLDivergence(p, q, sampleCount: fallbackSamples, generator: &generator)
}

/// Monte-Carlo estimate of KL(p ‖ q) = E_p[log p(x) − log q(x)] from `sampleCount`
/// draws of p, shape `batchShape`. Reparameterised (differentiable in p's parameters)
/// when p has `rsample`; draws and `log p` come from one
/// ``Distribution/sampleAndLogProb(_:generator:)`` (one pass for flows).
public func monteCarloKLDivergence(_ p: any Distribution, _ q: any Distribution, sampleCount: Int,
                                   generator: inout RandomGenerator) -> Tensor {
    ensure(sampleCount > 0, "monteCarloKLDivergence: sampleCount must be positive")
    let (x, logP) = p.sampleAndLogProb([sampleCount], generator: &generator)
    return (logP - q.logProb(x)).mean(alongAxis: 0)
}
