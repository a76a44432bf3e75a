import LatentCore
import LatentTestSupport
import Testing

extension Tensor {
    /// Straight-through rounding, the example in CustomOp.swift's documentation.
    fileprivate func straightThroughRound() -> Tensor {
        Tensor.customOp("straightThroughRound", inputs: [self],
                        forward: { xs in Tensor(shape: xs[0].shape, scalars: xs[0].scalars.map { $0.rounded() }) },
                        backward: { ctx in [ctx.gradient] })
    }

    /// x³ as a custom op with a differentiable backward (3x²·g).
    fileprivate func customCube() -> Tensor {
        Tensor.customOp("cube", inputs: [self],
                        forward: { xs in xs[0] * xs[0] * xs[0] },
                        backward: { ctx in [ctx.gradient * ctx.inputs[0] * ctx.inputs[0] * 3] })
    }
}

@Suite struct AutodiffTests {
    let x = Tensor([0.3, -1.2, 2.5])

    @Test func customOpForwardAndBackward() {
        expectClose(x.straightThroughRound(), Tensor([0, -1, 3]))
        let g = gradient(at: x) { ($0.straightThroughRound() * $0).sum() }
        expectClose(g, Tensor([0, -1, 3]) + x)
        expectGradient(at: [x]) { $0[0].customCube() }
        expectSecondOrderGradient(at: [x]) { $0[0].customCube() }
    }

    @Test func withoutDerivativeRecordsNothing() {
        let g = gradient(at: x) { x in
            let frozen = withoutDerivative { x * x }
            #expect(!frozen.isRecorded)
            return (frozen * x).sum()
        }
        expectClose(g, x * x)
        let g2 = gradient(at: x) { x in (x.detached() * x).sum() }
        expectClose(g2, x)
    }

    @Test func gradientOfUnusedInputIsZero() {
        let (value, grads) = valueAndGradient(at: [x, Tensor([1, 2])]) { xs in (xs[0] * 2).sum() }
        expectClose(value, Tensor(x.scalars.reduce(0, +) * 2))
        expectClose(grads[1], Tensor([0, 0]))
    }

    @Test func parameterTree() {
        let params: [String: Tensor] = ["encoder.weight": Tensor([[1, 2], [3, 4]]), "encoder.bias": Tensor([0.5, -0.5])]
        let input = Tensor([[1, -1]])
        let (loss, grads) = valueAndGradient(at: params) { p in
            (matmul(input, p["encoder.weight"]!) + p["encoder.bias"]!).sum()
        }
        #expect(loss.scalar == (1 - 3) + (2 - 4) + 0)
        expectClose(grads["encoder.bias"]!, Tensor([1, 1]))
        expectClose(grads["encoder.weight"]!, Tensor([[1, 1], [-1, -1]]))
    }

    @Test func pullbackOfNonScalarFunction() {
        let (y, pullback) = valueWithPullback(at: [x]) { $0[0] * $0[0] }
        expectClose(y, x * x)
        expectClose(pullback(Tensor([1, 0, 0]))[0], Tensor([2 * 0.3, 0, 0]))
        expectClose(pullback(Tensor([0, 1, 1]))[0], Tensor([0, -2.4, 5]))
    }

    @Test func thirdOrderDerivative() {
        // d³/dx³ x⁴ = 24x
        let g3 = gradient(at: x) { x in
            gradient(at: x, createGraph: true) { x in
                gradient(at: x, createGraph: true) { ($0 * $0 * $0 * $0).sum() }.sum()
            }.sum()
        }
        expectClose(g3, x * 24, relative: 1e-5)
    }

    @Test func mixedPartialsThroughNestedGradients() {
        // f(x, y) = Σ x²·y ; ∂/∂y (Σ ∂f/∂x) = Σ 2x
        let y = Tensor([1.5, 0.5, -2])
        let gy = gradient(at: y) { y in gradient(at: x, createGraph: true) { ($0 * $0 * y).sum() }.sum() }
        expectClose(gy, x * 2)
    }

    @Test func anomalyDetectionNamesTheFirstOp() throws {
        let error = #expect(throws: AnomalyError.self) {
            try detectAnomalies {
                let y = Tensor([1, 0, 2]).log()      // log(0) = -inf: the first anomaly
                _ = (y * 0).sum()                    // NaN downstream, not reported
            }
        }
        #expect(error?.op == "log")
        #expect(error?.inputShapes == [[3]])
        #expect(error?.kind == "Inf")
        #expect(error?.description == "log produced Inf from inputs of shape [3]")
        // A clean computation passes through.
        let v = try detectAnomalies { (x * 2).sum().scalar }
        #expect(abs(v - 3.2) < 1e-6)
    }

    @Test func anomalyDetectionSeesBackwardOps() {
        // A finite forward whose backward divides by zero: the backward's divide is named.
        let error = #expect(throws: AnomalyError.self) {
            try detectAnomalies {
                _ = gradient(at: Tensor([1, 0])) { x in
                    Tensor.customOp("kink", inputs: [x], forward: { $0[0] * 0 },
                                    backward: { ctx in [ctx.gradient / ctx.inputs[0]] }).sum()
                }
            }
        }
        #expect(error?.op == "divide")
        #expect(error?.inputShapes == [[2], [2]])
    }

    @Test func shapeErrorsNameOpAndShapes() {
        #expect(throws: ShapeError(op: "matmul", "inner dimensions differ: shapes [2, 3] and [4, 5]")) {
            try matmulShape([2, 3], [4, 5])
        }
        #expect(throws: ShapeError(op: "broadcast", "cannot broadcast shape [3] to [2, 4]")) {
            try Shape.validateBroadcast([3], to: [2, 4], op: "broadcast")
        }
        #expect(throws: ShapeError(op: "reshape", "cannot reshape [2, 3] (6 elements) to [4]")) {
            try Shape.resolveReshape([4], count: 6, from: [2, 3])
        }
        #expect(throws: ShapeError(op: "sum", "axis 3 is out of range for a tensor of rank 2")) {
            try Shape.normalizeAxis(3, rank: 2, op: "sum")
        }
    }

    @Test func gradientsAreDeterministic() {
        let a = gradient(at: x) { ($0.exp() * $0).sum() }
        let b = gradient(at: x) { ($0.exp() * $0).sum() }
        #expect(a.scalars == b.scalars)
    }
}
