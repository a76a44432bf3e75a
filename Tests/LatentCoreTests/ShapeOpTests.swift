import Foundation
import LatentCore
import LatentTestSupport
import Testing

/// Golden values from `Scripts/fixtures/core_shape.py` (NumPy).
struct ShapeFixture {
    struct Values: Decodable {
        let shape: [Int]
        let data: [Double]
        var tensor: Tensor { Tensor(shape: shape, scalars: data.map { Float($0) }) }
        var indices: IndexTensor { IndexTensor(shape: shape, scalars: data.map { Int($0) }) }
    }
    struct Case: Decodable {
        let inputs: [Values]
        let output: Values
        let indices: Values?
    }

    static let cases: [String: Case] = {
        let url = Bundle.module.url(forResource: "shape", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode([String: Case].self, from: Data(contentsOf: url))
    }()

    /// Checks `op(inputs, indices)` against the expected output of case `name`.
    static func check(_ name: String, sourceLocation: SourceLocation = #_sourceLocation,
                      _ op: ([Tensor], IndexTensor?) -> Tensor) {
        guard let c = cases[name] else {
            Issue.record("missing fixture case \(name)", sourceLocation: sourceLocation)
            return
        }
        expectClose(op(c.inputs.map(\.tensor), c.indices?.indices), c.output.tensor, name, sourceLocation: sourceLocation)
    }
}

/// A deterministic test tensor with distinct, non-trivial values.
func shapeTestTensor(_ shape: [Int], seed: Int = 0) -> Tensor {
    let n = Shape.count(shape)
    return Tensor(shape: shape, scalars: (0..<n).map { i in Float(sin(Double(i * 7 + seed * 13) * 0.37) * 1.5) })
}

@Suite struct ShapeOpTests {
    // MARK: - Golden values

    @Test func fixtures() {
        ShapeFixture.check("permute_201") { x, _ in x[0].permuted([2, 0, 1]) }
        ShapeFixture.check("permute_0231") { x, _ in x[0].permuted(0, 2, 3, 1) }
        ShapeFixture.check("permute_3102") { x, _ in x[0].permuted([-1, 1, 0, -2]) }
        ShapeFixture.check("concatenate_axis1") { x, _ in concatenate(x, alongAxis: 1) }
        ShapeFixture.check("concatenate_axis0") { x, _ in concatenate(x, alongAxis: -3) }
        ShapeFixture.check("slice_strided") { x, _ in x[0][.range(1..<4, stride: 2), .stride(-2), 1..<5] }
        ShapeFixture.check("slice_index") { x, _ in x[0][-1, .all, 3] }
        ShapeFixture.check("slice_newaxis_reverse") { x, _ in
            x[0][.ellipsis, .newAxis, .range(start: 4, end: 0, stride: -3)]
        }
        ShapeFixture.check("pad") { x, _ in x[0].padded([(1, 0), (2, 1)], value: 0.5) }
        ShapeFixture.check("flip_02") { x, _ in x[0].flipped(alongAxes: [0, -1]) }
        ShapeFixture.check("repeat") { x, _ in x[0].repeated([2, 1, 3]) }
        ShapeFixture.check("repeat_interleave") { x, _ in x[0].repeatedInterleave(2, alongAxis: -1) }
    }

    // MARK: - Permute

    @Test func permuteMatchesNaiveLoopsOnTiledShapes() {
        // Shapes larger than a tile, with ragged edges, exercise the blocked transpose.
        let x = shapeTestTensor([3, 37, 33])
        for axes in [[0, 2, 1], [2, 0, 1], [1, 2, 0], [2, 1, 0], [1, 0, 2]] {
            let y = x.permuted(axes)
            #expect(y.shape == axes.map { x.shape[$0] })
            let xs = x.scalars, ys = y.scalars
            let xStrides = Shape.strides(x.shape)
            var ok = true
            for flat in 0..<y.scalarCount {
                var rem = flat, offset = 0
                for d in stride(from: 2, through: 0, by: -1) {
                    offset += (rem % y.shape[d]) * xStrides[axes[d]]
                    rem /= y.shape[d]
                }
                if ys[flat] != xs[offset] { ok = false; break }
            }
            #expect(ok, "permute \(axes)")
        }
    }

    @Test func transposeTwoAxes() {
        let x = shapeTestTensor([2, 3, 4])
        expectClose(x.transposed(0, -1), x.permuted([2, 1, 0]))
        expectClose(x.transposed(-2, -1), x.transposed())
        #expect(x.transposed(1, 1).shape == [2, 3, 4])
    }

