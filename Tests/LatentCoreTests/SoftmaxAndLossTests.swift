import Foundation
import LatentCore
import LatentTestSupport
import Testing

@Suite struct SoftmaxAndLossTests {
    let matrix = Tensor(shape: [3, 4], scalars: [0.5, -1.2, 2.0, 0.3, 1.1, -0.7, 0.9, 1.6, -0.4, 2.4, 0.15, -1.8])
    let cube = Tensor(shape: [2, 3, 4], scalars: (0..<24).map { Float(($0 * 7) % 24) / 8 - 1.4 })

    /// Softmax of each row in Double, for comparison.
    func referenceSoftmax(_ row: [Float]) -> [Float] {
        let m = Double(row.max()!)
        let e = row.map { Foundation.exp(Double($0) - m) }
        let s = e.reduce(0, +)
        return e.map { Float($0 / s) }
    }

    // MARK: softmax / logSoftmax

    @Test func softmaxMatchesSciPy() {
        for (c, x) in ReduceFixture.cases("softmax") {
            expectClose(x.softmax(alongAxis: c.axes![0]), c.expected, relative: 1e-5, absolute: 1e-7, c.summary)
        }
        for (c, x) in ReduceFixture.cases("logSoftmax") {
            expectClose(x.logSoftmax(alongAxis: c.axes![0]), c.expected, relative: 1e-6, absolute: 1e-5, c.summary)
        }
    }

    @Test func longRowsUseTheVectorPathAndItsTail() {
        for columns in [1, 15, 16, 17, 31, 32, 33, 100] {
            let values = (0..<(2 * columns)).map { Float(Foundation.sin(Double($0) * 1.3)) * 5 }
            let x = Tensor(shape: [2, columns], scalars: values)
            let expected = (0..<2).flatMap { referenceSoftmax(Array(values[($0 * columns)..<(($0 + 1) * columns)])) }
            expectClose(x.softmax(), Tensor(shape: [2, columns], scalars: expected), relative: 2e-6, absolute: 1e-8, "\(columns)")
            expectClose(x.logSoftmax(), Tensor(shape: [2, columns], scalars: expected.map { Foundation.log($0) }),
                        relative: 2e-6, absolute: 2e-6, "\(columns)")
            expectClose(x.logSumExp(alongAxis: 1).exp(), x.exp().sum(alongAxis: 1), relative: 2e-6, "\(columns)")
        }
        // A general (non-last) axis with a wide inner dimension.
        let wide = Tensor(shape: [3, 2, 37], scalars: (0..<222).map { Float(Foundation.cos(Double($0))) * 4 })
        expectClose(wide.softmax(alongAxis: 1).sum(alongAxis: 1), Tensor.ones([3, 37]), relative: 1e-6)
        expectClose(wide.softmax(alongAxis: 0).log(), wide.logSoftmax(alongAxis: 0), relative: 1e-5, absolute: 1e-5)
    }

    @Test func softmaxGradients() {
        for axis in [0, 1, -1, -2] {
            expectGradient(at: [matrix], "softmax \(axis)") { $0[0].softmax(alongAxis: axis) }
            expectGradient(at: [matrix], "logSoftmax \(axis)") { $0[0].logSoftmax(alongAxis: axis) }
        }
        for axis in [0, 1, 2, -1] {
            expectGradient(at: [cube], "softmax cube \(axis)") { $0[0].softmax(alongAxis: axis) }
            expectGradient(at: [cube], "logSoftmax cube \(axis)") { $0[0].logSoftmax(alongAxis: axis) }
        }
    }

    @Test func softmaxSecondOrder() {
        expectSecondOrderGradient(at: [matrix]) { $0[0].softmax() }
        expectSecondOrderGradient(at: [matrix]) { $0[0].logSoftmax() }
        expectSecondOrderGradient(at: [cube]) { $0[0].softmax(alongAxis: 1) * $0[0] }
        expectSecondOrderGradient(at: [cube]) { $0[0].logSoftmax(alongAxis: 0) * $0[0] }
    }

    @Test func softmaxIsStable() {
        let x = Tensor(shape: [3, 3], scalars: [1e4, 0, -1e4, 100, -100, 100, -.infinity, 0, 1])
        let y = x.softmax()
        expectClose(y, Tensor(shape: [3, 3], scalars: [1, 0, 0, 0.5, 0, 0.5, 0, 0.26894143, 0.7310586]), relative: 1e-6)
        let l = x.logSoftmax()
        #expect(l.scalars.filter { !$0.isFinite } == [-.infinity])  // only log(0) for the -inf logit
        #expect(l.scalars[2] == -2e4)
        let extreme = Tensor(shape: [2, 3], scalars: [1e4, 0, -1e4, 100, -100, 100])
        let weights = Tensor(shape: [2, 3], scalars: [0.3, -1, 2, 0.5, 1, -0.7])
        for f in [{ (t: Tensor) in t.softmax() }, { (t: Tensor) in t.logSoftmax() }] {
            let g = gradient(at: extreme) { (f($0) * weights).sum() }
            #expect(g.scalars.allSatisfy { $0.isFinite })
        }
        #expect(Tensor(shape: [1, 2], scalars: [-.infinity, -.infinity]).softmax().scalars.allSatisfy { $0.isNaN })
    }

