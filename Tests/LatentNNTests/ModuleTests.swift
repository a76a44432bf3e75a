import Foundation
import LatentCore
import LatentNN
import LatentTestSupport
import Testing

private final class Affine: Module {
    @Parameter var weight: Tensor
    @Parameter var bias: Tensor
    @Buffer var calls: Tensor
    init(_ n: Int, _ m: Int) {
        _weight = Parameter(Tensor(shape: [n, m], scalars: (0..<(n * m)).map { Float($0) / 10 - 0.3 }))
        _bias = Parameter(.zeros([m]))
        _calls = Buffer(.zeros([1]))
    }
    func callAsFunction(_ x: Tensor) -> Tensor { matmul(x, weight) + bias }
    override var summary: String { "Affine(\(weight.shape[0]) → \(weight.shape[1]))" }
}

private final class Stack: Module {
    let layers: [Affine]
    let heads: [String: Affine]
    let optionalHead: Affine?
    override init() {
        layers = [Affine(3, 4), Affine(4, 2)]
        heads = ["mu": Affine(2, 1), "sigma": Affine(2, 1)]
        optionalHead = Affine(2, 2)
    }
    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = layers[1](layers[0](x))
        return heads["mu"]!(h) + heads["sigma"]!(h) + optionalHead!(h).sum()
    }
}

@Suite struct ModuleTests {
    /// A buffer made with `resizesOnLoad` takes the loaded shape; others must match.
    @Test func resizableBuffersTakeTheLoadedShape() throws {
        final class Carrier: Module {
            @Buffer(Tensor.zeros([0]), resizesOnLoad: true) var carried: Tensor
            @Buffer(Tensor.zeros([2])) var fixed: Tensor
        }
        let m = Carrier()
        try m.load(state: ["carried": Tensor(shape: [1, 3], scalars: [1, 2, 3]), "fixed": Tensor(shape: [2], scalars: [4, 5])])
        #expect(m.carried.shape == [1, 3] && m.carried.scalars == [1, 2, 3] && m.fixed.scalars == [4, 5])
        #expect(throws: ModuleError.self) { try m.load(state: ["carried": .zeros([1]), "fixed": .zeros([3])]) }
    }

    @Test func discoversNestedParametersAndBuffers() {
        let m = Stack()
        let paths = m.namedParameters().map(\.path)
        #expect(paths == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                          "heads.mu.weight", "heads.mu.bias", "heads.sigma.weight", "heads.sigma.bias",
                          "optionalHead.weight", "optionalHead.bias"])
        #expect(m.namedBuffers().map(\.path).contains("layers.1.calls"))
        #expect(m.parameterCount == 12 + 4 + 8 + 2 + 2 + 1 + 2 + 1 + 4 + 2)
        #expect(m.description.contains("(layers.0): Affine(3 → 4)  [16 params]"))
    }

    @Test func gradientsByPathAndFreezing() {
        let m = Stack()
        let x = Tensor(shape: [5, 3], scalars: (0..<15).map { Float($0) / 7 - 1 })
        let (loss, grads) = valueAndGradient(of: m) { $0(x).sum() }
        #expect(loss.scalarCount == 1)
        #expect(Set(grads.keys) == Set(m.parameters().keys))
        // Parameters are restored to untracked values afterwards.
        #expect(m.namedParameters().allSatisfy { !$0.parameter.wrappedValue.isRecorded })
        // Gradient matches the tensor-level transform.
        let w0 = m.layers[0].weight
        let g = gradient(at: w0) { w in
            m.layers[0].weight = w
            defer { m.layers[0].weight = w0 }
            return m(x).sum()
        }
        expectClose(grads["layers.0.weight"]!, g)
        m.freeze(["layers.0"])
        let frozen = gradient(of: m) { $0(x).sum() }
        #expect(frozen["layers.0.weight"] == nil && frozen["layers.1.weight"] != nil)
        #expect(m.trainableParameterCount == m.parameterCount - 16)
    }

    @Test func trainEvalModeReachesEveryModule() {
        let m = Stack()
        m.eval()
        #expect(m.namedModules().allSatisfy { !$0.module.isTraining })
        m.train()
        #expect(m.namedModules().allSatisfy { $0.module.isTraining })
    }

    @Test func loadStateValidates() throws {
        let m = Stack()
        var state = m.state()
        state["layers.0.bias"] = Tensor([1, 2, 3, 4])
        try m.load(state: state)
        expectClose(m.layers[0].bias, Tensor([1, 2, 3, 4]))
        state["layers.0.bias"] = Tensor([1, 2])
        #expect(throws: ModuleError.shapeMismatch(path: "layers.0.bias", expected: [4], got: [2])) { try m.load(state: state) }
        state.removeValue(forKey: "layers.0.bias")
        #expect(throws: ModuleError.missing(["layers.0.bias"])) { try m.load(state: state) }
    }
}
