import LatentCore
import Testing

/// ``Tensor/elementwise(_:_:op:_:)``: broadcasting, the function applied per element on
/// every chunk of a large tensor, nothing recorded.
@Suite struct ElementwiseFunctionTests {
    @Test func broadcastsAndAppliesPerElement() {
        let a = Tensor(shape: [2, 1], scalars: [1, 2]), b = Tensor(shape: [3], scalars: [10, 20, 30])
        let y = Tensor.elementwise(a, b, op: "test") { $0 * 100 + $1 }
        #expect(y.shape == [2, 3])
        #expect(y.scalars == [110, 120, 130, 210, 220, 230])
    }

    @Test func coversLargeTensorsExactlyOnce() {
        let n = 10_000
        let x = Tensor(shape: [n], scalars: (0..<n).map(Float.init))
        let y = Tensor.elementwise(x, Tensor(1), op: "test") { $0 + $1 }
        #expect(y.scalars == (0..<n).map { Float($0 + 1) })
    }

    @Test func recordsNothing() {
        let g = gradient(at: Tensor([1, 2])) { x in (Tensor.elementwise(x, x, op: "test") { $0 * $1 } + x).sum() }
        #expect(g.scalars == [1, 1])
    }
}
