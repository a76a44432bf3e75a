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

/// KL(p ‖ q) in closed form, shape `batchShape`. Traps, naming both types, when no
/// analytic rule is known: use ``monteCarloKLDivergence(_:_:sampleCount:generator:)``
/// explicitly in that case.
public func klDivergence(_ p: any Distribution, _ q: any Distribution) -> Tensor {
    guard let kl = KLDivergence.analytic(p, q) else {
        fatalError("klDivergence: no analytic KL for (\(type(of: p)), \(type(of: q))); register one with KLDivergence.register or use monteCarloKLDivergence")
    }
    return kl
}

/// Monte-Carlo estimate of KL(p ‖ q) = E_p[log p(x) − log q(x)] from `sampleCount`
/// draws of p, shape `batchShape`. Reparameterised (differentiable in p's parameters)
/// when p has `rsample`.
public func monteCarloKLDivergence(_ p: any Distribution, _ q: any Distribution, sampleCount: Int,
                                   generator: inout RandomGenerator) -> Tensor {
    ensure(sampleCount > 0, "monteCarloKLDivergence: sampleCount must be positive")
    let x = p.hasRSample ? p.rsample([sampleCount], generator: &generator) : p.sample([sampleCount], generator: &generator)
    return (p.logProb(x) - q.logProb(x)).mean(alongAxis: 0)
}
