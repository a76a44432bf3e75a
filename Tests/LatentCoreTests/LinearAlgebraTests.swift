import Foundation
import LatentCore
import LatentTestSupport
import Testing

/// Golden values written by `Scripts/fixtures/core_linalg.py` (NumPy/SciPy, float64).
private struct LinearAlgebraFixtures: Decodable {
    struct Values: Decodable {
        let shape: [Int]
        let data: [Float]
        var tensor: Tensor { Tensor(shape: shape, scalars: data) }
    }
    struct Cholesky: Decodable { let a, l: Values }
    struct TriangularSolve: Decodable {
        let a, b, x: Values
        let lower, transpose, unitDiagonal: Bool
    }
    struct Solve: Decodable { let a, b, x: Values }
    struct Inverse: Decodable { let a, inverse: Values }
    struct Determinant: Decodable { let a, sign, logAbsDeterminant: Values }

    let cholesky: [Cholesky]
    let triangularSolve: [TriangularSolve]
    let solve: [Solve]
    let inverse: [Inverse]
    let logAbsDeterminant: [Determinant]

    static func load() throws -> LinearAlgebraFixtures {
        let url = try #require(Bundle.module.url(forResource: "linalg", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(LinearAlgebraFixtures.self, from: Data(contentsOf: url))
    }
}

/// Deterministic test matrices.
private func matrix(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return rng.uniform(shape, low: -1, high: 1)
}

/// Well-conditioned triangular matrices: the given triangle random, diagonal in [1.2, 2].
private func triangular(_ shape: [Int], lower: Bool, seed: UInt64) -> Tensor {
    let m = matrix(shape, seed: seed)
    let part = lower ? m.lowerTriangular(diagonalOffset: -1) : m.upperTriangular(diagonalOffset: 1)
    return part + (m.diagonal() * m.diagonal() * 0.8 + 1.2).diagonalMatrix()
}

@Suite struct LinearAlgebraTests {
    // MARK: Forward against NumPy

    @Test func choleskyMatchesNumPy() throws {
        for c in try LinearAlgebraFixtures.load().cholesky {
            let l = cholesky(c.a.tensor)
            expectClose(l, c.l.tensor, relative: 1e-5, absolute: 1e-6)
            expectClose(matmul(l, l.transposed()), c.a.tensor, relative: 1e-5, absolute: 1e-5)
            // log det A = 2 Σ log Lᵢᵢ.
            expectClose(l.diagonal().log().sum(alongAxis: -1) * 2, c.a.tensor.logAbsDeterminant(),
                        relative: 1e-5, absolute: 1e-5)
        }
    }

    @Test func triangularSolveMatchesSciPy() throws {
        for c in try LinearAlgebraFixtures.load().triangularSolve {
            let x = triangularSolve(c.a.tensor, c.b.tensor, lower: c.lower, transpose: c.transpose,
                                    unitDiagonal: c.unitDiagonal)
            expectClose(x, c.x.tensor, relative: 1e-5, absolute: 1e-5,
                        "lower \(c.lower) transpose \(c.transpose) unit \(c.unitDiagonal) a \(c.a.shape)")
        }
    }

    @Test func solveInverseAndDeterminantMatchNumPy() throws {
        let fixtures = try LinearAlgebraFixtures.load()
        for c in fixtures.solve {
            expectClose(solve(c.a.tensor, c.b.tensor), c.x.tensor, relative: 1e-4, absolute: 1e-5, "a \(c.a.shape)")
        }
        for c in fixtures.inverse {
            expectClose(c.a.tensor.inverse(), c.inverse.tensor, relative: 1e-4, absolute: 1e-5, "a \(c.a.shape)")
        }
        for c in fixtures.logAbsDeterminant {
            expectClose(c.a.tensor.logAbsDeterminant(), c.logAbsDeterminant.tensor, relative: 1e-5, absolute: 1e-5)
            #expect(c.a.tensor.determinantSign().scalars == c.sign.tensor.scalars)
            expectClose(c.a.tensor.determinant(), c.sign.tensor * c.logAbsDeterminant.tensor.exp(), relative: 1e-5)
        }
    }

