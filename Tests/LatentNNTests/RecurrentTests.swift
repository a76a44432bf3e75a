import Foundation
import LatentCore
import LatentNN
import LatentTestSupport
import Testing

/// LSTM and GRU modules against PyTorch's nn.LSTM / nn.GRU (two layers, batch first).
@Suite struct RecurrentGoldenTests {
    /// Loss of the fixture: Σ y ⊙ W_y + Σ h_n ⊙ W_h (+ Σ c_n ⊙ W_c).
    static func loss(_ outputs: [String: Tensor], _ weights: [String: Tensor]) -> Tensor {
        outputs.keys.sorted().map { (outputs[$0]! * weights[$0]!).sum() }.reduce(Tensor(0), +)
    }

    static func check(_ name: String, outputs: [String: Tensor], expected: [String: Tensor]) {
        for (k, v) in outputs { expectClose(v, expected[k]!, relative: 1e-5, absolute: 1e-6, "\(name) output \(k)") }
    }

    @Test(arguments: ["lstm", "lstm_state"])
    func lstmMatchesPyTorch(_ name: String) throws {
        let f = SequenceFixture.tensors(name)
        let inputs = SequenceFixture.group(f, "input"), weights = SequenceFixture.group(f, "weight")
        let expectedGradients = SequenceFixture.group(f, "grad")
        var g = RandomGenerator(seed: 0)
        let model = LSTM(inputSize: 5, hiddenSize: 6, layerCount: 2, generator: &g)
        try model.load(state: SequenceFixture.group(f, "param"))
        let inputNames = ["x", "h0", "c0"].filter { inputs[$0] != nil }
        func run(_ m: LSTM, _ xs: [Tensor]) -> [String: Tensor] {
            let state = xs.count == 3 ? LSTMState(hidden: xs[1], cell: xs[2]) : nil
            let (y, s) = m(xs[0], initialState: state)
            return ["y": y, "hn": s.hidden, "cn": s.cell]
        }
        let xs = inputNames.map { inputs[$0]! }
        Self.check(name, outputs: run(model, xs), expected: SequenceFixture.group(f, "output"))
        let parameterGradients = gradient(of: model) { Self.loss(run($0, xs), weights) }
        let inputGradients = gradient(at: xs) { Self.loss(run(model, $0), weights) }
        for (k, v) in parameterGradients {
            expectClose(v, expectedGradients[k]!, relative: 1e-5, absolute: 1e-6, "\(name) gradient \(k)")
        }
        for (k, v) in zip(inputNames, inputGradients) {
            expectClose(v, expectedGradients[k]!, relative: 1e-5, absolute: 1e-6, "\(name) gradient \(k)")
        }
    }

    @Test(arguments: ["gru", "gru_state"])
    func gruMatchesPyTorch(_ name: String) throws {
        let f = SequenceFixture.tensors(name)
        let inputs = SequenceFixture.group(f, "input"), weights = SequenceFixture.group(f, "weight")
        let expectedGradients = SequenceFixture.group(f, "grad")
        var g = RandomGenerator(seed: 0)
        let model = GRU(inputSize: 5, hiddenSize: 6, layerCount: 2, generator: &g)
        try model.load(state: SequenceFixture.group(f, "param"))
        let inputNames = ["x", "h0"].filter { inputs[$0] != nil }
        func run(_ m: GRU, _ xs: [Tensor]) -> [String: Tensor] {
            let (y, s) = m(xs[0], initialState: xs.count == 2 ? xs[1] : nil)
            return ["y": y, "hn": s]
        }
        let xs = inputNames.map { inputs[$0]! }
        Self.check(name, outputs: run(model, xs), expected: SequenceFixture.group(f, "output"))
        let parameterGradients = gradient(of: model) { Self.loss(run($0, xs), weights) }
        let inputGradients = gradient(at: xs) { Self.loss(run(model, $0), weights) }
        for (k, v) in parameterGradients {
            expectClose(v, expectedGradients[k]!, relative: 1e-5, absolute: 1e-6, "\(name) gradient \(k)")
        }
        for (k, v) in zip(inputNames, inputGradients) {
            expectClose(v, expectedGradients[k]!, relative: 1e-5, absolute: 1e-6, "\(name) gradient \(k)")
        }
    }

