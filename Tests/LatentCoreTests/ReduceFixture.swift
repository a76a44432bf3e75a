import Foundation
import LatentCore

/// Golden values written by `Scripts/fixtures/core_reduce.py` (NumPy/SciPy, float64).
struct ReduceFixture: Decodable {
    struct Input: Decodable {
        let shape: [Int]
        let values: [Double]
        var tensor: Tensor { Tensor(shape: shape, scalars: values.map { Float($0) }) }
    }

    struct Case: Decodable {
        let op: String
        let input: String
        let outputShape: [Int]
        let output: [Double]  // Double: some expectations (e.g. e^-2000) underflow Float's range
        let axes: [Int]?
        let keepDims: Bool?
        let unbiased: Bool?
        let exclusive: Bool?
        let reverse: Bool?
        let targets: [Double]?
        let labels: [Int]?
        let smoothing: Float?
        let ignoreIndex: Int?
        let reduction: String?

        var expected: Tensor { Tensor(shape: outputShape, scalars: output.map { Float($0) }) }
        var lossReduction: Reduction {
            switch reduction {
            case "none": .none
            case "sum": .sum
            default: .mean
            }
        }
        var summary: String {
            "\(op) input \(input) axes \(axes ?? []) keepDims \(keepDims ?? false) reduction \(reduction ?? "-")"
        }
    }

    let inputs: [String: Input]
    let cases: [Case]

    static let shared: ReduceFixture = {
        let url = Bundle.module.url(forResource: "reduce", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(ReduceFixture.self, from: Data(contentsOf: url))
    }()

    /// The cases for `op`, each with its input tensor.
    static func cases(_ op: String) -> [(Case, Tensor)] {
        let fixture = shared
        let selected = fixture.cases.filter { $0.op == op }
        precondition(!selected.isEmpty, "no fixture cases for \(op)")
        return selected.map { ($0, fixture.inputs[$0.input]!.tensor) }
    }
}
