import Foundation
import LatentCore
import LatentTestSupport
import Testing

@Suite struct ReductionTests {
    // Distinct values, at least 0.05 apart, so finite differences never cross a tie.
    let matrix = Tensor(shape: [3, 4], scalars: [0.5, -1.2, 2.0, 0.3, 1.1, -0.7, 0.9, 1.6, -0.4, 2.4, 0.15, -1.8])
    let cube = Tensor(shape: [2, 3, 4], scalars: (0..<24).map { Float(($0 * 7) % 24) / 8 - 1.4 })

    // MARK: max / min

    @Test func maxMinMatchNumPy() {
        for op in ["max", "min"] {
            for (c, x) in ReduceFixture.cases(op) {
                let y = op == "max" ? x.max(alongAxes: c.axes!, keepDims: c.keepDims!)
                    : x.min(alongAxes: c.axes!, keepDims: c.keepDims!)
                expectClose(y, c.expected, relative: 1e-6, c.summary)
            }
        }
    }

    @Test func maxMinConveniences() {
        #expect(matrix.max().scalar == 2.4)
        #expect(matrix.min().scalar == -1.8)
        #expect(matrix.max().shape == [])
        expectClose(matrix.max(alongAxis: -1), Tensor([2.0, 1.6, 2.4]))
        expectClose(matrix.min(alongAxis: 0, keepDims: true), Tensor([[-0.4, -1.2, 0.15, -1.8]]))
        #expect(Tensor(3.5).max().scalar == 3.5)
        #expect(Tensor([1, .nan, 3]).max().scalar.isNaN)
        #expect(Tensor([1, .nan, 3]).min(alongAxis: 0).scalar.isNaN)
    }

    @Test func maxMinGradients() {
        for keepDims in [false, true] {
            for axes in [[0], [1], [-1], [0, 1]] {
                expectGradient(at: [matrix], "max \(axes) \(keepDims)") { $0[0].max(alongAxes: axes, keepDims: keepDims) }
                expectGradient(at: [matrix], "min \(axes) \(keepDims)") { $0[0].min(alongAxes: axes, keepDims: keepDims) }
            }
            for axes in [[1], [0, 2], [-1, -3], [2]] {
                expectGradient(at: [cube], "max cube \(axes)") { $0[0].max(alongAxes: axes, keepDims: keepDims) }
                expectGradient(at: [cube], "min cube \(axes)") { $0[0].min(alongAxes: axes, keepDims: keepDims) }
            }
        }
        expectGradient(at: [matrix]) { $0[0].max() * $0[0].min() }
    }

    @Test func maxSecondOrderAwayFromTies() {
        expectSecondOrderGradient(at: [matrix]) { xs in
            let x = xs[0], m = x.max(alongAxis: 1)
            return m * m * x.sum(alongAxis: 1)
        }
        expectSecondOrderGradient(at: [cube]) { xs in
            let x = xs[0], m = x.min(alongAxes: [0, 2], keepDims: true)
            return x * m * m
        }
    }

    @Test func tiedMaximaShareTheGradient() {
        let x = Tensor(shape: [2, 4], scalars: [1, 3, 3, 2, 5, 5, 5, 5])
        let g = gradient(at: x) { $0.max(alongAxis: 1).sum() }
        expectClose(g, Tensor(shape: [2, 4], scalars: [0, 0.5, 0.5, 0, 0.25, 0.25, 0.25, 0.25]))
        let gAll = gradient(at: x) { $0.max() }
        expectClose(gAll, Tensor(shape: [2, 4], scalars: [0, 0, 0, 0, 0.25, 0.25, 0.25, 0.25]))
        let gMin = gradient(at: x) { ($0.min(alongAxis: 0) * Tensor([1, 2, 3, 4])).sum() }
        expectClose(gMin, Tensor(shape: [2, 4], scalars: [1, 2, 3, 4, 0, 0, 0, 0]))
        // Sums of gradients equal the upstream gradient, whatever the ties.
        let gColumns = gradient(at: x) { $0.max(alongAxis: 0).sum() }
        #expect(gColumns.sum().scalar == 4)
    }

