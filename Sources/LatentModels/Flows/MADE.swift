import LatentCore
import LatentNN

/// A masked autoencoder for distribution estimation (Germain et al. 2015): an MLP whose
/// masked weights make output block i depend only on the inputs before i in an ordering.
///
/// Each input gets a degree 1…D, its position in the autoregressive order (by default the
/// natural order: input i has degree i + 1); hidden units get degrees in 1…D−1 (cycled, or
/// spread evenly in layers narrower than D − 1, by default), and output block i (`parametersPerDimension` outputs, laid out `[D, P]`) has
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
        let masks = Self.masks(ordering: self.ordering, hiddenDegrees: Self.defaultDegrees(hidden, dimension: dimension),
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

    /// The default hidden degrees: in a layer of H ≥ D − 1 units, `1, 2, …, D−1, 1, 2, …`
    /// (every degree at least once); in a narrower layer, H degrees spread evenly over
    /// `1…D−1` (`1 + ⌊k (D−1) / H⌋`), so that units exist for late inputs too — cycling
    /// `1…H` would leave every input after the H-th unseen by the hidden layer (all 1 when
    /// D = 1).
    public static func defaultDegrees(_ hidden: [Int], dimension: Int) -> [[Int]] {
        hidden.map { width in
            (0..<width).map { k in
                if dimension == 1 { return 1 }
                return width >= dimension - 1 ? (k % (dimension - 1)) + 1 : 1 + k * (dimension - 1) / width
            }
        }
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
    /// hidden units (``defaultDegrees(_:dimension:)`` if nil).
    public func setConnectivity(ordering: [Int], hiddenDegrees: [[Int]]? = nil) {
        let degrees = hiddenDegrees ?? Self.defaultDegrees(hidden, dimension: dimension)
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
    /// With `incremental`, every weight is used once for the whole draw instead of once per
    /// coordinate. A unit is *final* at step t when everything it sees (through its mask)
    /// is known after the first t coordinates: inputs at their position, hidden units at the
    /// latest step of the units below them that they see. Each layer keeps its
    /// pre-activations; when coordinate t is drawn, its input column is added to the first
    /// layer, then each unit that becomes final at step t adds its activation times its
    /// weight column to the layer above (the output layer included). Output block i reads
    /// only units final before its position, so its pre-activation is complete when it is
    /// drawn. The cost is one forward pass in all, `O(D H₁ + Σₗ Hₗ Hₗ₊₁ + H_L D P)` per
    /// sample, against that much per coordinate for full passes (`incremental: false`).
    /// Both give the same outputs up to rounding, for any ordering and connectivity
    /// (the steps are derived from the masks, so loaded masks are honoured).
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
            var position = [Int](repeating: 0, count: d)
            for (k, i) in ordering.enumerated() { position[i] = k + 1 }
            // Per layer: the masked weight transposed ([in, out], a unit's column is a row),
            // the running pre-activations [count, out], and (hidden layers) the step at
            // which each unit becomes final.
            var columns: [[Float]] = [], sums: [[Float]] = [], finalAt: [[Int]] = []
            var below = position
            for (l, layer) in layers.enumerated() {
                let w = (layer.weight * layer.mask).transposed().scalars
                let m = layer.mask.scalars, n = layer.outputSize, k = layer.inputSize
                columns.append(w)
                var start = layer(Tensor.zeros([count, k]))                    // the bias, broadcast
                if l == 0, let contextLayer {
                    guard let context else { fatalError("MADE: this network needs a context") }
                    start = start + contextLayer(context)
                }
                sums.append(start.scalars)
                if l < layers.count - 1 {
                    let steps = (0..<n).map { u in (0..<k).reduce(0) { m[u * k + $1] != 0 ? max($0, below[$1]) : $0 } }
                    finalAt.append(steps)
                    below = steps
                }
            }
            // Units of each hidden layer grouped by the step at which they become final.
            let byStep: [[[Int]]] = finalAt.map { steps in
                var groups = [[Int]](repeating: [], count: d + 1)
                for (u, t) in steps.enumerated() { groups[t].append(u) }
                return groups
            }
            // Adds relu(unit u of layer l) × its column to layer l + 1.
            func propagate(_ l: Int, units: [Int]) {
                let n = layers[l].outputSize, next = layers[l + 1].outputSize
                let below = sums[l]                                              // no overlapping access to `sums`
                columns[l + 1].withUnsafeBufferPointer { w in
                    below.withUnsafeBufferPointer { h in
                        sums[l + 1].withUnsafeMutableBufferPointer { a in
                            for u in units {
                                for b in 0..<count {
                                    let v = max(h[b * n + u], 0)
                                    if v == 0 { continue }
                                    let row = u * next, out = b * next
                                    for j in 0..<next { a[out + j] += v * w[row + j] }
                                }
                            }
                        }
                    }
                }
            }
            func finalise(step t: Int) {
                for l in 0..<finalAt.count where !byStep[l][t].isEmpty { propagate(l, units: byStep[l][t]) }
            }
            finalise(step: 0)
            let h1 = layers[0].outputSize, outputs = d * p
            for (k, i) in ordering.enumerated() {
                var block = [Float](repeating: 0, count: count * p)
                for b in 0..<count { for j in 0..<p { block[b * p + j] = sums[sums.count - 1][b * outputs + i * p + j] } }
                let values = draw(i, Tensor(shape: [count, p], scalars: block))
                columns[0].withUnsafeBufferPointer { w in
                    sums[0].withUnsafeMutableBufferPointer { a in
                        for b in 0..<count where values[b] != 0 {
                            x[b * d + i] = values[b]
                            let v = values[b], row = i * h1, out = b * h1
                            for u in 0..<h1 { a[out + u] += v * w[row + u] }
                        }
                    }
                }
                finalise(step: k + 1)
            }
            return Tensor(shape: [count, d], scalars: x)
        }
    }
}
