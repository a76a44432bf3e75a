import LatentCore
import LatentTestSupport
import Testing

@Suite struct MatMulTests {
    static func tensor(_ shape: [Int], seed: UInt64) -> Tensor {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 3
        return Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 23) - 1
        })
    }

    /// NumPy-semantics reference computed elementwise in Double.
    static func reference(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        let outShape = try! matmulShape(a.shape, b.shape, transposeA: transposeA, transposeB: transposeB)
        return withoutDerivative {
            var x = a.rank == 1 ? a.reshaped(to: [1, a.shape[0]]) : a
            var y = b.rank == 1 ? b.reshaped(to: [b.shape[0], 1]) : b
            if transposeA && a.rank >= 2 { x = x.transposed() }
            if transposeB && b.rank >= 2 { y = y.transposed() }
            let (m, k, n) = (x.shape[x.rank - 2], x.shape[x.rank - 1], y.shape[y.rank - 1])
            let batch = try! Shape.broadcast(Array(x.shape.dropLast(2)), Array(y.shape.dropLast(2)), op: "test")
            let xs = x.broadcast(to: batch + [m, k]).scalars, ys = y.broadcast(to: batch + [k, n]).scalars
            var out = [Float]()
            for t in 0..<Shape.count(batch) {
                for i in 0..<m {
                    for j in 0..<n {
                        var s = 0.0
                        for p in 0..<k { s += Double(xs[t * m * k + i * k + p]) * Double(ys[t * k * n + p * n + j]) }
                        out.append(Float(s))
                    }
                }
            }
            return Tensor(shape: outShape, scalars: out)
        }
    }

    /// Stored shape of an operand that is `rows × columns` after the optional transposition.
    static func stored(_ batch: [Int], _ rows: Int, _ columns: Int, transposed: Bool) -> [Int] {
        batch + (transposed ? [columns, rows] : [rows, columns])
    }

    static let flags = [(false, false), (true, false), (false, true), (true, true)]

    /// (batch of a, batch of b, m, k, n)
    static let batchCases: [([Int], [Int], Int, Int, Int)] = [
        ([], [], 3, 4, 5),
        ([2], [], 3, 4, 5),        // [B, M, K]·[K, N]: one GEMM
        ([], [2], 3, 4, 5),        // [M, K]·[B, K, N]
        ([2], [2], 2, 3, 4),
        ([2, 1], [3], 2, 3, 2),    // broadcast both ways
        ([1], [2], 3, 2, 3),
    ]

    @Test func forwardMatchesReferenceForAllFlagsAndBatches() {
        for (ta, tb) in Self.flags {
            for (batchA, batchB, m, k, n) in Self.batchCases {
                let a = Self.tensor(Self.stored(batchA, m, k, transposed: ta), seed: 1)
                let b = Self.tensor(Self.stored(batchB, k, n, transposed: tb), seed: 2)
                let c = matmul(a, b, transposeA: ta, transposeB: tb)
                expectClose(c, Self.reference(a, b, transposeA: ta, transposeB: tb), relative: 1e-5, absolute: 1e-5,
                            "\(a.shape)·\(b.shape) tA=\(ta) tB=\(tb)")
            }
        }
    }

    @Test func largerProductsUseTheBlockedKernel() {
        // Big enough to pass the direct-loop threshold; odd sizes for edge tiles.
        for (ta, tb) in Self.flags {
            let a = Self.tensor(Self.stored([2], 33, 65, transposed: ta), seed: 3)
            let b = Self.tensor(Self.stored([], 65, 21, transposed: tb), seed: 4)
            expectClose(matmul(a, b, transposeA: ta, transposeB: tb), Self.reference(a, b, transposeA: ta, transposeB: tb),
                        relative: 1e-4, absolute: 1e-4)
        }
    }

    @Test func knownValues() {
        let a: Tensor = [[1, 2, 3], [4, 5, 6]]
        let b: Tensor = [[7, 8], [9, 10], [11, 12]]
        expectClose(matmul(a, b), [[58, 64], [139, 154]])
        expectClose(a.matmul(b), [[58, 64], [139, 154]])
        expectClose(matmul(b, a, transposeA: true, transposeB: true), [[58, 139], [64, 154]])
        expectClose(matmul(Tensor([1, 2, 3]), Tensor([4, 5, 6])), Tensor(32))
    }

    @Test func vectorOperandsFollowNumPy() {
        let v = Self.tensor([4], seed: 5), w = Self.tensor([4], seed: 6)
        let m = Self.tensor([4, 3], seed: 7), mt = Self.tensor([3, 4], seed: 8)
        let batched = Self.tensor([2, 4, 3], seed: 9), batchedRows = Self.tensor([2, 3, 4], seed: 10)
        let cases: [(Tensor, Tensor, [Int])] = [
            (v, w, []), (v, m, [3]), (mt, v, [3]), (v, batched, [2, 3]), (batchedRows, v, [2, 3]),
        ]
        for (x, y, shape) in cases {
            let c = matmul(x, y)
            #expect(c.shape == shape)
            expectClose(c, Self.reference(x, y), relative: 1e-5, absolute: 1e-5)
        }
        // Flags do nothing to vectors but still apply to the matrix operand.
        expectClose(matmul(v, mt, transposeA: true, transposeB: true), matmul(v, mt.transposed()))
        expectClose(matmul(v, mt, transposeB: true), Self.reference(v, mt, transposeB: true))
        expectClose(matmul(m, v, transposeA: true), Self.reference(m, v, transposeA: true))
    }

    @Test func emptyDimensions() {
        #expect(matmul(Tensor(repeating: 1, shape: [0, 3]), Tensor(repeating: 1, shape: [3, 4])).shape == [0, 4])
        let z = matmul(Tensor(repeating: 1, shape: [2, 0]), Tensor(repeating: 1, shape: [0, 3]))
        #expect(z.shape == [2, 3])
        #expect(z.scalars == [Float](repeating: 0, count: 6))
    }

    @Test func gradientsForAllFlagsAndBatches() {
        for (ta, tb) in Self.flags {
            for (batchA, batchB, m, k, n) in Self.batchCases {
                let a = Self.tensor(Self.stored(batchA, m, k, transposed: ta), seed: 11)
                let b = Self.tensor(Self.stored(batchB, k, n, transposed: tb), seed: 12)
                expectGradient(at: [a, b], "\(a.shape)·\(b.shape) tA=\(ta) tB=\(tb)") {
                    matmul($0[0], $0[1], transposeA: ta, transposeB: tb)
                }
            }
        }
    }

    @Test func gradientsOfLargerProducts() {
        // The flattened weight gradient ([B, M, K]·[K, N]) through the blocked kernel.
        for tb in [false, true] {
            let x = Self.tensor([2, 7, 19], seed: 13)
            let w = Self.tensor(tb ? [33, 19] : [19, 33], seed: 14)
            expectGradient(at: [x, w], "tB=\(tb)") { matmul($0[0], $0[1], transposeB: tb) }
        }
    }

    @Test func gradientsOfVectorProducts() {
        let v = Self.tensor([4], seed: 15), w = Self.tensor([4], seed: 16)
        let m = Self.tensor([4, 3], seed: 17), batched = Self.tensor([2, 3, 4], seed: 18)
        expectGradient(at: [v, w]) { matmul($0[0], $0[1]) }
        expectGradient(at: [v, m]) { matmul($0[0], $0[1]) }
        expectGradient(at: [m, v]) { matmul($0[0], $0[1], transposeA: true) }
        expectGradient(at: [batched, v]) { matmul($0[0], $0[1]) }
        expectGradient(at: [v, batched]) { matmul($0[0], $0[1], transposeB: true) }
    }

    @Test func secondOrderGradients() {
        for (ta, tb) in Self.flags {
            let a = Self.tensor(Self.stored([2], 3, 4, transposed: ta), seed: 19)
            let b = Self.tensor(Self.stored([], 4, 2, transposed: tb), seed: 20)
            // Products of products, so that second derivatives are not all zero.
            expectSecondOrderGradient(at: [a, b], "tA=\(ta) tB=\(tb)") { xs in
                let c = matmul(xs[0], xs[1], transposeA: ta, transposeB: tb)
                return c * c
            }
        }
        let v = Self.tensor([3], seed: 21), m = Self.tensor([2, 3, 3], seed: 22)
        expectSecondOrderGradient(at: [v, m]) { xs in matmul(matmul(xs[1], xs[0]), xs[0]) }
    }

    @Test func transposedIsTiledAndDifferentiable() {
        for shape in [[5, 7], [2, 37, 45], [1, 70], [33, 1], [3, 64, 96]] {
            let x = Self.tensor(shape, seed: 23)
            let t = x.transposed()
            let r = shape[shape.count - 2], c = shape[shape.count - 1]
            let batch = x.scalarCount / (r * c)
            var expected = [Float](repeating: 0, count: x.scalarCount)
            let s = x.scalars
            for b in 0..<batch { for i in 0..<r { for j in 0..<c { expected[b * r * c + j * r + i] = s[b * r * c + i * c + j] } } }
            #expect(t.scalars == expected)
            #expect(t.transposed().scalars == s)
        }
        expectGradient(at: [Self.tensor([2, 3, 4], seed: 24)]) { $0[0].transposed() }
    }

    @Test func shapeErrorsNameTheShapes() {
        func message(_ body: () throws(ShapeError) -> [Int]) -> String? {
            do { _ = try body(); return nil } catch { return error.message }
        }
        #expect(message { () throws(ShapeError) in try matmulShape([2, 3], [4, 5]) }
                == "matmul: inner dimensions differ: shapes [2, 3] and [4, 5]")
        #expect(message { () throws(ShapeError) in try matmulShape([2, 3], [2, 5], transposeA: false, transposeB: true) }
                == "matmul: inner dimensions differ: shapes [2, 3] and [2, 5] (with transposeB)")
        #expect(message { () throws(ShapeError) in try matmulShape([], [3]) }
                == "matmul: operands need rank >= 1, got shapes [] and [3]")
        #expect(message { () throws(ShapeError) in try matmulShape([3], [4]) }
                == "matmul: inner dimensions differ: shapes [3] and [4]")
        #expect(message { () throws(ShapeError) in try matmulShape([2, 2, 3], [3, 3, 4]) }
                == "matmul: shapes [2] and [3] are not broadcastable")
        #expect(message { () throws(ShapeError) in try matmulShape([2, 3], [3, 4]) } == nil)
        #expect(try! matmulShape([5, 1, 2, 3], [4, 3, 6]) == [5, 4, 2, 6])
        #expect(try! matmulShape([3, 2], [2, 5, 3], transposeA: true, transposeB: true) == [2, 2, 5])
    }
}