    /// State keys and shapes are PyTorch's, in PyTorch's order.
    @Test func parameterNamesArePyTorchs() {
        var g = RandomGenerator(seed: 0)
        let lstm = LSTM(inputSize: 5, hiddenSize: 6, layerCount: 2, generator: &g)
        #expect(lstm.namedParameters().map(\.path) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                                       "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"])
        #expect(lstm.parameters()["weight_ih_l1"]!.shape == [24, 6])
        let gru = GRU(inputSize: 5, hiddenSize: 6, bias: false, generator: &g)
        #expect(gru.namedParameters().map(\.path) == ["weight_ih_l0", "weight_hh_l0"])
        #expect(gru.parameters()["weight_hh_l0"]!.shape == [18, 6])
        // U(−1/√H, 1/√H)
        let all = lstm.parameters().values.flatMap(\.scalars)
        #expect(all.allSatisfy { abs($0) <= 1 / Float(6).squareRoot() })
    }

    /// Truncated BPTT: a detached state passes values but no gradient to the previous chunk.
    @Test func detachedStateStopsGradients() {
        var g = RandomGenerator(seed: 3)
        let model = LSTM(inputSize: 3, hiddenSize: 4, layerCount: 2, generator: &g)
        let chunk1 = g.normal([2, 5, 3]), chunk2 = g.normal([2, 5, 3])
        let (gradients, gradientsDetached) = (gradient(at: [chunk1]) { xs in
            let (_, s) = model(xs[0])
            return model(chunk2, initialState: s).output.sum()
        }, gradient(at: [chunk1]) { xs in
            let (_, s) = model(xs[0])
            return model(chunk2, initialState: s.detached()).output.sum()
        })
        #expect(gradients[0].scalars.contains { $0 != 0 })
        #expect(gradientsDetached[0].scalars.allSatisfy { $0 == 0 })
        // Parameters: with the detached state, the second chunk's loss gives the same
        // gradient as running it from a constant initial state.
        let (_, s) = model(chunk1)
        let constant = LSTMState(hidden: Tensor(shape: s.hidden.shape, scalars: s.hidden.scalars),
                                 cell: Tensor(shape: s.cell.shape, scalars: s.cell.scalars))
        let a = gradient(of: model) { m in m(chunk2, initialState: m(chunk1).state.detached()).output.sum() }
        let b = gradient(of: model) { m in m(chunk2, initialState: constant).output.sum() }
        for (k, v) in a { expectClose(v, b[k]!, relative: 1e-6, absolute: 1e-7, k) }
        let gru = GRU(inputSize: 3, hiddenSize: 4, generator: &g)
        let gruGradients = gradient(at: [chunk1]) { xs in gru(chunk2, initialState: gru(xs[0]).state.detached()).output.sum() }
        #expect(gruGradients[0].scalars.allSatisfy { $0 == 0 })
    }

    /// Dropout between layers only in training mode, drawn from the generator.
    @Test func dropoutBetweenLayers() {
        var g = RandomGenerator(seed: 4)
        let model = LSTM(inputSize: 3, hiddenSize: 8, layerCount: 2, dropout: 0.5, generator: &g)
        let x = g.normal([2, 4, 3])
        var r1 = RandomGenerator(seed: 1), r2 = RandomGenerator(seed: 1), r3 = RandomGenerator(seed: 2)
        let a = model(x, generator: &r1).output, b = model(x, generator: &r2).output, c = model(x, generator: &r3).output
        #expect(a.scalars == b.scalars)
        #expect(a.scalars != c.scalars)
        // Without a generator the module's own stream is used: it advances, and it is
        // reproducible from the seed the model was built from.
        var g2 = RandomGenerator(seed: 4)
        let twin = LSTM(inputSize: 3, hiddenSize: 8, layerCount: 2, dropout: 0.5, generator: &g2)
        let first = model(x).output
        #expect(first.scalars == twin(x).output.scalars)
        #expect(first.scalars != model(x).output.scalars)
        model.eval()
        var r4 = RandomGenerator(seed: 1)
        #expect(model(x, generator: &r4).output.scalars == model(x).output.scalars)
    }
}