    @Test func singleElementSoftmaxIsOne() {
        #expect(Tensor([2.0]).softmax().scalars == [1])
    }

    @Test func vectorExpIsAccurate() {
        var worst: Float = 0
        var x: Float = -103
        while x < 88.7 {
            let v = SIMD16<Float>((0..<16).map { x + Float($0) * 0.0037 })
            let e = SoftmaxKernels.exp(v)
            for i in 0..<16 {
                let exact = Foundation.exp(Double(v[i]))
                if exact > 1e-37 { worst = Swift.max(worst, Float(abs(Double(e[i]) - exact) / exact)) }
            }
            x += 0.3719
        }
        #expect(worst < 3e-7, "max relative error \(worst)")
        let special = SoftmaxKernels.exp(SIMD16<Float>([0, 1, -1, 89, 1000, -104, -1000, .infinity, -.infinity, .nan,
                                                         88.7, -87.3, -100, 1e-8, 0.5, 2]))
        #expect(special[0] == 1)
        #expect(special[3] == .infinity && special[4] == .infinity && special[7] == .infinity)
        #expect(special[5] == 0 && special[6] == 0 && special[8] == 0)
        #expect(special[9].isNaN)
        // Subnormal range: within one subnormal step of the correctly rounded value.
        #expect(abs(special[12] - Float(Foundation.exp(-100.0))) <= Float.leastNonzeroMagnitude)
        #expect(special[12] > 0)
    }

    @Test func vectorLog1pIsAccurate() {
        var worst: Double = 0
        var inputs: [Float] = (0...4000).map { Float($0) / 4000 }
        inputs += (1...60).map { Float(Foundation.pow(2.0, -Double($0) / 2)) } + [0, 1e-30, Float.leastNonzeroMagnitude, 0.41421354, 0.41421357]
        for start in stride(from: 0, to: inputs.count, by: 16) {
            let lanes = (0..<16).map { inputs[Swift.min(start + $0, inputs.count - 1)] }
            let r = SoftmaxKernels.log1pUnit(SIMD16<Float>(lanes))
            for i in 0..<16 {
                let exact = Foundation.log1p(Double(lanes[i]))
                let error = exact == 0 ? Double(abs(r[i])) : abs(Double(r[i]) - exact) / exact
                worst = Swift.max(worst, error)
            }
        }
        #expect(worst < 3e-7, "max relative error \(worst)")
    }

    // MARK: binary cross-entropy

    @Test func binaryCrossEntropyMatchesReference() {
        for (c, x) in ReduceFixture.cases("binaryCrossEntropy") {
            let t = Tensor(shape: x.shape, scalars: c.targets!.map { Float($0) })
            expectClose(binaryCrossEntropy(logits: x, targets: t, reduction: c.lossReduction), c.expected,
                        relative: 1e-5, absolute: 1e-7, c.summary)
        }
    }

    @Test func binaryCrossEntropyGradients() {
        let logits = matrix * 2
        let targets = Tensor(shape: [3, 4], scalars: [0, 1, 0.3, 0.9, 1, 0, 0.5, 0.2, 0.75, 1, 0, 0.6])
        for reduction in [Reduction.none, .mean, .sum] {
            expectGradient(at: [logits, targets], "\(reduction)") {
                binaryCrossEntropy(logits: $0[0], targets: $0[1], reduction: reduction)
            }
        }
        // Broadcast targets (one per column).
        expectGradient(at: [logits, Tensor([0.2, 1, 0, 0.7])]) {
            binaryCrossEntropy(logits: $0[0], targets: $0[1], reduction: .none)
        }
        // ∂ℓ/∂x = σ(x) − t, ∂ℓ/∂t = −x.
        let g = gradient(at: [logits, targets]) { binaryCrossEntropy(logits: $0[0], targets: $0[1], reduction: .sum) }
        expectClose(g[0], 1 / (1 + (-logits).exp()) - targets, relative: 1e-5, absolute: 1e-6)
        expectClose(g[1], -logits)
        expectSecondOrderGradient(at: [logits, targets]) { binaryCrossEntropy(logits: $0[0], targets: $0[1], reduction: .none) }
        expectSecondOrderGradient(at: [logits, targets]) {
            binaryCrossEntropy(logits: $0[0] * $0[1], targets: $0[1], reduction: .mean)
        }
    }

    @Test func binaryCrossEntropyIsStable() {
        let logits = Tensor([100, -100, 1e4, -1e4, 0])
        let targets = Tensor([0, 1, 1, 0, 0.5])
        let l = binaryCrossEntropy(logits: logits, targets: targets, reduction: .none)
        expectClose(l, Tensor([100, 100, 0, 0, Float(Foundation.log(2.0))]), relative: 1e-6)
        let g = gradient(at: [logits, targets]) { binaryCrossEntropy(logits: $0[0], targets: $0[1], reduction: .sum) }
        expectClose(g[0], Tensor([1, -1, 0, 0, 0]), absolute: 1e-6)
        #expect(g.allSatisfy { $0.scalars.allSatisfy { $0.isFinite } })
        // Tiny losses keep their relative precision (log1p, not log(1 + ·)).
        let tiny = binaryCrossEntropy(logits: Tensor([20]), targets: Tensor([1]), reduction: .sum).scalar
        #expect(abs(Double(tiny) / Foundation.exp(-20.0) - 1) < 1e-5)
    }