    @Test func singularMatrices() {
        let a = Tensor([[1, 2], [2, 4]])
        #expect(a.logAbsDeterminant().scalar == -.infinity)
        #expect(a.determinantSign().scalar == 0)
        #expect(Tensor(shape: [0, 0], scalars: []).logAbsDeterminant().scalar == 0)
    }

    // MARK: Helpers

    @Test func triangularPartsAndDiagonals() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(x.lowerTriangular().scalars == [1, 0, 0, 4, 5, 0])
        #expect(x.lowerTriangular(diagonalOffset: 1).scalars == [1, 2, 0, 4, 5, 6])
        #expect(x.lowerTriangular(diagonalOffset: -1).scalars == [0, 0, 0, 4, 0, 0])
        #expect(x.upperTriangular().scalars == [1, 2, 3, 0, 5, 6])
        #expect(x.upperTriangular(diagonalOffset: 1).scalars == [0, 2, 3, 0, 0, 6])
        #expect(x.diagonal().scalars == [1, 5])
        #expect(x.transposed().diagonal().scalars == [1, 5])
        #expect(Tensor([2, 3]).diagonalMatrix().scalars == [2, 0, 0, 3])
        let batch = matrix([2, 3, 4], seed: 1)
        #expect(batch.diagonal().shape == [2, 3])
        #expect(batch.diagonal().diagonalMatrix().shape == [2, 3, 3])
        expectGradient(at: [batch]) { $0[0].lowerTriangular(diagonalOffset: 1) * $0[0] }
        expectGradient(at: [batch]) { $0[0].upperTriangular(diagonalOffset: -1) * $0[0] }
        expectGradient(at: [batch]) { $0[0].diagonal() * $0[0].diagonal() }
        expectGradient(at: [batch.transposed()]) { $0[0].diagonal().exp() }
        expectGradient(at: [matrix([2, 3], seed: 2)]) { $0[0].diagonalMatrix() * 3 }
        expectSecondOrderGradient(at: [batch]) { ($0[0].diagonal() * $0[0].diagonal()).diagonalMatrix() }
    }

    @Test func shapeValidationNamesOpAndShapes() throws {
        #expect(throws: ShapeError(op: "cholesky", "expected a square matrix or a batch of square matrices [..., n, n], got shape [2, 3]")) {
            try squareMatrixShape([2, 3], op: "cholesky")
        }
        #expect(throws: ShapeError(op: "solve", "right-hand side of shape [4, 2] does not match matrix of shape [3, 3]: expected [..., 3, k]")) {
            try linearSystemShape([3, 3], [4, 2], op: "solve")
        }
        #expect(throws: ShapeError(op: "triangularSolve", "batch shapes [2] and [3] of matrix [2, 3, 3] and right-hand side [3, 3, 1] are not broadcastable")) {
            try linearSystemShape([2, 3, 3], [3, 3, 1], op: "triangularSolve")
        }
        #expect(throws: ShapeError(op: "lowerTriangular", "expected a matrix or a batch of matrices [..., m, n], got shape [3]")) {
            try matrixShape([3], op: "lowerTriangular")
        }
        #expect(try linearSystemShape([2, 1, 3, 3], [4, 3, 5], op: "solve") == [2, 4, 3, 5])
    }

    @Test func choleskyTrapsNamingTheBatchIndex() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let spd = Tensor([[2, 0], [0, 2]])
            let indefinite = Tensor([[1, 2], [2, 1]])
            _ = cholesky(Tensor(shape: [2, 2, 2], scalars: spd.scalars + indefinite.scalars))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("cholesky: matrix at batch index [1] of input shape [2, 2, 2] is not positive definite"))
        }
    }

    // MARK: Gradients

    @Test func triangularSolveGradients() {
        let b = matrix([3, 2], seed: 10)
        for lower in [true, false] {
            for transpose in [true, false] {
                for unit in [true, false] {
                    let a = triangular([3, 3], lower: lower, seed: 11)
                    expectGradient(at: [a, b], "lower \(lower) transpose \(transpose) unit \(unit)") {
                        triangularSolve($0[0], $0[1], lower: lower, transpose: transpose, unitDiagonal: unit)
                    }
                }
            }
        }
        // Broadcast batch: one matrix, a batch of right-hand sides (and the reverse).
        let batchA = triangular([2, 3, 3], lower: true, seed: 12)
        expectGradient(at: [batchA, b]) { triangularSolve($0[0], $0[1]) }
        expectGradient(at: [triangular([3, 3], lower: false, seed: 13), matrix([2, 3, 1], seed: 14)]) {
            triangularSolve($0[0], $0[1], lower: false, transpose: true)
        }
    }

    @Test func triangularSolveSecondOrder() {
        let a = triangular([3, 3], lower: true, seed: 15), b = matrix([3, 2], seed: 16)
        expectSecondOrderGradient(at: [a, b]) { triangularSolve($0[0], $0[1]) }
        expectSecondOrderGradient(at: [triangular([3, 3], lower: false, seed: 17), b]) {
            triangularSolve($0[0], $0[1], lower: false, transpose: true)
        }
    }

    @Test func choleskyGradients() {
        // A symmetric positive-definite parametrisation, so that finite differences
        // perturb A symmetrically (the backward rule assumes symmetric perturbations).
        func f(_ x: Tensor) -> Tensor {
            let n = x.shape[x.rank - 1]
            return cholesky((x + x.transposed()) * 0.5 + Tensor.eye(n) * Float(n))
        }
        let x = matrix([3, 3], seed: 20)
        expectGradient(at: [x]) { f($0[0]) }
        expectGradient(at: [matrix([2, 4, 4], seed: 21)]) { f($0[0]) }
        expectSecondOrderGradient(at: [x]) { f($0[0]) }
        // A typical use: the log-density of a Gaussian through its Cholesky factor.
        let v = matrix([3, 2], seed: 22)
        expectGradient(at: [x, v]) { xs in
            let l = f(xs[0])
            let z = triangularSolve(l, xs[1])
            return (z * z).sum() + l.diagonal().log().sum() * 2
        }
    }

    @Test func solveAndInverseGradients() {
        let a = matrix([3, 3], seed: 30) + Tensor.eye(3) * 2, b = matrix([3, 2], seed: 31)
        expectGradient(at: [a, b]) { solve($0[0], $0[1]) }
        expectGradient(at: [matrix([2, 1, 3, 3], seed: 32) + Tensor.eye(3) * 2, matrix([2, 3, 1], seed: 33)]) {
            solve($0[0], $0[1])
        }
        expectGradient(at: [a]) { $0[0].inverse() }
        expectSecondOrderGradient(at: [a, b]) { solve($0[0], $0[1]) }
    }

    @Test func logAbsDeterminantGradients() {
        let a = matrix([3, 3], seed: 40) + Tensor.eye(3) * 1.5
        let batch = matrix([2, 3, 3], seed: 41) - Tensor.eye(3) * 1.5   // negative determinants too
        #expect(batch.determinantSign().scalars.contains(-1) || a.determinantSign().scalar == -1)
        expectGradient(at: [a]) { $0[0].logAbsDeterminant() }
        expectGradient(at: [batch]) { $0[0].logAbsDeterminant() }
        expectGradient(at: [batch]) { $0[0].determinant() }
        expectSecondOrderGradient(at: [a]) { $0[0].logAbsDeterminant() }
        expectSecondOrderGradient(at: [batch]) { $0[0].logAbsDeterminant() }
        // ∂ log|det A| / ∂A = A⁻ᵀ.
        expectClose(gradient(at: a) { $0.logAbsDeterminant() }, a.inverse().transposed(), relative: 1e-5, absolute: 1e-6)
    }
}
