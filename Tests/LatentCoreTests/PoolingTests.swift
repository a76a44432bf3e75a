import LatentCore
import LatentTestSupport
import Testing

@Suite struct PoolingTests {
    static let fixtures = ConvolutionFixtures.shared

    // MARK: Max pooling

    @Test(arguments: fixtures.maxPool2d) func maxPool2dMatchesReference(_ c: ConvolutionFixtures.Pool) {
        let x = c.input.tensor
        expectClose(c.maxPool2d(x), c.output.tensor, relative: 1e-6, absolute: 1e-6)
        // The gradient of the sum counts how often each pixel is a window's maximum.
        var counts = [Float](repeating: 0, count: x.scalarCount)
        let (planes, area) = (x.shape[0] * x.shape[1], x.shape[2] * x.shape[3])
        let gridArea = c.indices!.count / planes
        for (k, i) in c.indices!.enumerated() { counts[(k / gridArea) * area + i] += 1 }
        expectClose(gradient(at: x) { c.maxPool2d($0).sum() }, Tensor(shape: x.shape, scalars: counts))
    }

    @Test(arguments: fixtures.maxPool2d) func maxPool2dGradients(_ c: ConvolutionFixtures.Pool) {
        // Inputs are 0.05 apart (no ties), so a step of 0.01 never changes a window's maximum.
        expectGradient(at: [c.input.tensor], c.name) { c.maxPool2d($0[0]) }
    }

    @Test(arguments: fixtures.maxPool2d) func maxPool2dSecondOrder(_ c: ConvolutionFixtures.Pool) {
        expectSecondOrderGradient(at: [c.input.tensor], c.name) { let y = c.maxPool2d($0[0]); return y * y * y }
    }

    @Test func maxPoolGradientOfGradient() {
        // ∂/∂x Σ (∂/∂x Σ maxPool(x)³)² exercises the scatter's backward (a gather).
        let c = Self.fixtures.maxPool2d[1]
        expectGradient(at: [c.input.tensor]) { xs in
            let g = gradient(at: xs[0], createGraph: true) { let y = c.maxPool2d($0); return (y * y * y).sum() }
            return g * g
        }
    }

    @Test func maxPoolPaddingIsNegativeInfinity() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [-3, -1, -4, -2])
        let y = x.maxPool2d(kernelSize: 2, stride: 1, padding: 1)
        expectClose(y, Tensor(shape: [1, 1, 3, 3], scalars: [-3, -1, -1, -3, -1, -1, -4, -2, -2]))
    }

    // MARK: Average pooling

    @Test(arguments: fixtures.avgPool2d) func avgPool2dMatchesReference(_ c: ConvolutionFixtures.Pool) {
        expectClose(c.avgPool2d(c.input.tensor), c.output.tensor, relative: 1e-5, absolute: 1e-6)
    }

    @Test(arguments: fixtures.avgPool2d) func avgPool2dGradients(_ c: ConvolutionFixtures.Pool) {
        expectGradient(at: [c.input.tensor], c.name) { c.avgPool2d($0[0]) }
        expectSecondOrderGradient(at: [c.input.tensor], c.name) { let y = c.avgPool2d($0[0]); return y * y }
    }

    @Test(arguments: fixtures.adaptiveAvgPool2d) func adaptiveAvgPool2dMatchesReference(_ c: ConvolutionFixtures.Pool) {
        expectClose(c.adaptiveAvgPool2d(c.input.tensor), c.output.tensor, relative: 1e-5, absolute: 1e-6)
        expectGradient(at: [c.input.tensor], c.name) { c.adaptiveAvgPool2d($0[0]) }
        expectSecondOrderGradient(at: [c.input.tensor], c.name) { let y = c.adaptiveAvgPool2d($0[0]); return y * y }
    }

    @Test func squareOverloads() {
        let x = Self.fixtures.avgPool2d[1].input.tensor
        expectClose(x.avgPool2d(kernelSize: 3, stride: 2, padding: 1), Self.fixtures.avgPool2d[1].output.tensor,
                    relative: 1e-5, absolute: 1e-6)
        #expect(x.maxPool2d(kernelSize: 2).shape == [2, 3, 2, 2])
        #expect(x.adaptiveAvgPool2d(outputSize: 1).shape == [2, 3, 1, 1])
        #expect(x.adaptiveAvgPool2d(outputSize: 5).scalars == x.scalars)
    }

    // MARK: Validation

    @Test func validationNamesOpAndShapes() throws {
        #expect(throws: ShapeError(op: "maxPool2d", "expects a 4-D input [N, C, H, W], got shape [3, 5, 5]")) {
            try pool2dOutputShape(op: "maxPool2d", input: [3, 5, 5], kernelSize: (2, 2), stride: (2, 2), padding: (0, 0))
        }
        #expect(throws: ShapeError(op: "avgPool2d", "padding (2, 1) must be non-negative and at most half the kernel size (3, 3)")) {
            try pool2dOutputShape(op: "avgPool2d", input: [1, 1, 5, 5], kernelSize: (3, 3), stride: (1, 1), padding: (2, 1))
        }
        #expect(throws: ShapeError(op: "maxPool2d", "output size (0, 2) is not positive for input shape [1, 1, 2, 5], kernel size (3, 2), stride (3, 2), padding (0, 0), dilation (1, 1)")) {
            try pool2dOutputShape(op: "maxPool2d", input: [1, 1, 2, 5], kernelSize: (3, 2), stride: (3, 2), padding: (0, 0))
        }
        #expect(try pool2dOutputShape(op: "maxPool2d", input: [2, 3, 7, 6], kernelSize: (2, 3), stride: (1, 2),
                                      padding: (1, 1), dilation: (2, 2)) == [2, 3, 7, 2])
    }
}
