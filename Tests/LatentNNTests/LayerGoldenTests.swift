import Foundation
import LatentCore
import LatentNN
import LatentTestSupport
import Testing

/// Layers against PyTorch (Scripts/fixtures/nn_layers.py): each case loads PyTorch's state
/// dict as-is (strict names and shapes), runs one call in the same mode and compares the
/// output, the gradients of sum(output · P) with respect to the input and every
/// parameter, and the state afterwards (running statistics, power-iteration vectors).
@Suite struct LayerGoldenTests {
    static let fixture: SafeTensors.Contents = {
        let url = Bundle.module.url(forResource: "nn_layers", withExtension: "safetensors", subdirectory: "Fixtures")!
        return try! SafeTensors.read(from: url)
    }()

    static func tensors(_ prefix: String) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (k, v) in fixture.tensors where k.hasPrefix(prefix) { out[String(k.dropFirst(prefix.count))] = v }
        return out
    }

    static func tensor(_ key: String) -> Tensor {
        guard let t = fixture.tensors[key] else { preconditionFailure("fixture has no '\(key)'") }
        return t
    }

    /// The output and the gradients of `Σ forward(x) · P` for the input and every
    /// parameter, from one call (so a training-mode call updates the state once).
    static func run(_ module: Module, _ x: Tensor, projection: Tensor, _ forward: (Tensor) -> Tensor)
        -> (output: Tensor, inputGradient: Tensor, gradients: [String: Tensor]) {
        let slots = module.namedParameters()
        let originals = slots.map { $0.parameter.wrappedValue }
        defer { for (s, v) in zip(slots, originals) { s.parameter.wrappedValue = v } }
        var output = Tensor(0)
        let grads = gradient(at: [x] + originals) { vars in
            for (s, v) in zip(slots, vars.dropFirst()) { s.parameter.wrappedValue = v }
            let y = forward(vars[0])
            output = y.detached()
            return (y * projection).sum()
        }
        return (output, grads[0], Dictionary(uniqueKeysWithValues: zip(slots.map(\.path), grads.dropFirst())))
    }

    /// Loads case `name` into `module`, runs it, and compares everything with PyTorch.
    func check(_ name: String, _ module: Module, train: Bool = true, relative: Float = 1e-5, absolute: Float = 1e-5,
               sourceLocation: SourceLocation = #_sourceLocation, _ forward: (Tensor) -> Tensor) {
        do {
            try module.load(state: Self.tensors("\(name)/state/"))
        } catch {
            Issue.record("\(name): state dict does not load: \(error)", sourceLocation: sourceLocation)
            return
        }
        module.train(train)
        let x = Self.tensor("\(name)/input")
        let (y, gx, grads) = Self.run(module, x, projection: Self.tensor("\(name)/projection"), forward)
        expectClose(y, Self.tensor("\(name)/output"), relative: relative, absolute: absolute, "\(name) output",
                    sourceLocation: sourceLocation)
        if let expected = Self.fixture.tensors["\(name)/grad_input"] {
            expectClose(gx, expected, relative: relative, absolute: absolute, "\(name) input gradient",
                        sourceLocation: sourceLocation)
        }
        let expectedGrads = Self.tensors("\(name)/grad/")
        #expect(Set(grads.keys) == Set(expectedGrads.keys), "\(name) parameter names", sourceLocation: sourceLocation)
        for (k, g) in expectedGrads {
            guard let mine = grads[k] else { continue }
            expectClose(mine, g, relative: relative, absolute: absolute, "\(name) gradient \(k)", sourceLocation: sourceLocation)
        }
        let state = module.state()
        for (k, v) in Self.tensors("\(name)/state_after/") {
            guard let mine = state[k] else { Issue.record("\(name): no state '\(k)'", sourceLocation: sourceLocation); continue }
            expectClose(mine, v, relative: relative, absolute: absolute, "\(name) state after \(k)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Dense

    @Test func linear() {
        var g = RandomGenerator(seed: 1)
        let l = Linear(5, 3, generator: &g)
        check("linear", l) { l($0) }
        check("linear_batched", l) { l($0) }
        let n = Linear(5, 3, bias: false, generator: &g)
        check("linear_nobias", n) { n($0) }
    }

    @Test func maskedLinear() {
        var g = RandomGenerator(seed: 1)
        let l = MaskedLinear(6, 4, mask: Self.tensor("masked_linear/state/mask"), generator: &g)
        check("masked_linear", l) { l($0) }
        // Masked-out weights get no gradient.
        let grads = gradient(of: l) { ($0(Self.tensor("masked_linear/input"))).sum() }
        #expect(zip(grads["weight"]!.scalars, l.mask.scalars).allSatisfy { $1 == 1 || $0 == 0 })
    }

    // MARK: Convolutions

    @Test func convolutions() {
        var g = RandomGenerator(seed: 2)
        let c1 = Conv1d(3, 4, kernelSize: 3, stride: 2, padding: 1, dilation: 2, generator: &g)
        check("conv1d", c1) { c1($0) }
        let c2 = Conv2d(4, 6, kernelSize: (3, 2), stride: (2, 1), padding: (1, 0), dilation: (1, 2), groups: 2, generator: &g)
        check("conv2d", c2) { c2($0) }
        let t = ConvTranspose2d(4, 6, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, groups: 2, generator: &g)
        check("conv_transpose2d", t) { t($0) }
    }

    @Test func maskedConvolutions() {
        var g = RandomGenerator(seed: 3)
        let cases: [(String, MaskedConv2d)] = [
            ("masked_conv2d_a", MaskedConv2d(3, 6, kernelSize: 5, maskType: .a, channelGroups: 3, generator: &g)),
            ("masked_conv2d_b", MaskedConv2d(6, 6, kernelSize: 3, maskType: .b, channelGroups: 3, generator: &g)),
            ("masked_conv2d_a1", MaskedConv2d(2, 3, kernelSize: 3, maskType: .a, generator: &g)),
        ]
        for (name, layer) in cases {
            // The mask Latent builds is the one the script builds.
            #expect(layer.mask.scalars == Self.tensor("\(name)/state/mask").scalars, "\(name) mask")
            check(name, layer) { layer($0) }
        }
    }

    @Test func embedding() {
        var g = RandomGenerator(seed: 4)
        let e = Embedding(count: 10, dimension: 4, generator: &g)
        try! e.load(state: Self.tensors("embedding/state/"))
        let ids = Self.tensor("embedding/input")
        let index = IndexTensor(shape: ids.shape, scalars: ids.scalars.map { Int($0) })
        let projection = Self.tensor("embedding/projection")
        let grads = gradient(of: e) { ($0(index) * projection).sum() }
        expectClose(e(index), Self.tensor("embedding/output"))
        expectClose(grads["weight"]!, Self.tensor("embedding/grad/weight"))
    }

    // MARK: Normalisation

    @Test func layerNorm() {
        let a = LayerNorm([3, 4])
        check("layer_norm", a) { a($0) }
        let b = LayerNorm(6, epsilon: 1e-3, elementwiseAffine: false)
        check("layer_norm_plain", b) { b($0) }
    }

    @Test func batchNorm() {
        for name in ["batch_norm1d_train", "batch_norm1d_3d_train"] {
            let bn = BatchNorm1d(3)
            check(name, bn) { bn($0) }
            #expect(bn.numBatchesTracked == 1)
        }
        let eval1 = BatchNorm1d(3)
        check("batch_norm1d_eval", eval1, train: false) { eval1($0) }
        let cumulative = BatchNorm1d(3, momentum: nil)
        check("batch_norm1d_cumulative", cumulative) { cumulative($0) }
        #expect(cumulative.numBatchesTracked == 3)
        let bn2 = BatchNorm2d(3)
        check("batch_norm2d_train", bn2) { bn2($0) }
        let eval2 = BatchNorm2d(3)
        check("batch_norm2d_eval", eval2, train: false) { eval2($0) }
    }

    @Test func groupNorm() {
        let gn = GroupNorm(groups: 2, channels: 6)
        check("group_norm", gn) { gn($0) }
    }

    // MARK: Wrappers

    @Test func spectralNorm() {
        var g = RandomGenerator(seed: 5)
        let linear = SpectralNorm(wrapping: Linear(5, 4, generator: &g), generator: &g)
        check("spectral_norm_linear", linear) { linear($0) }
        let conv = SpectralNorm(wrapping: Conv2d(3, 4, kernelSize: 3, generator: &g), generator: &g)
        check("spectral_norm_conv2d", conv) { conv($0) }
        let transposed = SpectralNorm(wrapping: ConvTranspose2d(3, 4, kernelSize: 3, stride: 2, generator: &g),
                                      generator: &g)
        check("spectral_norm_conv_transpose2d", transposed) { transposed($0) }
        let frozen = SpectralNorm(wrapping: Linear(5, 4, generator: &g), generator: &g)
        check("spectral_norm_eval", frozen, train: false) { frozen($0) }
    }

    @Test func weightNorm() {
        var g = RandomGenerator(seed: 6)
        let linear = WeightNorm(wrapping: Linear(5, 4, generator: &g))
        check("weight_norm_linear", linear) { linear($0) }
        let conv = WeightNorm(wrapping: Conv2d(3, 4, kernelSize: 3, generator: &g))
        check("weight_norm_conv2d", conv) { conv($0) }
        let whole = WeightNorm(wrapping: Linear(5, 4, generator: &g), axis: nil)
        check("weight_norm_whole", whole) { whole($0) }
    }

    // MARK: Activations and containers

    @Test func activations() {
        let cases: [(String, any Layer)] = [
            ("relu", ReLU()), ("leaky_relu", LeakyReLU(negativeSlope: 0.2)), ("elu", ELU(alpha: 0.7)),
            ("gelu", GELU()), ("gelu_tanh", GELU(approximate: true)), ("silu", SiLU()), ("tanh", Tanh()),
            ("sigmoid", Sigmoid()), ("softplus", Softplus()), ("softplus_beta", Softplus(beta: 2)),
        ]
        for (name, layer) in cases { check(name, layer) { layer($0) } }
    }

    @Test func residualBlock() {
        var g = RandomGenerator(seed: 7)
        let block = ResidualBlock(3, 4, stride: 2, generator: &g)
        check("residual_block", block, relative: 2e-5, absolute: 2e-5) { block($0) }
        #expect(block.parameterCount == Int(Self.fixture.metadata["count/residual_block"]!))
    }

    // MARK: PyTorch checkpoints (acceptance)

    func fixtureURL(_ name: String) -> URL {
        Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures")!
    }

    /// A state dict written by `safetensors.torch.save_file(nn.Sequential(...).state_dict())`
    /// loads into the matching Latent `Sequential` and gives PyTorch's outputs.
    @Test func pytorchSequentialMLPLoads() throws {
        var g = RandomGenerator(seed: 8)
        let mlp = Sequential(Linear(4, 8, generator: &g), Tanh(), Linear(8, 8, generator: &g), ReLU(),
                             Linear(8, 2, generator: &g))
        try mlp.load(from: fixtureURL("sequential_mlp"))
        mlp.eval()
        expectClose(mlp(Self.tensor("sequential_mlp/input")), Self.tensor("sequential_mlp/output"))
        #expect(mlp.parameterCount == Int(Self.fixture.metadata["count/sequential_mlp"]!))
    }

    @Test func pytorchConvNetLoads() throws {
        var g = RandomGenerator(seed: 9)
        let net = Sequential(Conv2d(1, 4, kernelSize: 3, padding: 1, generator: &g), BatchNorm2d(4), ReLU(),
                             Conv2d(4, 2, kernelSize: 3, stride: 2, generator: &g), Flatten(), Linear(8, 3, generator: &g))
        try net.load(from: fixtureURL("sequential_conv"))
        net.eval()
        expectClose(net(Self.tensor("sequential_conv/input")), Self.tensor("sequential_conv/output"))
        #expect((net[1] as! BatchNorm2d).numBatchesTracked == 7)   // stored as int64 by PyTorch
        #expect(net.parameterCount == Int(Self.fixture.metadata["count/sequential_conv"]!))
    }
}
