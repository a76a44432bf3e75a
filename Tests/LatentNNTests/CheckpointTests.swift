import Foundation
import LatentCore
import LatentNN
import LatentTestSupport
import Testing

private final class Tiny: Module {
    @Parameter var weight: Tensor
    @Buffer var runningMean: Tensor
    init(_ scale: Float = 1) {
        _weight = Parameter(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4].map { $0 * scale }))
        _runningMean = Buffer(Tensor([0.5, -0.5]))
    }
}

@Suite struct CheckpointTests {
    func url(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("latent-ckpt-\(UUID().uuidString)-\(name)")
    }

    @Test func saveAndRestoreModelAndOptimizer() throws {
        let file = url("c.safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        let model = Tiny()
        let optimizer = Adam(learningRate: 0.01)
        for _ in 0..<3 {
            optimizer.update(model, with: gradient(of: model) { ($0.weight * $0.weight).sum() })
        }
        try Checkpoint.save(model: model, optimizer: optimizer, metadata: ["epoch": "3"], to: file)

        let restored = Tiny(0)
        let restoredOptimizer = Adam(learningRate: 0.5)
        let loaded = try Checkpoint.load(from: file, into: restored, optimizer: restoredOptimizer)
        #expect(loaded.metadata == ["epoch": "3"])
        #expect(restored.weight.scalars == model.weight.scalars)
        #expect(restored.runningMean.scalars == [0.5, -0.5])
        #expect(restoredOptimizer.step == 3 && restoredOptimizer.learningRate == 0.01)
        // The next step is identical for the original and the restored pair.
        optimizer.update(model, with: gradient(of: model) { ($0.weight * $0.weight).sum() })
        restoredOptimizer.update(restored, with: gradient(of: restored) { ($0.weight * $0.weight).sum() })
        #expect(restored.weight.scalars == model.weight.scalars)
    }

    @Test func mismatchedCheckpointLeavesModelUntouched() throws {
        let file = url("m.safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try SafeTensors.write(["model/weight": .zeros([3, 3]), "model/runningMean": .zeros([2])],
                              metadata: ["format": "latent-checkpoint-1"], to: file)
        let model = Tiny()
        #expect(throws: CheckpointError.self) { try Checkpoint.load(from: file, into: model) }
        #expect(model.weight.scalars == [1, 2, 3, 4])
        // Optimizer kind mismatch is reported too.
        try Checkpoint.save(model: model, optimizer: SGD(learningRate: 0.1, momentum: 0.9), to: file)
        #expect(throws: CheckpointError.self) { try Checkpoint.load(from: file, into: Tiny(), optimizer: Adam()) }
    }

    @Test func plainStateDictRoundTrip() throws {
        let file = url("p.safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Tiny(2).save(to: file)
        let names = try SafeTensors.read(from: file).tensors.keys.sorted()
        #expect(names == ["runningMean", "weight"])
        let m = Tiny()
        try m.load(from: file)
        #expect(m.weight.scalars == [2, 4, 6, 8])
    }

    @Test func overwriteIsAtomic() throws {
        // A stale temporary file from a killed writer does not affect reading or writing.
        let file = url("a.safetensors")
        let stale = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).tmp-1-2")
        defer { try? FileManager.default.removeItem(at: file); try? FileManager.default.removeItem(at: stale) }
        try Tiny(1).save(to: file)
        try Data([1, 2, 3]).write(to: stale)
        try Tiny(3).save(to: file)
        let m = Tiny()
        try m.load(from: file)
        #expect(m.weight.scalars == [3, 6, 9, 12])
    }
}
