import LatentCore
import LatentTestSupport
import Testing

@Suite struct ArithmeticTests {
    let a = Tensor(shape: [2, 3], scalars: [0.5, -1.2, 2.0, 0.3, 1.1, -0.7])
    let row = Tensor(shape: [3], scalars: [1.5, -0.5, 0.8])
    let column = Tensor(shape: [2, 1], scalars: [0.9, -1.3])

    @Test func forwardBroadcasts() {
        expectClose(a + row, Tensor(shape: [2, 3], scalars: [2.0, -1.7, 2.8, 1.8, 0.6, 0.1]))
        expectClose(a * column, Tensor(shape: [2, 3], scalars: [0.45, -1.08, 1.8, -0.39, -1.43, 0.91]))
        expectClose((a - 1).sum(), Tensor(-4.0))
    }

    @Test func gradients() {
        for (x, y) in [(a, row), (a, column), (row, a), (a, Tensor(2.0)), (column, row)] {
            expectGradient(at: [x, y]) { $0[0] + $0[1] }
            expectGradient(at: [x, y]) { $0[0] - $0[1] }
            expectGradient(at: [x, y]) { $0[0] * $0[1] }
            expectGradient(at: [x, y]) { $0[0] / ($0[1] * $0[1] + 1) }
            expectGradient(at: [x, y]) { -$0[0] * $0[1] }
        }
    }

    @Test func secondOrder() {
        expectSecondOrderGradient(at: [a, row]) { $0[0] * $0[1] * $0[0] }
        expectSecondOrderGradient(at: [a, column]) { $0[0] / ($0[1] * $0[1] + 1) }
    }

    @Test func gradOfGrad() {
        // d/dx (d/dx x^3) = 6x
        let x = Tensor([1.0, -2.0, 0.5])
        let g2 = gradient(at: x) { x in gradient(at: x, createGraph: true) { ($0 * $0 * $0).sum() }.sum() }
        expectClose(g2, x * 6)
    }

    @Test func onlyRequestedPathsAreRecorded() {
        _ = gradient(at: a) { x in
            let constant = row * row
            #expect(!constant.isRecorded)
            #expect((x * row).isRecorded)
            return (x * constant).sum()
        }
        #expect(!(a + row).isRecorded)
    }

    @Test func reuseAccumulates() {
        let g = gradient(at: row) { x in (x * x + x + x).sum() }
        expectClose(g, row * 2 + 2)
    }

    @Test func longChainDoesNotOverflowTheStack() {
        let x = Tensor([1.0])
        let g = gradient(at: x) { x in
            var y = x
            for _ in 0..<100_000 { y = y * 1.0 + 0.0 }
            return y.sum()
        }
        expectClose(g, Tensor([1.0]))
    }

    @Test func shapeValidationNamesOpAndShapes() {
        #expect(throws: ShapeError(op: "add", "shapes [2, 3] and [4] are not broadcastable")) {
            try Shape.broadcast([2, 3], [4], op: "add")
        }
    }
}

@Suite struct SkeletonOpTests {
    @Test func matmulAndTranspose() {
        let a = Tensor(shape: [2, 2, 3], scalars: (0..<12).map { Float($0) / 5 - 1 })
        let b = Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0) / 7 - 0.8 })
        expectClose(matmul(Tensor([[1, 2], [3, 4]]), Tensor([[5, 6], [7, 8]])), Tensor([[19, 22], [43, 50]]))
        expectGradient(at: [a, b]) { matmul($0[0], $0[1]) }
        expectSecondOrderGradient(at: [a, b]) { matmul($0[0], $0[1]) * matmul($0[0], $0[1]) }
        expectGradient(at: [a]) { $0[0].transposed() }
    }

    @Test func expLog() {
        let x = Tensor([0.5, 1.5, 2.0])
        expectClose(x.exp().log(), x, relative: 1e-6)
        expectGradient(at: [x]) { $0[0].exp() * $0[0].log() }
        expectSecondOrderGradient(at: [x]) { $0[0].exp() * $0[0].log() }
    }
}