    @Test func permuteValidation() throws {
        #expect(throws: ShapeError(op: "permute", "axes [0, 0, 1] are not a permutation of the 3 axes")) {
            try Shape.validatePermutation([0, 0, 1], rank: 3, op: "permute")
        }
        #expect(throws: ShapeError(op: "permute", "axes [1, 0] must list each of the 3 axes exactly once")) {
            try Shape.validatePermutation([1, 0], rank: 3, op: "permute")
        }
        #expect(throws: ShapeError(op: "permute", "axes [0, 3, 1] are not a permutation of the 3 axes")) {
            try Shape.validatePermutation([0, 3, 1], rank: 3, op: "permute")
        }
        #expect(try Shape.validatePermutation([-1, 0, 1], rank: 3, op: "permute") == [2, 0, 1])
    }

    // MARK: - Squeeze, unsqueeze, flatten

    @Test func squeezeUnsqueezeFlatten() {
        let x = shapeTestTensor([2, 1, 3, 1])
        #expect(x.squeezed(axis: 1).shape == [2, 3, 1])
        #expect(x.squeezed(axis: -1).shape == [2, 1, 3])
        #expect(x.squeezed().shape == [2, 3])
        #expect(x.unsqueezed(axis: 0).shape == [1, 2, 1, 3, 1])
        #expect(x.unsqueezed(axis: -1).shape == [2, 1, 3, 1, 1])
        #expect(x.unsqueezed(axis: 4).shape == [2, 1, 3, 1, 1])
        #expect(x.flattened().shape == [6])
        #expect(x.flattened(startAxis: 1).shape == [2, 3])
        #expect(x.flattened(startAxis: 1, endAxis: 2).shape == [2, 3, 1])
        #expect(x.flattened(startAxis: -2, endAxis: -1).shape == [2, 1, 3])
        #expect(x.flattened().scalars == x.scalars)
        #expect(throws: ShapeError(op: "squeeze", "axis 2 of shape [2, 1, 3, 1] has size 3, not 1")) {
            try Shape.squeezed([2, 1, 3, 1], axis: 2)
        }
        expectGradient(at: [x]) { $0[0].squeezed(axis: -3).unsqueezed(axis: 0).flattened(startAxis: 1) }
    }

    // MARK: - Concatenate, stack, split, chunk

    @Test func concatenateAndStack() {
        let a = Tensor([[1, 2], [3, 4]]), b = Tensor([[5, 6]])
        expectClose(concatenate([a, b], alongAxis: 0), Tensor([[1, 2], [3, 4], [5, 6]]))
        expectClose(concatenate([a, a], alongAxis: -1), Tensor([[1, 2, 1, 2], [3, 4, 3, 4]]))
        expectClose(stack([a, a * 2], alongAxis: 0), Tensor(shape: [2, 2, 2], scalars: [1, 2, 3, 4, 2, 4, 6, 8]))
        expectClose(stack([a, a * 2], alongAxis: -1), Tensor(shape: [2, 2, 2], scalars: [1, 2, 2, 4, 3, 6, 4, 8]))
        expectClose(stack([Tensor([1, 2]), Tensor([3, 4])], alongAxis: 1), Tensor([[1, 3], [2, 4]]))
        #expect(throws: ShapeError(op: "concatenate", "shapes [2, 2], [1, 3] differ outside axis 0")) {
            try Shape.concatenated([[2, 2], [1, 3]], alongAxis: 0)
        }
        #expect(throws: ShapeError(op: "concatenate", "axis 2 is out of range for a tensor of rank 2")) {
            try Shape.concatenated([[2, 2], [2, 2]], alongAxis: 2)
        }
    }

    @Test func splitAndChunk() {
        let x = shapeTestTensor([2, 7])
        let parts = x.split(sizes: [2, 0, 5], alongAxis: 1)
        #expect(parts.map(\.shape) == [[2, 2], [2, 0], [2, 5]])
        expectClose(concatenate(parts, alongAxis: 1), x)
        let chunks = x.chunked(3, alongAxis: -1)
        #expect(chunks.map(\.shape) == [[2, 3], [2, 3], [2, 1]])
        expectClose(chunks[2], x[.all, 6...])
        #expect(shapeTestTensor([6]).chunked(4, alongAxis: 0).map(\.shape) == [[2], [2], [2]])
        #expect(shapeTestTensor([2]).chunked(4, alongAxis: 0).map(\.shape) == [[1], [1]])
        expectGradient(at: [x]) { xs in
            let p = xs[0].chunked(3, alongAxis: 1)
            return p[0] * p[1] + p[2]
        }
    }

    // MARK: - Slicing

    @Test func subscriptsAndNegativeIndices() {
        let x = Tensor(shape: [3, 4], scalars: (0..<12).map(Float.init))
        expectClose(x[1], Tensor([4, 5, 6, 7]))
        expectClose(x[-1], Tensor([8, 9, 10, 11]))
        expectClose(x[.all, -1], Tensor([3, 7, 11]))
        #expect(x[1, 2].shape == [])
        #expect(x[1, 2].scalar == 6)
        expectClose(x[1..<3, 1...2], Tensor([[5, 6], [9, 10]]))
        expectClose(x[(-2)..., ..<2], Tensor([[4, 5], [8, 9]]))
        expectClose(x[...1, (-3)...(-1)], Tensor([[1, 2, 3], [5, 6, 7]]))
        expectClose(x[.all, .range(0..., stride: 3)], Tensor([[0, 3], [4, 7], [8, 11]]))
        expectClose(x[.stride(-1), 0], Tensor([8, 4, 0]))
        expectClose(x[.ellipsis, 0], Tensor([0, 4, 8]))
        #expect(x[.newAxis, .ellipsis, .newAxis].shape == [1, 3, 4, 1])
        #expect(x[.all, 2..<2].shape == [3, 0])
        expectClose(x.sliced(alongAxis: -1, range: 1..<4, stride: 2), Tensor([[1, 3], [5, 7], [9, 11]]))
        expectClose(x.sliced(alongAxis: 0, range: -2..<(-1)), Tensor([[4, 5, 6, 7]]))
        expectClose(x.sliced([.index(2), .range(start: nil, end: 0, stride: -2)]), Tensor([11, 9]))
    }

    @Test func sliceValidation() {
        #expect(throws: ShapeError(op: "slice", "index 4 is out of range for axis 1 of size 4")) {
            try Shape.resolveSlice([.all, .index(4)], shape: [3, 4])
        }
        #expect(throws: ShapeError(op: "slice", "index -4 is out of range for axis 0 of size 3")) {
            try Shape.resolveSlice([.index(-4)], shape: [3, 4])
        }
        #expect(throws: ShapeError(op: "slice", "range 1:5 is out of range for axis 1 of size 4")) {
            try Shape.resolveSlice([.all, .range(1..<5)], shape: [3, 4])
        }
        #expect(throws: ShapeError(op: "slice", "3 indices for a tensor of shape [3, 4]")) {
            try Shape.resolveSlice([.index(0), .index(0), .index(0)], shape: [3, 4])
        }
        #expect(throws: ShapeError(op: "slice", "stride must not be zero (axis 0)")) {
            try Shape.resolveSlice([.stride(0)], shape: [3, 4])
        }
        #expect(throws: ShapeError(op: "slice", "window from 1 by 2 for 2 positions is out of range for axis 0 of size 3")) {
            try Shape.validateWindow([3], starts: [1], sizes: [2], strides: [2], op: "slice")
        }
        let w = try? Shape.resolveSlice([.ellipsis, .index(-1), .newAxis], shape: [2, 3, 4])
        #expect(w == StridedWindow(starts: [0, 0, 3], sizes: [2, 3, 1], strides: [1, 1, 1], resultShape: [2, 3, 1]))
    }

    @Test func unsliceIsTheAdjointOfSlice() {
        let y = Tensor([[1, 2], [3, 4]])
        expectClose(y.unsliced(into: [3, 5], starts: [0, 4], strides: [2, -3]),
                    Tensor([[0, 2, 0, 0, 1], [0, 0, 0, 0, 0], [0, 4, 0, 0, 3]]))
        // <slice(x), y> == <x, unslice(y)>
        let x = shapeTestTensor([3, 5], seed: 1)
        let lhs = (x.sliced(starts: [0, 4], sizes: [2, 2], strides: [2, -3]) * y).sum()
        let rhs = (x * y.unsliced(into: [3, 5], starts: [0, 4], strides: [2, -3])).sum()
        expectClose(lhs, rhs, relative: 1e-6)
    }

    // MARK: - Pad, flip, repeat

    @Test func padFlipRepeat() {
        let x = Tensor([[1, 2], [3, 4]])
        expectClose(x.padded([(0, 1), (1, 0)]), Tensor([[0, 1, 2], [0, 3, 4], [0, 0, 0]]))
        expectClose(x.flipped(alongAxis: 1), Tensor([[2, 1], [4, 3]]))
        expectClose(x.flipped(alongAxes: [0, 1]), Tensor([[4, 3], [2, 1]]))
        expectClose(x.repeated([1, 2]), Tensor([[1, 2, 1, 2], [3, 4, 3, 4]]))
        #expect(x.repeated([3, 0, 1]).shape == [3, 0, 2])
        expectClose(x.repeatedInterleave(2, alongAxis: 0), Tensor([[1, 2], [1, 2], [3, 4], [3, 4]]))
        #expect(throws: ShapeError(op: "pad", "padding [(1, 1)] has 1 pairs for a tensor of shape [2, 2]")) {
            try Shape.validatePadding([(1, 1)], shape: [2, 2])
        }
        #expect(throws: ShapeError(op: "pad", "padding [(1, 1), (0, -1)] has negative widths")) {
            try Shape.validatePadding([(1, 1), (0, -1)], shape: [2, 2])
        }
    }

    @Test func largeCopiesMatchSmallOnes() {
        // Big enough to be split across threads.
        let x = shapeTestTensor([130, 520])
        let y = x.flipped(alongAxes: [0, 1]).padded([(1, 2), (0, 3)])
        #expect(y.shape == [133, 523])
        #expect(y[1, 0].scalar == x[129, 519].scalar)
        #expect(y[130, 519].scalar == x[0, 0].scalar)
        expectClose(y[1..<131, ..<520].flipped(alongAxes: [0, 1]), x)
        expectClose(x.permuted(1, 0).permuted(1, 0), x)
        expectClose(x.transposed(0, 1)[7], x[.all, 7])
    }

    // MARK: - Gradients

    @Test func gradients() {
        let x = shapeTestTensor([2, 3, 4])
        expectGradient(at: [x]) { $0[0].permuted([2, 0, 1]) }
        expectGradient(at: [x]) { $0[0].transposed(-1, 0) }
        expectGradient(at: [x]) { $0[0][.range(start: nil, end: nil, stride: -1), 1..., .range(0..<4, stride: 3)] }
        expectGradient(at: [x]) { $0[0][-1, .newAxis, .all, 2] }
        expectGradient(at: [x]) { $0[0].sliced(alongAxis: -2, range: 0..<3, stride: 2) }
        expectGradient(at: [x]) { $0[0].padded([(0, 1), (2, 0), (1, 1)], value: 3) }
        expectGradient(at: [x]) { $0[0].flipped(alongAxes: [-1, 0]) }
        expectGradient(at: [x]) { $0[0].repeated([2, 1, 1, 2]) }
        expectGradient(at: [x]) { $0[0].repeatedInterleave(3, alongAxis: -2) }
        let a = shapeTestTensor([2, 3]), b = shapeTestTensor([2, 1], seed: 2), c = shapeTestTensor([1, 3], seed: 3)
        expectGradient(at: [a, b]) { concatenate([$0[0], $0[1]], alongAxis: -1) }
        expectGradient(at: [a, c]) { concatenate([$0[1], $0[0], $0[1]], alongAxis: 0) }
        expectGradient(at: [a, a * 2]) { stack([$0[0], $0[1]], alongAxis: 1) }
        expectGradient(at: [a]) { xs in
            let s = xs[0].split(sizes: [1, 2], alongAxis: 1)
            return concatenate([s[1], s[0]], alongAxis: 1)
        }
        let y = shapeTestTensor([2, 2], seed: 4)
        expectGradient(at: [y]) { $0[0].unsliced(into: [3, 5], starts: [2, 1], strides: [-2, 3]) }
    }

    @Test func secondOrder() {
        let x = shapeTestTensor([2, 3, 4])
        expectSecondOrderGradient(at: [x]) { xs in
            let p = xs[0].permuted([1, 2, 0])
            return p * p
        }
        expectSecondOrderGradient(at: [x]) { xs in
            xs[0][.all, 1..., .range(0..., stride: 2)] * xs[0][.all, ..<2, .range(1..., stride: 2)]
        }
        let a = shapeTestTensor([2, 3]), b = shapeTestTensor([2, 2], seed: 2)
        expectSecondOrderGradient(at: [a, b]) { xs in
            let c = concatenate([xs[0], xs[1]], alongAxis: 1)
            return c * c.flipped(alongAxis: 1)
        }
        expectSecondOrderGradient(at: [a]) { xs in
            let p = xs[0].padded([(1, 0), (0, 2)])
            return p * p.unsliced(into: [4, 5], starts: [1, 0])[1...]
        }
    }
}

@Suite struct ShapeTrapTests {
    static func stderr(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test func badShapesTrapNamingOpAndShapes() async {
        var r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([3, 2])[3]
        }
        #expect(Self.stderr(r).contains("slice: index 3 is out of range for axis 0 of size 3"), "\(Self.stderr(r))")
        r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = concatenate([Tensor.zeros([2, 2]), Tensor.zeros([3, 3])], alongAxis: 1)
        }
        #expect(Self.stderr(r).contains("concatenate: shapes [2, 2], [3, 3] differ outside axis 1"), "\(Self.stderr(r))")
        r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 2]).permuted(1, 1)
        }
        #expect(Self.stderr(r).contains("permute: axes [1, 1] are not a permutation of the 2 axes"), "\(Self.stderr(r))")
    }
}
