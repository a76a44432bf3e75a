import Foundation
import LatentCore

/// Golden values from Scripts/fixtures/nn_sequence.py (PyTorch): per case, tensors named
/// `param.<state key>`, `input.<name>`, `output.<name>`, `weight.<output>` (the fixed
/// weights of the loss Σ output ⊙ weight) and `grad.<state key or input>`.
enum SequenceFixture {
    struct Entry: Decodable { let shape: [Int]; let data: [Float] }

    static let cases: [String: [String: Entry]] = {
        let url = Bundle.module.url(forResource: "sequence", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode([String: [String: Entry]].self, from: Data(contentsOf: url))
    }()

    /// One case's tensors by name.
    static func tensors(_ name: String) -> [String: Tensor] {
        cases[name]!.mapValues { Tensor(shape: $0.shape, scalars: $0.data) }
    }

    /// The entries under `prefix.`, with the prefix removed.
    static func group(_ tensors: [String: Tensor], _ prefix: String) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (k, v) in tensors where k.hasPrefix(prefix + ".") { out[String(k.dropFirst(prefix.count + 1))] = v }
        return out
    }
}
