import LatentCore

/// The weights of a stacked recurrent layer (LSTM, GRU), named exactly as in PyTorch's
/// state dicts: `weight_ih_l0` `[G·H, input]`, `weight_hh_l0` `[G·H, H]`, `bias_ih_l0`,
/// `bias_hh_l0` `[G·H]`, then `…_l1` for the next layer, with `G` gates per layer.
struct RecurrentParameters {
    /// The parameters in PyTorch's order, by name.
    let named: [(name: String, parameter: Parameter)]
    let hasBias: Bool

    /// Every weight and bias drawn from `U(−1/√H, 1/√H)`, as PyTorch initialises them.
    init(gateCount: Int, inputSize: Int, hiddenSize: Int, layerCount: Int, bias: Bool,
         generator: inout RandomGenerator) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        var named: [(String, Parameter)] = []
        for l in 0..<layerCount {
            let input = l == 0 ? inputSize : hiddenSize
            var shapes = [("weight_ih", [gateCount * hiddenSize, input]), ("weight_hh", [gateCount * hiddenSize, hiddenSize])]
            if bias { shapes += [("bias_ih", [gateCount * hiddenSize]), ("bias_hh", [gateCount * hiddenSize])] }
            for (name, shape) in shapes {
                named.append(("\(name)_l\(l)", Parameter(generator.uniform(shape, low: -bound, high: bound))))
            }
        }
        self.named = named
        self.hasBias = bias
    }

    private var perLayer: Int { hasBias ? 4 : 2 }

    /// `W_ih` of layer `l`.
    func inputWeight(_ l: Int) -> Tensor { named[perLayer * l].parameter.wrappedValue }
    /// `W_hh` of layer `l`.
    func recurrentWeight(_ l: Int) -> Tensor { named[perLayer * l + 1].parameter.wrappedValue }
    /// `b_ih` of layer `l` (nil without biases).
    func inputBias(_ l: Int) -> Tensor? { hasBias ? named[perLayer * l + 2].parameter.wrappedValue : nil }
    /// `b_hh` of layer `l` (nil without biases).
    func recurrentBias(_ l: Int) -> Tensor? { hasBias ? named[perLayer * l + 3].parameter.wrappedValue : nil }

    var children: [(name: String, item: ModuleItem)] { named.map { ($0.name, .parameter($0.parameter)) } }
}

/// Validates a batch-first sequence `[N, T, C]` for a recurrent layer and returns (N, T).
func validateSequence(_ shape: [Int], inputSize: Int, op: String) -> (batch: Int, length: Int) {
    checkShapes { () throws(ShapeError) in
        guard shape.count == 3, shape[2] == inputSize, shape[1] >= 1 else {
            throw ShapeError(op: op, "input must have shape [N, T, \(inputSize)] (batch first, T ≥ 1), got \(shapeString(shape))")
        }
        return (shape[0], shape[1])
    }
}

/// Validates an initial state `[layers, N, H]`.
func validateState(_ shape: [Int], expected: [Int], name: String, op: String) {
    checkShapes { () throws(ShapeError) in
        guard shape == expected else {
            throw ShapeError(op: op, "initial \(name) state must have shape \(shapeString(expected)) ([layers, N, H]), got \(shapeString(shape))")
        }
    }
}
