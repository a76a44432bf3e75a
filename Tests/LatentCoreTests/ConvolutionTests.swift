import Foundation
import LatentCore
import LatentTestSupport
import Testing

/// Golden values written by `Scripts/fixtures/core_conv.py` (float64 reference loops).
struct ConvolutionFixtures: Decodable {
    struct Values: Decodable {
        let shape: [Int]
        let data: [Float]
        var tensor: Tensor { Tensor(shape: shape, scalars: data) }
    }

    struct Convolution: Decodable, CustomTestStringConvertible {
        let name: String
        let input: Values, weight: Values, bias: Values?, output: Values
        let stride: [Int], padding: [Int], dilation: [Int], outputPadding: [Int]?
        let groups: Int
        var testDescription: String { name }

        var pair: (stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), outputPadding: (Int, Int)) {
            ((stride[0], stride[1]), (padding[0], padding[1]), (dilation[0], dilation[1]),
             outputPadding.map { ($0[0], $0[1]) } ?? (0, 0))
        }
        /// The tensors a gradient is taken with respect to: input, weight and (if any) bias.
        var variables: [Tensor] { [input.tensor, weight.tensor] + (bias.map { [$0.tensor] } ?? []) }

        func conv2d(_ xs: [Tensor]) -> Tensor {
            let o = pair
            return LatentCore.conv2d(xs[0], weight: xs[1], bias: xs.count > 2 ? xs[2] : nil, stride: o.stride,
                                     padding: o.padding, dilation: o.dilation, groups: groups)
        }
        func convTranspose2d(_ xs: [Tensor]) -> Tensor {
            let o = pair
            return LatentCore.convTranspose2d(xs[0], weight: xs[1], bias: xs.count > 2 ? xs[2] : nil, stride: o.stride,
                                              padding: o.padding, outputPadding: o.outputPadding,
                                              dilation: o.dilation, groups: groups)
        }
        func conv1d(_ xs: [Tensor]) -> Tensor {
            LatentCore.conv1d(xs[0], weight: xs[1], bias: xs.count > 2 ? xs[2] : nil, stride: stride[0],
                              padding: padding[0], dilation: dilation[0], groups: groups)
        }
        func convTranspose1d(_ xs: [Tensor]) -> Tensor {
            LatentCore.convTranspose1d(xs[0], weight: xs[1], bias: xs.count > 2 ? xs[2] : nil, stride: stride[0],
                                       padding: padding[0], outputPadding: outputPadding?[0] ?? 0,
                                       dilation: dilation[0], groups: groups)
        }
    }

    struct Pool: Decodable, CustomTestStringConvertible {
        let name: String
        let input: Values, output: Values
        let kernelSize: [Int]?, stride: [Int]?, padding: [Int]?, dilation: [Int]?
        let countIncludePad: Bool?
        let outputSize: [Int]?
        let indices: [Int]?
        var testDescription: String { name }

        func maxPool2d(_ x: Tensor) -> Tensor {
            x.maxPool2d(kernelSize: (kernelSize![0], kernelSize![1]), stride: (stride![0], stride![1]),
                        padding: (padding![0], padding![1]), dilation: (dilation![0], dilation![1]))
        }
        func avgPool2d(_ x: Tensor) -> Tensor {
            x.avgPool2d(kernelSize: (kernelSize![0], kernelSize![1]), stride: (stride![0], stride![1]),
                        padding: (padding![0], padding![1]), countIncludePad: countIncludePad!)
        }
        func adaptiveAvgPool2d(_ x: Tensor) -> Tensor {
            x.adaptiveAvgPool2d(outputSize: (outputSize![0], outputSize![1]))
        }
    }

    let conv2d: [Convolution], convTranspose2d: [Convolution], conv1d: [Convolution], convTranspose1d: [Convolution]
    let maxPool2d: [Pool], avgPool2d: [Pool], adaptiveAvgPool2d: [Pool]

    static let shared: ConvolutionFixtures = {
        let url = Bundle.module.url(forResource: "conv", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(ConvolutionFixtures.self, from: Data(contentsOf: url))
    }()
}

