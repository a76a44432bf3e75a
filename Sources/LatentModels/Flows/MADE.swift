import LatentCore
import LatentNN

/// A masked autoencoder for distribution estimation (Germain et al. 2015): an MLP whose
/// masked weights make output block i depend only on the inputs before i in an ordering.
///
/// Each input gets a degree 1…D, its position in the autoregressive order (by default the
/// natural order: input i has degree i + 1); hidden units get degrees in 1…D−1 (cycled by
/// default), and output block i (`parametersPerDimension` outputs, laid out `[D, P]`) has
/// input i's degree: a hidden unit of degree m sees inputs and units of degree ≤ m, output
/// block i sees last-layer units of degree < degree(i). ``setConnectivity(ordering:hiddenDegrees:)``
/// replaces the masks (order- and connectivity-agnostic training, Germain et al. §4).
/// A context vector, when given, enters the first hidden layer through an unmasked linear
/// map (it may inform every output).
public final class MADE: Module {
    public let layers: [MaskedLinear]
    /// Unmasked context → first hidden layer (nil without context).
    public let contextLayer: Linear?
    public let dimension: Int
    public let parametersPerDimension: Int
    /// The order the masks follow: `ordering[k]` is the input predicted k-th.
    public private(set) var ordering: [Int]

    /// - Parameters:
    ///   - dimension: D, the number of autoregressive inputs.
    ///   - hidden: Hidden layer widths (each ≥ D − 1 for full connectivity).
    ///   - parametersPerDimension: P outputs per input coordinate.
    ///   - contextSize: Size of the context vector (0 for none).
    ///   - outputBias: Initial output bias, `D·P` values laid out `[D, P]` (zeros if nil).
    ///   - ordering: The autoregressive order, a permutation of `0..<D` (natural if nil).
    ///   - generator: Random stream for the initial weights.
    public init(dimension: Int, hidden: [Int], parametersPerDimension: Int, contextSize: Int = 0,
                outputBias: [Float]? = nil, ordering: [Int]? = nil, generator: inout RandomGenerator) {
        ensure(dimension >= 1 && !hidden.isEmpty, "MADE: needs a positive dimension and at least one hidden layer")
        self.dimension = dimension
        self.parametersPerDimension = parametersPerDimension
        self.ordering = ordering ?? Array(0..<dimension)
        let masks = Self.masks(ordering: self.ordering, hiddenDegrees: Self.cycledDegrees(hidden, dimension: dimension),
                               parametersPerDimension: parametersPerDimension)
        let widths = [dimension] + hidden + [dimension * parametersPerDimension]
        var layers: [MaskedLinear] = []
        for l in 0..<masks.count {
            layers.append(MaskedLinear(widths[l], widths[l + 1], mask: masks[l], generator: &generator))
        }
        let last = layers[layers.count - 1]
        last.weight = Tensor.zeros(last.weight.shape)
        last.biasParameter?.wrappedValue = Tensor(shape: [last.outputSize],
                                                  scalars: outputBias ?? [Float](repeating: 0, count: last.outputSize))
        self.layers = layers
        self.contextLayer = contextSize > 0 ? Linear(contextSize, hidden[0], bias: false, generator: &generator) : nil
    }

    /// The hidden widths.
    public var hidden: [Int] { layers.dropLast().map(\.outputSize) }

    /// Hidden degrees `1, 2, …, D−1, 1, 2, …` in every layer (all 1 when D = 1).
    public static func cycledDegrees(_ hidden: [Int], dimension: Int) -> [[Int]] {
        hidden.map { width in (0..<width).map { dimension == 1 ? 1 : ($0 % (dimension - 1)) + 1 } }
    }

    /// Random connectivity (Germain et al. §4): each unit's degree uniform in
    /// `[min degree of the layer below, D − 1]` (inputs count as degree ≥ 1).
    public static func randomDegrees(_ hidden: [Int], dimension: Int, generator: inout RandomGenerator) -> [[Int]] {
        var low = 1, out: [[Int]] = []
        for width in hidden {
            let high = max(dimension - 1, low)
            let u = generator.uniform([width]).scalars
            let layer = u.map { low + min(Int($0 * Float(high - low + 1)), high - low) }
            out.append(layer)
            low = layer.min() ?? low
        }
        return out
    }