    @Test func emptyAxisIsRejected() {
        #expect(throws: ShapeError(op: "max", "cannot reduce the empty axis 1 of shape [3, 0]")) {
            try validateNonEmptyReduction([3, 0], axes: [1], op: "max")
        }
        #expect(Tensor.zeros([0, 3]).max(alongAxis: 1).shape == [0])
    }

    // MARK: argmax / argmin

    @Test func argmaxArgmin() {
        #expect(matrix.argmax(alongAxis: 1) == IndexTensor([2, 3, 1]))
        #expect(matrix.argmin(alongAxis: -1) == IndexTensor([1, 1, 3]))
        #expect(matrix.argmax(alongAxis: 0) == IndexTensor([1, 2, 0, 1]))
        #expect(matrix.argmax(alongAxis: 0, keepDims: true) == IndexTensor(shape: [1, 4], scalars: [1, 2, 0, 1]))
        #expect(cube.argmax(alongAxis: 1).shape == [2, 4])
        #expect(matrix.argmax() == 9)
        #expect(matrix.argmin() == 11)
        // Ties: the first occurrence. NaN: the first NaN.
        #expect(Tensor([1, 3, 3, 2]).argmax(alongAxis: 0) == IndexTensor(shape: [], scalars: [1]))
        #expect(Tensor([4, 1, 1]).argmin() == 1)
        #expect(Tensor([4, .nan, 9, .nan]).argmax() == 1)
        // Matches a direct search on a 3-D tensor along the middle axis.
        let a = cube.argmin(alongAxis: 1)
        for i in 0..<2 {
            for k in 0..<4 {
                let column = (0..<3).map { cube[element: [i, $0, k]] }
                #expect(Int(a.scalars[i * 4 + k]) == column.firstIndex(of: column.min()!)!)
            }
        }
    }

    // MARK: logSumExp

    @Test func logSumExpMatchesSciPy() {
        for (c, x) in ReduceFixture.cases("logSumExp") {
            expectClose(x.logSumExp(alongAxes: c.axes!, keepDims: c.keepDims!), c.expected,
                        relative: 2e-6, absolute: 1e-5, c.summary)
        }
    }

    @Test func logSumExpGradients() {
        for keepDims in [false, true] {
            for axes in [[0], [-1], [0, 1]] {
                expectGradient(at: [matrix], "\(axes)") { $0[0].logSumExp(alongAxes: axes, keepDims: keepDims) }
            }
            for axes in [[1], [0, 2], [-1], [0, 1, 2]] {
                expectGradient(at: [cube], "\(axes)") { $0[0].logSumExp(alongAxes: axes, keepDims: keepDims) }
            }
        }
        expectSecondOrderGradient(at: [matrix]) { $0[0].logSumExp(alongAxis: 1) * $0[0].sum(alongAxis: 1) }
        expectSecondOrderGradient(at: [cube]) { $0[0].logSumExp(alongAxes: [0, 2]) }
        expectSecondOrderGradient(at: [cube]) { $0[0].logSumExp(alongAxis: 0, keepDims: true) * $0[0] }
    }

    @Test func logSumExpIsStable() {
        let x = Tensor(shape: [3, 3], scalars: [1e4, 1e4 - 1, -1e4, -100, 100, 0, -.infinity, -.infinity, -.infinity])
        let y = x.logSumExp(alongAxis: 1)
        #expect(abs(y.scalars[0] - (1e4 + Float(Foundation.log1p(Foundation.exp(-1.0))))) < 1e-2)
        #expect(abs(y.scalars[1] - 100) < 1e-4)
        #expect(y.scalars[2] == -.infinity)
        let finite = Tensor(shape: [2, 3], scalars: Array(x.scalars.prefix(6)))
        let g = gradient(at: finite) { $0.logSumExp(alongAxis: 1).sum() }
        #expect(g.scalars.allSatisfy { $0.isFinite })
        // exp(x − y) with |y| ≈ 1e4 inherits y's rounding (half an ulp of 1e4 ≈ 5e-4).
        expectClose(g.sum(alongAxis: 1), Tensor([1, 1]), relative: 1e-3)
        // Scattered axes take the generic path.
        let big = cube * 1000
        expectClose(big.logSumExp(alongAxes: [0, 2]), big.max(alongAxes: [0, 2]), relative: 1e-5)
        #expect(Tensor([Float.infinity, 1]).logSumExp().scalar == .infinity)
    }

    // MARK: variance

    @Test func varianceMatchesNumPy() {
        for (c, x) in ReduceFixture.cases("variance") {
            expectClose(x.variance(alongAxes: c.axes!, keepDims: c.keepDims!, unbiased: c.unbiased!), c.expected,
                        relative: 1e-5, absolute: 1e-6, c.summary)
        }
        for (c, x) in ReduceFixture.cases("standardDeviation") {
            expectClose(x.standardDeviation(alongAxes: c.axes!, keepDims: c.keepDims!, unbiased: c.unbiased!), c.expected,
                        relative: 1e-5, absolute: 1e-6, c.summary)
        }
        expectClose(Tensor([1, 2, 3, 4]).variance(), Tensor(1.25))
        expectClose(Tensor([1, 2, 3, 4]).variance(unbiased: true), Tensor(5.0 / 3))
        expectClose(Tensor([1, 2, 3, 4]).standardDeviation(unbiased: true), Tensor(Float(Foundation.sqrt(5.0 / 3))))
        #expect(matrix.variance(alongAxis: -1, keepDims: true).shape == [3, 1])
    }

    @Test func varianceGradients() {
        for unbiased in [false, true] {
            for keepDims in [false, true] {
                expectGradient(at: [matrix]) { $0[0].variance(alongAxis: 1, keepDims: keepDims, unbiased: unbiased) }
                expectGradient(at: [cube]) { $0[0].variance(alongAxes: [0, -1], keepDims: keepDims, unbiased: unbiased) }
                expectGradient(at: [cube]) { $0[0].standardDeviation(alongAxis: -2, keepDims: keepDims, unbiased: unbiased) }
            }
        }
        expectSecondOrderGradient(at: [matrix]) { $0[0].variance(alongAxis: 0) }
        expectSecondOrderGradient(at: [cube]) { $0[0].variance(alongAxes: [1, 2], unbiased: true) * $0[0].sum(alongAxes: [1, 2]) }
        expectSecondOrderGradient(at: [matrix]) { $0[0].standardDeviation(alongAxis: 1) }
    }

    // MARK: cumulativeSum

    @Test func cumulativeSumMatchesNumPy() {
        for (c, x) in ReduceFixture.cases("cumulativeSum") {
            expectClose(x.cumulativeSum(alongAxis: c.axes![0], exclusive: c.exclusive!, reverse: c.reverse!), c.expected,
                        relative: 1e-5, absolute: 1e-5, "\(c.summary) exclusive \(c.exclusive!) reverse \(c.reverse!)")
        }
        let v = Tensor([1, 2, 3, 4])
        expectClose(v.cumulativeSum(alongAxis: 0), Tensor([1, 3, 6, 10]))
        expectClose(v.cumulativeSum(alongAxis: 0, exclusive: true), Tensor([0, 1, 3, 6]))
        expectClose(v.cumulativeSum(alongAxis: -1, reverse: true), Tensor([10, 9, 7, 4]))
        expectClose(v.cumulativeSum(alongAxis: 0, exclusive: true, reverse: true), Tensor([9, 7, 4, 0]))
    }

    @Test func cumulativeSumGradients() {
        for exclusive in [false, true] {
            for reverse in [false, true] {
                for axis in [0, 1, -1] {
                    expectGradient(at: [cube], "axis \(axis) \(exclusive) \(reverse)") {
                        $0[0].cumulativeSum(alongAxis: axis, exclusive: exclusive, reverse: reverse)
                    }
                }
                expectSecondOrderGradient(at: [matrix]) {
                    let c = $0[0].cumulativeSum(alongAxis: 1, exclusive: exclusive, reverse: reverse)
                    return c * c * $0[0]
                }
            }
        }
    }
}
