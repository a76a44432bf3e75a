/// The nonlinearity that follows a layer, which sets the gain of its initialisation.
///
/// Gains follow `torch.nn.init.calculate_gain`: they keep the variance of activations
/// roughly constant from layer to layer (He et al. 2015; Glorot & Bengio 2010).
public enum Nonlinearity: Sendable, Equatable {
    /// No nonlinearity (also right for a convolution without activation): gain 1.
    case linear
    /// The logistic sigmoid: gain 1.
    case sigmoid
    /// tanh: gain 5/3.
    case tanh
    /// ReLU: gain √2.
    case relu
    /// Leaky ReLU with the given negative slope `a`: gain √(2 / (1 + a²)).
    case leakyRelu(negativeSlope: Float)
    /// SELU: gain 3/4.
    case selu

    /// The recommended gain for this nonlinearity.
    public var gain: Float {
        switch self {
        case .linear, .sigmoid: return 1
        case .tanh: return 5.0 / 3
        case .relu: return Float(2).squareRoot()
        case .leakyRelu(let a): return (2 / (1 + a * a)).squareRoot()
        case .selu: return 0.75
        }
    }
}