    /// The masks of every layer for an ordering and hidden degrees.
    public static func masks(ordering: [Int], hiddenDegrees: [[Int]], parametersPerDimension p: Int) -> [Tensor] {
        let d = ordering.count
        ensure(Set(ordering) == Set(0..<d), "MADE: ordering \(ordering) is not a permutation of 0..<\(d)")
        var inputDegrees = [Int](repeating: 0, count: d)
        for (position, input) in ordering.enumerated() { inputDegrees[input] = position + 1 }
        func mask(_ output: [Int], _ input: [Int], strict: Bool) -> Tensor {
            Tensor(shape: [output.count, input.count]) { m, _ in
                for o in 0..<output.count {
                    for i in 0..<input.count {
                        m[o * input.count + i] = (strict ? output[o] > input[i] : output[o] >= input[i]) ? 1 : 0
                    }
                }
            }
        }
        var degrees = [inputDegrees] + hiddenDegrees, out: [Tensor] = []
        for l in 0..<hiddenDegrees.count { out.append(mask(degrees[l + 1], degrees[l], strict: false)) }
        degrees.append((0..<(d * p)).map { inputDegrees[$0 / p] })
        out.append(mask(degrees[degrees.count - 1], degrees[degrees.count - 2], strict: true))
        return out
    }

    /// Replaces the masks: `ordering` (a permutation of `0..<D`) and the degrees of the
    /// hidden units (cycled if nil).
    public func setConnectivity(ordering: [Int], hiddenDegrees: [[Int]]? = nil) {
        let degrees = hiddenDegrees ?? Self.cycledDegrees(hidden, dimension: dimension)
        ensure(degrees.map(\.count) == hidden, "MADE: hidden degrees for widths \(degrees.map(\.count)), expected \(hidden)")
        for (layer, mask) in zip(layers, Self.masks(ordering: ordering, hiddenDegrees: degrees, parametersPerDimension: parametersPerDimension)) {
            layer.mask = mask
        }
        self.ordering = ordering
    }

    /// Outputs `[B, D, P]` for inputs `[B, D]` (and context `[B, contextSize]`).
    public func callAsFunction(_ x: Tensor, context: Tensor?) -> Tensor {
        var h = layers[0](x)
        if let contextLayer {
            guard let context else { fatalError("MADE: this network needs a context") }
            h = h + contextLayer(context)
        }
        for layer in layers.dropFirst() { h = layer(h.relu()) }
        return h.reshaped(to: Array(x.shape.dropLast()) + [dimension, parametersPerDimension])
    }

    /// Draws `count` inputs `[count, D]` one coordinate at a time in ``ordering``
    /// (ancestral sampling): `draw(i, outputs)` turns the `[count, P]` outputs of block `i`
    /// into the `count` values of input `i`.
    ///
    /// With `incremental`, the first layer's pre-activations are kept and updated by the
    /// new input's column only (`a ← a + xᵢ (W ⊙ M)[:, i]`), and only block i of the output
    /// layer is computed, instead of the whole network on the whole input every time: per
    /// coordinate `O(H₁ + Σₗ Hₗ Hₗ₊₁ + H_L P)` instead of `O(D H₁ + Σₗ Hₗ Hₗ₊₁ + H_L D P)`.
    /// Both give the same outputs up to rounding.
    public func sampleAutoregressively(count: Int, context: Tensor? = nil, incremental: Bool = true,
                                       draw: (Int, Tensor) -> [Float]) -> Tensor {
        let d = dimension, p = parametersPerDimension
        var x = [Float](repeating: 0, count: count * d)
        return withoutDerivative {
            guard incremental else {
                for i in ordering {
                    let out = self(Tensor(shape: [count, d], scalars: x), context: context)
                    let values = draw(i, out.sliced(starts: [0, i, 0], sizes: [count, 1, p]).reshaped(to: [count, p]))
                    for b in 0..<count { x[b * d + i] = values[b] }
                }
                return Tensor(shape: [count, d], scalars: x)
            }
            let first = layers[0], last = layers[layers.count - 1], h1 = first.outputSize
            let columns = (first.weight * first.mask).scalars                  // [H₁, D]
            var start = first(Tensor.zeros([count, d]))                         // the bias, broadcast
            if let contextLayer {
                guard let context else { fatalError("MADE: this network needs a context") }
                start = start + contextLayer(context)
            }
            var a = start.scalars
            let lastWeight = last.weight * last.mask
            let middle = layers.dropFirst().dropLast().map { (weight: $0.weight * $0.mask, bias: $0.bias) }
            for i in ordering {
                var h = Tensor(shape: [count, h1], scalars: a)
                for layer in middle { h = linear(h.relu(), weight: layer.weight, bias: layer.bias) }
                let rows = (i * p)..<((i + 1) * p)
                let out = linear(h.relu(), weight: lastWeight.sliced(alongAxis: 0, range: rows),
                                 bias: last.bias?.sliced(alongAxis: 0, range: rows))
                let values = draw(i, out)
                for b in 0..<count where values[b] != 0 {
                    x[b * d + i] = values[b]
                    for u in 0..<h1 { a[b * h1 + u] += values[b] * columns[u * d + i] }
                }
            }
            return Tensor(shape: [count, d], scalars: x)
        }
    }
}
