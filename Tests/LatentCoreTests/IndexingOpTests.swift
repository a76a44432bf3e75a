import Foundation
import LatentCore
import LatentTestSupport
import Testing

@Suite struct IndexingOpTests {
    // MARK: - Golden values

    @Test func fixtures() {
        ShapeFixture.check("gather_axis1") { x, i in x[0].gathering(alongAxis: 1, indices: i!) }
        ShapeFixture.check("gather_axis0") { x, i in x[0].gathering(alongAxis: -2, indices: i!) }
        ShapeFixture.check("scatter_add_axis1") { x, i in scatterAdd(into: x[0], alongAxis: -1, indices: i!, source: x[1]) }
        ShapeFixture.check("index_select_axis1") { x, i in x[0].indexSelect(alongAxis: 1, indices: i!) }
        ShapeFixture.check("search_sorted_left") { x, _ in searchSorted(x[0], x[1]).asTensor }
        ShapeFixture.check("search_sorted_right") { x, _ in searchSorted(x[0], x[1], right: true).asTensor }
    }

    // MARK: - Gather and scatter-add

    @Test func gatherWithSmallerIndexShape() {
        // torch.gather allows indices smaller than the input outside the gathered axis.
        let x = Tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        let i = IndexTensor(shape: [2, 2], scalars: [2, 0, 1, 1])
        expectClose(x.gathering(alongAxis: 1, indices: i), Tensor([[3, 1], [5, 5]]))
        expectClose(x.gathering(alongAxis: 0, indices: i), Tensor([[7, 2], [4, 5]]))
        expectClose(Tensor.zeros([3, 3]).scatterAdding(alongAxis: 1, indices: i, source: Tensor([[1, 2], [3, 4]])),
                    Tensor([[2, 0, 1], [0, 7, 0], [0, 0, 0]]))
    }

