import Foundation
import LatentCore
import LatentNN
import LatentTestSupport
import Testing

/// Initialisers and the default initialisation of every layer: bounds and moments of
/// PyTorch's distributions (values differ: the random streams differ).
@Suite struct InitializerTests {
    func moments(_ t: Tensor) -> (mean: Double, std: Double) {
        let s = t.scalars.map(Double.init)
        let m = s.reduce(0, +) / Double(s.count)
        return (m, (s.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(s.count)).squareRoot())
    }

    /// Uniform on ±bound: inside the bound, reaching near it, with std bound/√3.
    func expectUniform(_ t: Tensor, bound: Float, _ comment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let s = t.scalars
        #expect(s.allSatisfy { abs($0) <= bound }, "\(comment) outside ±\(bound)", sourceLocation: sourceLocation)
        #expect(s.max()! > bound * 0.9 && s.min()! < -bound * 0.9, "\(comment) does not fill ±\(bound)", sourceLocation: sourceLocation)
        let (m, sd) = moments(t)
        #expect(abs(m) < Double(bound) * 0.1, "\(comment) mean \(m)", sourceLocation: sourceLocation)
        #expect(abs(sd / (Double(bound) / 3.0.squareRoot()) - 1) < 0.1, "\(comment) std \(sd)", sourceLocation: sourceLocation)
    }

    func expectNormal(_ t: Tensor, std: Double, _ comment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let (m, sd) = moments(t)
        #expect(abs(m) < std * 0.1, "\(comment) mean \(m)", sourceLocation: sourceLocation)
        #expect(abs(sd / std - 1) < 0.1, "\(comment) std \(sd) vs \(std)", sourceLocation: sourceLocation)
    }

    @Test func fansFollowPyTorch() {
        #expect(Initializer.fans([4, 3]) == (3, 4))
        #expect(Initializer.fans([8, 2, 3, 5]) == (30, 120))
        #expect(Nonlinearity.relu.gain == Float(2).squareRoot())
        #expect(Nonlinearity.leakyRelu(negativeSlope: 0.2).gain == (2 / Float(1.04)).squareRoot())
        #expect(Nonlinearity.tanh.gain == 5.0 / 3 && Nonlinearity.selu.gain == 0.75 && Nonlinearity.linear.gain == 1)
    }

    @Test func varianceScalingDistributions() {
        var g = RandomGenerator(seed: 10)
        let shape = [64, 32, 3, 3]   // fanIn 288, fanOut 576
        expectUniform(Initializer.kaimingUniform()(shape, generator: &g), bound: (6 / Float(288)).squareRoot(), "kaimingUniform")
        expectUniform(Initializer.kaimingUniform(mode: .fanOut, nonlinearity: .tanh)(shape, generator: &g),
                      bound: 5.0 / 3 * (3 / Float(576)).squareRoot(), "kaimingUniform fanOut tanh")
        expectNormal(Initializer.kaimingNormal(nonlinearity: .relu)(shape, generator: &g), std: (2 / 288.0).squareRoot(), "kaimingNormal")
        expectUniform(Initializer.xavierUniform(gain: 2)(shape, generator: &g), bound: 2 * (6 / Float(864)).squareRoot(), "xavierUniform")
        expectNormal(Initializer.xavierNormal()(shape, generator: &g), std: (2 / 864.0).squareRoot(), "xavierNormal")
        expectNormal(Initializer.normal(standardDeviation: 0.02)([1000], generator: &g), std: 0.02, "normal")
        expectUniform(Initializer.uniform(low: -0.5, high: 0.5)([1000], generator: &g), bound: 0.5, "uniform")
        #expect(Initializer.zeros([3], generator: &g).scalars == [0, 0, 0])
        #expect(Initializer.constant(2)([2], generator: &g).scalars == [2, 2])
    }

    @Test func orthogonalIsOrthonormal() {
        var g = RandomGenerator(seed: 11)
        for shape in [[5, 5], [7, 3], [3, 7], [4, 2, 3]] {
            let q = Initializer.orthogonal(gain: 1.5)(shape, generator: &g)
            #expect(q.shape == shape)
            let rows = shape[0], cols = q.scalarCount / rows
            let m = q.reshaped(to: [rows, cols])
            // The smaller Gram matrix is 1.5² I.
            let gram = rows >= cols ? matmul(m.transposed(), m) : matmul(m, m.transposed())
            expectClose(gram, Tensor.eye(min(rows, cols)) * 2.25, relative: 1e-5, absolute: 1e-5, "\(shape)")
        }
    }

    /// Each layer's default initialisation has PyTorch's distribution.
    @Test func layerDefaults() {
        var g = RandomGenerator(seed: 12)
        let linear = Linear(300, 200, generator: &g)
        expectUniform(linear.weight, bound: 1 / Float(300).squareRoot(), "Linear weight")
        expectUniform(linear.bias!, bound: 1 / Float(300).squareRoot(), "Linear bias")
        let conv = Conv2d(16, 32, kernelSize: 3, groups: 2, generator: &g)
        expectUniform(conv.weight, bound: 1 / Float(8 * 9).squareRoot(), "Conv2d weight")
        let conv1 = Conv1d(16, 300, kernelSize: 5, generator: &g)
        expectUniform(conv1.bias!, bound: 1 / Float(16 * 5).squareRoot(), "Conv1d bias")
        let transposed = ConvTranspose2d(32, 16, kernelSize: 4, generator: &g)
        expectUniform(transposed.weight, bound: 1 / Float(16 * 16).squareRoot(), "ConvTranspose2d weight")
        let masked = MaskedConv2d(16, 32, kernelSize: 5, maskType: .b, generator: &g)
        expectUniform(masked.weight, bound: 1 / Float(16 * 25).squareRoot(), "MaskedConv2d weight")
        expectNormal(Embedding(count: 100, dimension: 50, generator: &g).weight, std: 1, "Embedding")
        let ln = LayerNorm(8), bn = BatchNorm2d(4), gn = GroupNorm(groups: 2, channels: 4)
        #expect(ln.weight!.scalars == [Float](repeating: 1, count: 8) && ln.bias!.scalars == [Float](repeating: 0, count: 8))
        #expect(bn.weight!.scalars == [1, 1, 1, 1] && bn.runningVariance!.scalars == [1, 1, 1, 1]
                && bn.runningMean!.scalars == [0, 0, 0, 0] && bn.numBatchesTracked == 0)
        #expect(gn.weight!.scalars == [1, 1, 1, 1] && gn.bias!.scalars == [0, 0, 0, 0])
    }
}
