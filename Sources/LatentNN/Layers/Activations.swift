import LatentCore

// Activation functions as parameter-free layers, for use in ``Sequential``. Each calls
// the LatentCore op of the same name (see there for the gradients).

/// `max(x, 0)` (PyTorch's `nn.ReLU`).
public final class ReLU: Module, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.relu() }
}

/// `x` for `x ≥ 0`, `a·x` otherwise (PyTorch's `nn.LeakyReLU`, default slope 0.01).
public final class LeakyReLU: Module, Layer {
    /// The slope `a` for negative inputs.
    public let negativeSlope: Float
    public init(negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.leakyRelu(negativeSlope: negativeSlope) }
    public override var summary: String { "LeakyReLU(negativeSlope: \(negativeSlope))" }
}

/// `x` for `x > 0`, `α(eˣ − 1)` otherwise (Clevert et al. 2016; PyTorch's `nn.ELU`).
public final class ELU: Module, Layer {
    /// The scale `α` of the negative part.
    public let alpha: Float
    public init(alpha: Float = 1) { self.alpha = alpha }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.elu(alpha: alpha) }
    public override var summary: String { alpha == 1 ? "ELU" : "ELU(alpha: \(alpha))" }
}

/// `x·Φ(x)` (Hendrycks & Gimpel 2016; PyTorch's `nn.GELU`), exact or with the tanh
/// approximation (`approximate='tanh'`).
public final class GELU: Module, Layer {
    /// Whether to use the tanh approximation.
    public let approximate: Bool
    public init(approximate: Bool = false) { self.approximate = approximate }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.gelu(approximate: approximate) }
    public override var summary: String { approximate ? "GELU(approximate: true)" : "GELU" }
}

/// `x·σ(x)`, also called swish (PyTorch's `nn.SiLU`).
public final class SiLU: Module, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.silu() }
}

/// `tanh(x)` (PyTorch's `nn.Tanh`).
public final class Tanh: Module, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.tanh() }
}

/// `σ(x) = 1/(1 + e⁻ˣ)` (PyTorch's `nn.Sigmoid`).
public final class Sigmoid: Module, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.sigmoid() }
}

/// `log(1 + e^{βx})/β` (PyTorch's `nn.Softplus`). PyTorch's `threshold` (return `x`
/// when `βx > 20`) is not needed: the stable form already equals `x` there in Float32.
public final class Softplus: Module, Layer {
    /// The sharpness `β`.
    public let beta: Float
    public init(beta: Float = 1) {
        ensure(beta > 0, "Softplus: beta must be positive, got \(beta)")
        self.beta = beta
    }
    public func callAsFunction(_ x: Tensor) -> Tensor { beta == 1 ? x.softplus() : (x * beta).softplus() / beta }
    public override var summary: String { beta == 1 ? "Softplus" : "Softplus(beta: \(beta))" }
}
