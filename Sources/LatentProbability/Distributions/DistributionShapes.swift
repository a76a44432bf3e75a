import LatentCore

/// Shape helpers shared by the distributions of this module.
enum DistributionShapes {
    /// The NumPy broadcast of several shapes, trapping with a message naming `op`.
    static func broadcast(_ shapes: [[Int]], op: String) -> [Int] {
        checkShapes { () throws(ShapeError) in
            var result: [Int] = []
            for s in shapes { result = try Shape.broadcast(result, s, op: op) }
            return result
        }
    }

    /// Integer indices broadcast to `shape` (exact for indices below 2²⁴).
    static func broadcast(_ indices: IndexTensor, to shape: [Int]) -> IndexTensor {
        if indices.shape == shape { return indices }
        let spread = indices.asTensor.broadcast(to: shape)
        return IndexTensor(shape: shape, scalars: spread.scalars.map { Int32($0) })
    }

    /// Float-coded category indices (0, 1, 2, …) as an index tensor, trapping with a
    /// message naming `op` unless every value is an integer in `0..<upperBound`.
    static func indices(_ value: Tensor, upperBound: Int, op: String) -> IndexTensor {
        let scalars = value.scalars
        if let bad = scalars.firstIndex(where: { !($0 >= 0 && $0 < Float(upperBound) && $0.rounded() == $0) }) {
            fatalError("\(op): value \(scalars[bad]) at flat index \(bad) is not a category index in 0..<\(upperBound)")
        }
        return IndexTensor(shape: value.shape, scalars: scalars.map { Int32($0) })
    }
}

extension DistributionValidation {
    /// Checks that every element of `probabilities` lies in [0, 1].
    public static func requireProbabilities(_ distribution: String, _ probabilities: Tensor) throws(DistributionParameterError) {
        try requireAll(distribution, "probabilities", probabilities, "in [0, 1]") { $0 >= 0 && $0 <= 1 }
    }
}