/// ⟨a, b⟩ accumulated in Double.
func innerProduct(_ a: Tensor, _ b: Tensor) -> Double {
    zip(a.scalars, b.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}

@Suite struct ConvolutionTests {
    static let fixtures = ConvolutionFixtures.shared

    // MARK: Golden values

    @Test(arguments: fixtures.conv2d) func conv2dMatchesReference(_ c: ConvolutionFixtures.Convolution) {
        expectClose(c.conv2d(c.variables), c.output.tensor, relative: 1e-5, absolute: 1e-5)
    }

    @Test(arguments: fixtures.convTranspose2d) func convTranspose2dMatchesReference(_ c: ConvolutionFixtures.Convolution) {
        expectClose(c.convTranspose2d(c.variables), c.output.tensor, relative: 1e-5, absolute: 1e-5)
    }

    @Test(arguments: fixtures.conv1d) func conv1dMatchesReference(_ c: ConvolutionFixtures.Convolution) {
        expectClose(c.conv1d(c.variables), c.output.tensor, relative: 1e-5, absolute: 1e-5)
    }

    @Test(arguments: fixtures.convTranspose1d) func convTranspose1dMatchesReference(_ c: ConvolutionFixtures.Convolution) {
        expectClose(c.convTranspose1d(c.variables), c.output.tensor, relative: 1e-5, absolute: 1e-5)
    }

    @Test func intOverloadsMatchTuples() {
        let c = Self.fixtures.conv2d[1]   // stride 2, padding 1
        let (x, w, b) = (c.input.tensor, c.weight.tensor, c.bias!.tensor)
        expectClose(conv2d(x, weight: w, bias: b, stride: 2, padding: 1), c.output.tensor, relative: 1e-5, absolute: 1e-5)
        let t = Self.fixtures.convTranspose2d[1]   // stride 2, padding 1, output padding 1
        expectClose(convTranspose2d(t.input.tensor, weight: t.weight.tensor, bias: t.bias!.tensor, stride: 2, padding: 1,
                                    outputPadding: 1), t.output.tensor, relative: 1e-5, absolute: 1e-5)
        #expect(conv2d(x, weight: w).shape == [2, 2, 4, 3])
    }

    // MARK: First-order gradients

    @Test(arguments: fixtures.conv2d) func conv2dGradients(_ c: ConvolutionFixtures.Convolution) {
        expectGradient(at: c.variables, c.name) { c.conv2d($0) }
    }

    @Test(arguments: fixtures.convTranspose2d) func convTranspose2dGradients(_ c: ConvolutionFixtures.Convolution) {
        expectGradient(at: c.variables, c.name) { c.convTranspose2d($0) }
    }

    @Test(arguments: fixtures.conv1d) func conv1dGradients(_ c: ConvolutionFixtures.Convolution) {
        expectGradient(at: c.variables, c.name) { c.conv1d($0) }
    }

    @Test(arguments: fixtures.convTranspose1d) func convTranspose1dGradients(_ c: ConvolutionFixtures.Convolution) {
        expectGradient(at: c.variables, c.name) { c.convTranspose1d($0) }
    }

    /// The weight-gradient op is differentiable in both its operands (this is the part of
    /// conv2d's second derivative that couples input and weight).
    @Test(arguments: fixtures.conv2d) func conv2dWeightGradientGradients(_ c: ConvolutionFixtures.Convolution) {
        let o = c.pair
        let x = c.input.tensor
        let g = c.output.tensor * 0.5
        expectGradient(at: [x, g], c.name) {
            conv2dWeightGradient(input: $0[0], outputGradient: $0[1], weightShape: c.weight.shape, stride: o.stride,
                                 padding: o.padding, dilation: o.dilation, groups: c.groups)
        }
    }

    // MARK: The adjoint identities behind the backward rules

    /// ⟨conv2d(x, w), y⟩ = ⟨convTranspose2d(y, w), x⟩ = ⟨conv2dWeightGradient(x, y), w⟩, with
    /// the output padding that restores x's size.
    @Test(arguments: fixtures.conv2d) func convolutionAdjointIdentities(_ c: ConvolutionFixtures.Convolution) {
        let o = c.pair
        let (x, w) = (c.input.tensor, c.weight.tensor)
        let y = conv2d(x, weight: w, stride: o.stride, padding: o.padding, dilation: o.dilation, groups: c.groups)
        let probe = Tensor(shape: y.shape, scalars: (0..<y.scalarCount).map { Float(($0 * 7) % 11) / 5 - 1 })
        let outputPadding = (0..<2).map { (d: Int) -> Int in
            let span = x.shape[d + 2] + 2 * c.padding[d] - c.dilation[d] * (w.shape[d + 2] - 1) - 1
            return span % c.stride[d]
        }
        let back = convTranspose2d(probe, weight: w, stride: o.stride, padding: o.padding,
                                   outputPadding: (outputPadding[0], outputPadding[1]), dilation: o.dilation,
                                   groups: c.groups)
        #expect(back.shape == x.shape)
        let weightGradient = conv2dWeightGradient(input: x, outputGradient: probe, weightShape: w.shape, stride: o.stride,
                                                  padding: o.padding, dilation: o.dilation, groups: c.groups)
        let reference = innerProduct(y, probe)
        #expect(abs(innerProduct(back, x) - reference) < 1e-4 * max(1, abs(reference)))
        #expect(abs(innerProduct(weightGradient, w) - reference) < 1e-4 * max(1, abs(reference)))
        // And the recorded gradients are exactly these ops.
        let g = gradient(at: [x, w]) { xs in
            (conv2d(xs[0], weight: xs[1], stride: o.stride, padding: o.padding, dilation: o.dilation, groups: c.groups) * probe).sum()
        }
        expectClose(g[0], back, relative: 1e-6, absolute: 1e-6)
        expectClose(g[1], weightGradient, relative: 1e-6, absolute: 1e-6)
    }

    @Test func im2colAndCol2imAreAdjoint() {
        let geometry = ConvolutionGeometry(input: (5, 6), kernel: (2, 3), stride: (2, 1), padding: (1, 2), dilation: (2, 1))
        let (batch, channels) = (2, 3)
        let rows = channels * geometry.kernelArea * geometry.outputArea
        let images = (0..<(batch * channels * geometry.inputArea)).map { Float(($0 * 5) % 13) / 6 - 1 }
        let columns = (0..<(batch * rows)).map { Float(($0 * 3) % 17) / 8 - 1 }
        var imageColumns = [Float](repeating: .nan, count: batch * rows)
        var columnImages = [Float](repeating: .nan, count: images.count)
        images.withUnsafeBufferPointer { x in
            imageColumns.withUnsafeMutableBufferPointer { c in
                Im2Col.im2col(images: x.baseAddress!, batch: batch, channels: channels, geometry: geometry, columns: c.baseAddress!)
            }
        }
        columns.withUnsafeBufferPointer { c in
            columnImages.withUnsafeMutableBufferPointer { x in
                Im2Col.col2im(columns: c.baseAddress!, batch: batch, channels: channels, geometry: geometry, images: x.baseAddress!)
            }
        }
        let lhs = zip(imageColumns, columns).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(images, columnImages).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(lhs - rhs) < 1e-4)
        // Spot check one entry: channel 1, tap (a, b) = (1, 2), window (i, j) = (1, 3) of image 1
        // reads pixel (1·2 − 1 + 1·2, 3 − 2 + 2) = (3, 3).
        let row = (1 * geometry.kernelHeight + 1) * geometry.kernelWidth + 2
        let entry = imageColumns[rows + row * geometry.outputArea + 1 * geometry.outputWidth + 3]
        #expect(entry == images[(1 * channels + 1) * geometry.inputArea + 3 * 6 + 3])
    }

    /// Large enough that the kernels split the batch across threads and the weight
    /// gradient sums several blocks: every image must match its own single-image result.
    @Test func batchedKernelsMatchPerImage() {
        let (batch, channels) = (9, 8)
        func tensor(_ shape: [Int], _ salt: Int) -> Tensor {
            Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { Float(($0 * 7 + salt) % 23) / 11 - 1 })
        }
        func image(_ t: Tensor, _ n: Int) -> Tensor {
            let size = t.scalarCount / t.shape[0]
            return Tensor(shape: [1] + t.shape.dropFirst(), scalars: Array(t.scalars[(n * size)..<((n + 1) * size)]))
        }
        let x = tensor([batch, channels, 10, 10], 1), w = tensor([channels, channels / 2, 3, 3], 5)
        let b = tensor([channels], 3)
        let y = conv2d(x, weight: w, bias: b, padding: (1, 1), groups: 2)
        let t = convTranspose2d(x, weight: w, bias: b, stride: (2, 2), padding: (1, 1), outputPadding: (1, 1), groups: 2)
        let dw = conv2dWeightGradient(input: x, outputGradient: y, weightShape: w.shape, padding: (1, 1), groups: 2)
        var sum = Tensor.zeros(w.shape)
        for n in 0..<batch {
            let xn = image(x, n)
            let yn = conv2d(xn, weight: w, bias: b, padding: (1, 1), groups: 2)
            expectClose(image(y, n), yn)
            expectClose(image(t, n), convTranspose2d(xn, weight: w, bias: b, stride: (2, 2), padding: (1, 1),
                                                     outputPadding: (1, 1), groups: 2))
            sum = sum + conv2dWeightGradient(input: xn, outputGradient: yn, weightShape: w.shape, padding: (1, 1), groups: 2)
        }
        expectClose(dw, sum, relative: 1e-4, absolute: 1e-4)
    }

    // MARK: Second order

    @Test(arguments: [fixtures.conv2d[1], fixtures.conv2d[4]])
    func conv2dSecondOrder(_ c: ConvolutionFixtures.Convolution) {
        // y² couples x and w in the Hessian.
        expectSecondOrderGradient(at: c.variables, c.name) { let y = c.conv2d($0); return y * y }
    }

    @Test(arguments: [fixtures.convTranspose2d[1], fixtures.convTranspose2d[3]])
    func convTranspose2dSecondOrder(_ c: ConvolutionFixtures.Convolution) {
        expectSecondOrderGradient(at: c.variables, c.name) { let y = c.convTranspose2d($0); return y * y }
    }

    @Test func conv1dSecondOrder() {
        let c = Self.fixtures.conv1d[1]
        expectSecondOrderGradient(at: c.variables, c.name) { let y = c.conv1d($0); return y * y }
    }

    @Test func gradientOfGradientNorm() {
        // The WGAN-GP pattern: differentiate ‖∂f/∂x‖² with respect to the weight.
        let c = Self.fixtures.conv2d[4]
        let o = c.pair
        expectGradient(at: [c.input.tensor, c.weight.tensor]) { xs in
            let g = gradient(at: xs[0], createGraph: true) { x in
                let y = conv2d(x, weight: xs[1], stride: o.stride, padding: o.padding, dilation: o.dilation, groups: c.groups)
                return (y * y).sum()
            }
            return (g * g).sum()
        }
    }

    // MARK: Validation

    @Test func validationNamesOpAndShapes() throws {
        #expect(throws: ShapeError(op: "conv2d", "expects a 4-D input [N, C, H, W], got shape [3, 5, 5]")) {
            try conv2dOutputShape(input: [3, 5, 5], weight: [2, 3, 3, 3])
        }
        #expect(throws: ShapeError(op: "conv2d", "expects a 4-D weight [out, in/groups, kH, kW], got shape [2, 3, 3]")) {
            try conv2dOutputShape(input: [1, 3, 5, 5], weight: [2, 3, 3])
        }
        #expect(throws: ShapeError(op: "conv2d", "weight shape [2, 3, 3, 3] with groups 1 expects 3 input channels, but input shape [1, 4, 5, 5] has 4")) {
            try conv2dOutputShape(input: [1, 4, 5, 5], weight: [2, 3, 3, 3])
        }
        #expect(throws: ShapeError(op: "conv2d", "input channels 3 (input shape [1, 3, 5, 5]) are not divisible by groups 2")) {
            try conv2dOutputShape(input: [1, 3, 5, 5], weight: [2, 3, 3, 3], groups: 2)
        }
        #expect(throws: ShapeError(op: "conv2d", "output channels 3 (weight shape [3, 2, 3, 3]) are not divisible by groups 2")) {
            try conv2dOutputShape(input: [1, 4, 5, 5], weight: [3, 2, 3, 3], groups: 2)
        }
        #expect(throws: ShapeError(op: "conv2d", "bias shape [3] must be [2] for weight shape [2, 3, 3, 3]")) {
            try conv2dOutputShape(input: [1, 3, 5, 5], weight: [2, 3, 3, 3], bias: [3])
        }
        #expect(throws: ShapeError(op: "conv2d", "output size (0, 1) is not positive for input shape [1, 3, 2, 5], weight shape [2, 3, 3, 5], stride (1, 1), padding (0, 0), dilation (1, 1)")) {
            try conv2dOutputShape(input: [1, 3, 2, 5], weight: [2, 3, 3, 5])
        }
        #expect(throws: ShapeError(op: "conv2d", "stride must be positive, got (0, 1)")) {
            try conv2dOutputShape(input: [1, 3, 5, 5], weight: [2, 3, 3, 3], stride: (0, 1))
        }
        #expect(throws: ShapeError(op: "conv1d", "output size 0 is not positive for input shape [1, 3, 4], weight shape [2, 3, 3], stride 1, padding 0, dilation 2")) {
            try conv1dOutputShape(input: [1, 3, 4], weight: [2, 3, 3], dilation: 2)
        }
        #expect(throws: ShapeError(op: "convTranspose2d", "weight shape [4, 2, 3, 3] expects 4 input channels, but input shape [1, 3, 5, 5] has 3")) {
            try convTranspose2dOutputShape(input: [1, 3, 5, 5], weight: [4, 2, 3, 3])
        }
        #expect(throws: ShapeError(op: "convTranspose2d", "output padding (2, 0) must be non-negative and smaller than stride (2, 2) or dilation (1, 1)")) {
            try convTranspose2dOutputShape(input: [1, 4, 5, 5], weight: [4, 2, 3, 3], stride: (2, 2), outputPadding: (2, 0))
        }
        #expect(throws: ShapeError(op: "convTranspose1d", "expects a 3-D weight [in, out/groups, k], got shape [4, 2, 3, 3]")) {
            try convTranspose1dOutputShape(input: [1, 4, 5], weight: [4, 2, 3, 3])
        }
        #expect(throws: ShapeError(op: "conv2dWeightGradient", "output gradient shape [1, 2, 4, 3] does not fit input shape [1, 3, 5, 5] and weight shape [2, 3, 3, 3] (expected at most [1, 2, 3, 3])")) {
            try conv2dWeightGradientShape(input: [1, 3, 5, 5], outputGradient: [1, 2, 4, 3], weightShape: [2, 3, 3, 3])
        }
        #expect(try convTranspose2dOutputShape(input: [2, 4, 3, 3], weight: [4, 1, 3, 3], stride: (2, 2), padding: (1, 1),
                                               outputPadding: (1, 1), groups: 2) == [2, 2, 6, 6])
        #expect(try conv1dOutputShape(input: [2, 4, 9], weight: [4, 2, 3], stride: 2, padding: 1, dilation: 2, groups: 2) == [2, 4, 4])
    }
}