    // MARK: cross-entropy

    @Test func crossEntropyMatchesReference() {
        for (c, x) in ReduceFixture.cases("crossEntropy") {
            let labels = IndexTensor(shape: Array(x.shape.dropLast()), scalars: c.labels!)
            let y = crossEntropy(logits: x, labels: labels, reduction: c.lossReduction,
                                 labelSmoothing: c.smoothing!, ignoreIndex: c.ignoreIndex)
            expectClose(y, c.expected, relative: 1e-5, absolute: 1e-5, "\(c.summary) smoothing \(c.smoothing!)")
        }
    }

    @Test func crossEntropyEqualsNegativeLogSoftmaxAtTheLabel() {
        let labels: IndexTensor = [2, 3, 1]
        let l = crossEntropy(logits: matrix, labels: labels, reduction: .none)
        let logp = matrix.logSoftmax().scalars
        expectClose(l, Tensor([-logp[2], -logp[7], -logp[9]]), relative: 1e-6)
        expectClose(crossEntropy(logits: matrix, labels: labels), l.mean())
        expectClose(crossEntropy(logits: matrix, labels: labels, reduction: .sum), l.sum())
        // A single row: logits [C], label [].
        expectClose(crossEntropy(logits: Tensor([0.5, -1.2, 2.0]), labels: IndexTensor(shape: [], scalars: [2])),
                    Tensor(-Tensor([0.5, -1.2, 2.0]).logSoftmax().scalars[2]))
    }

    @Test func crossEntropyGradients() {
        let labels: IndexTensor = [2, 0, 3]
        for reduction in [Reduction.none, .mean, .sum] {
            for smoothing: Float in [0, 0.2] {
                expectGradient(at: [matrix], "\(reduction) \(smoothing)") {
                    crossEntropy(logits: $0[0], labels: labels, reduction: reduction, labelSmoothing: smoothing)
                }
                expectGradient(at: [matrix], "ignore \(reduction) \(smoothing)") {
                    crossEntropy(logits: $0[0], labels: labels, reduction: reduction, labelSmoothing: smoothing, ignoreIndex: 0)
                }
            }
        }
        let cubeLabels = IndexTensor(shape: [2, 3], scalars: [0, 1, 3, 2, -100, 1])
        expectGradient(at: [cube]) { crossEntropy(logits: $0[0], labels: cubeLabels, labelSmoothing: 0.1, ignoreIndex: -100) }
        // (softmax − onehot) / N, and nothing for ignored rows.
        let g = gradient(at: matrix) { crossEntropy(logits: $0, labels: labels, ignoreIndex: 0) }
        let expected = matrix.softmax() - Tensor(shape: [3, 4], scalars: [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1])
        let mask = Tensor(shape: [3, 1], scalars: [1, 0, 1])
        expectClose(g, expected * mask / 2, relative: 1e-5, absolute: 1e-7)
    }

    @Test func crossEntropySecondOrder() {
        expectSecondOrderGradient(at: [matrix]) { crossEntropy(logits: $0[0], labels: [2, 0, 3], reduction: .none) }
        expectSecondOrderGradient(at: [matrix]) {
            crossEntropy(logits: $0[0] * $0[0], labels: [1, 1, 0], labelSmoothing: 0.1, ignoreIndex: 0)
        }
    }

    @Test func crossEntropyIsStable() {
        let logits = Tensor(shape: [3, 3], scalars: [100, -100, 0, 1e4, -1e4, 0, -100, 100, 0])
        let labels: IndexTensor = [0, 1, 0]
        let l = crossEntropy(logits: logits, labels: labels, reduction: .none)
        expectClose(l, Tensor([0, 2e4, 200]), relative: 1e-6, absolute: 1e-6)
        let g = gradient(at: logits) { crossEntropy(logits: $0, labels: labels, labelSmoothing: 0.1) }
        #expect(g.scalars.allSatisfy { $0.isFinite })
        expectClose(g.sum(alongAxis: 1), Tensor.zeros([3]), absolute: 1e-6)
    }

    @Test func crossEntropyShapeValidation() {
        #expect(throws: ShapeError(op: "crossEntropy",
                                   "labels of shape [3] do not match logits of shape [2, 4] (expected labels [2])")) {
            try validateCrossEntropyShapes(logits: [2, 4], labels: [3])
        }
        #expect(throws: ShapeError(op: "crossEntropy", "logits need a non-empty class axis (last), got shape []")) {
            try validateCrossEntropyShapes(logits: [], labels: [])
        }
        #expect(throws: Never.self) { try validateCrossEntropyShapes(logits: [2, 5, 7], labels: [2, 5]) }
    }
}