    @Test func gatherScatterShapeValidation() {
        #expect(throws: ShapeError(op: "gather", "indices of shape [2, 4] do not fit a tensor of shape [3, 3] along axis 0")) {
            try Shape.validateGather([3, 3], indices: [2, 4], alongAxis: 0, op: "gather")
        }
        #expect(throws: ShapeError(op: "gather", "indices of shape [3] do not fit a tensor of shape [3, 3] along axis 1")) {
            try Shape.validateGather([3, 3], indices: [3], alongAxis: -1, op: "gather")
        }
        #expect(throws: ShapeError(op: "indexSelect", "indices must be 1-D, got shape [2, 2]")) {
            try Shape.validateIndexSelect([3, 3], indices: [2, 2], alongAxis: 0, op: "indexSelect")
        }
    }

    @Test func indexValidationNamesOpValueAndAxisSize() {
        #expect(throws: ShapeError(op: "gather", "index 5 is out of range for axis 1 of size 4")) {
            try IndexTensor([0, 3, 5, 7]).validate(axisSize: 4, axis: 1, op: "gather")
        }
        #expect(throws: ShapeError(op: "embedding", "index -1 is out of range for axis 0 of size 10")) {
            try IndexTensor([-1]).validate(axisSize: 10, axis: 0, op: "embedding")
        }
        #expect(throws: Never.self) { try IndexTensor([0, 3]).validate(axisSize: 4, axis: 0, op: "gather") }
    }

    @Test func gatherScatterGradients() {
        let x = shapeTestTensor([3, 4])
        let i1 = IndexTensor(shape: [3, 5], scalars: [0, 3, 3, 1, 0, 2, 2, 2, 0, 1, 3, 0, 1, 1, 2])
        let i0 = IndexTensor(shape: [2, 4], scalars: [2, 0, 1, 1, 0, 0, 2, 1])
        expectGradient(at: [x]) { $0[0].gathering(alongAxis: 1, indices: i1) }
        expectGradient(at: [x]) { $0[0].gathering(alongAxis: -2, indices: i0) }
        let source = shapeTestTensor([3, 5], seed: 5)
        expectGradient(at: [x, source]) { scatterAdd(into: $0[0], alongAxis: -1, indices: i1, source: $0[1]) }
        expectGradient(at: [x, source[..<2, 1...]]) { $0[0].scatterAdding(alongAxis: 0, indices: i0, source: $0[1]) }
    }

    @Test func gatherScatterSecondOrder() {
        let x = shapeTestTensor([3, 4])
        let i = IndexTensor(shape: [3, 5], scalars: [0, 3, 3, 1, 0, 2, 2, 2, 0, 1, 3, 0, 1, 1, 2])
        let j = IndexTensor(shape: [3, 5], scalars: [1, 1, 0, 2, 3, 3, 0, 1, 2, 2, 0, 0, 3, 1, 2])
        expectSecondOrderGradient(at: [x]) { $0[0].gathering(alongAxis: 1, indices: i) * $0[0].gathering(alongAxis: 1, indices: j) }
        let source = shapeTestTensor([3, 5], seed: 5)
        expectSecondOrderGradient(at: [x, source]) { xs in
            let s = xs[0].scatterAdding(alongAxis: 1, indices: i, source: xs[1])
            return s * s
        }
        // grad(grad) through gather → scatterAdd → gather.
        let g2 = gradient(at: x) { x in
            gradient(at: x, createGraph: true) { y in
                let g = y.gathering(alongAxis: 1, indices: i)
                return (g * g * g).sum()
            }.sum()
        }
        // d/dx Σ_picks 3 x² = Σ_picks 6 x.
        let expected = Tensor.zeros([3, 4]).scatterAdding(alongAxis: 1, indices: i, source: x.gathering(alongAxis: 1, indices: i) * 6)
        expectClose(g2, expected, relative: 1e-5)
    }

    // MARK: - Index select, index add, embedding

    @Test func indexSelectAndAdd() {
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        expectClose(x.indexSelect(alongAxis: -1, indices: [2, 2, 0]), Tensor([[3, 3, 1], [6, 6, 4]]))
        expectClose(x.indexSelect(alongAxis: 0, indices: [1]), Tensor([[4, 5, 6]]))
        expectClose(Tensor.zeros([2, 3]).indexAdding(alongAxis: 1, indices: [2, 2, 0], source: x),
                    Tensor([[3, 0, 3], [6, 0, 9]]))
        let y = shapeTestTensor([2, 3, 4])
        let k: IndexTensor = [3, 0, 3, 1, 1]
        expectGradient(at: [y]) { $0[0].indexSelect(alongAxis: 2, indices: k) }
        expectGradient(at: [y, shapeTestTensor([2, 3, 5], seed: 1)]) { $0[0].indexAdding(alongAxis: -1, indices: k, source: $0[1]) }
        expectSecondOrderGradient(at: [y]) { $0[0].indexSelect(alongAxis: 2, indices: k) * $0[0].indexSelect(alongAxis: 2, indices: [0, 1, 2, 3, 0]) }
    }

    @Test func embeddingLookup() {
        let weight = shapeTestTensor([5, 3])
        let ids = IndexTensor(shape: [2, 3], scalars: [4, 0, 4, 2, 2, 1])
        let e = embedding(weight, ids)
        #expect(e.shape == [2, 3, 3])
        expectClose(e[1, 0], weight[2])
        expectClose(e[0, 2], weight[4])
        expectGradient(at: [weight]) { embedding($0[0], ids) }
        // Rows used twice get twice the gradient; unused rows (3) get none.
        let g = gradient(at: weight) { embedding($0, ids).sum() }
        expectClose(g, Tensor([[1, 1, 1], [1, 1, 1], [2, 2, 2], [0, 0, 0], [2, 2, 2]]))
        expectSecondOrderGradient(at: [weight]) { xs in
            let e = embedding(xs[0], ids)
            return e * e.flipped(alongAxis: -1)
        }
    }

    // MARK: - One-hot, masked fill, search

    @Test func oneHotEncoding() {
        let h = oneHot(IndexTensor(shape: [2, 2], scalars: [0, 2, 1, 2]), classCount: 3)
        #expect(h.shape == [2, 2, 3])
        #expect(h.scalars == [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1])
        #expect(oneHot([], classCount: 4).shape == [0, 4])
    }

    @Test func maskedFillValuesAndGradient() {
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        let mask = Tensor([1, 0, 1])
        expectClose(x.maskedFill(mask, value: -9), Tensor([[-9, 2, -9], [-9, 5, -9]]))
        expectClose(x.maskedFill(Tensor([[0], [1]]), value: 0.5), Tensor([[1, 2, 3], [0.5, 0.5, 0.5]]))
        let big = shapeTestTensor([4, 40])
        let bigMask = Tensor(shape: [40], scalars: (0..<40).map { Float($0 % 3 == 0 ? 1 : 0) })
        let filled = big.maskedFill(bigMask, value: 7)
        #expect(filled[3, 3].scalar == 7)
        #expect(filled[3, 4].scalar == big[3, 4].scalar)
        expectGradient(at: [x]) { $0[0].maskedFill(mask, value: 100) * $0[0] }
        let g = gradient(at: x) { $0.maskedFill(mask, value: 100).sum() }
        expectClose(g, Tensor([[0, 1, 0], [0, 1, 0]]))
        #expect(throws: ShapeError(op: "maskedFill", "cannot broadcast shape [2] to [2, 3]")) {
            try Shape.validateBroadcast([2], to: [2, 3], op: "maskedFill")
        }
    }

    @Test func searchSortedSharedAndBatched() {
        let edges = Tensor([0, 1, 1, 3])
        let values = Tensor([[-1, 0, 1], [2, 3, 4]])
        #expect(searchSorted(edges, values) == IndexTensor(shape: [2, 3], scalars: [0, 0, 1, 3, 3, 4]))
        #expect(searchSorted(edges, values, right: true) == IndexTensor(shape: [2, 3], scalars: [0, 1, 3, 3, 4, 4]))
        let rows = Tensor([[0, 1, 2], [10, 20, 30]])
        #expect(searchSorted(rows, Tensor([[1.5], [5]])) == IndexTensor(shape: [2, 1], scalars: [2, 0]))
        #expect(throws: ShapeError(op: "searchSorted", "sorted sequence of shape [2, 3] and values of shape [3, 1] must share leading dimensions")) {
            try Shape.validateSearchSorted([2, 3], [3, 1])
        }
    }
}

@Suite struct IndexingTrapTests {
    @Test func outOfRangeIndexTrapsWithItsMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).gathering(alongAxis: 1, indices: IndexTensor(shape: [2, 1], scalars: [0, 3]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("gather: index 3 is out of range for axis 1 of size 3"), "\(message)")
    }
}
