import Foundation
import LatentCore
import LatentData
import Testing

/// Reads the real Fashion-MNIST files of Debian's `dataset-fashion-mnist` package; skipped
/// when the package is not installed.
@Suite(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")))
struct FashionMNISTTests {
    let folder = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")

    @Test func loadsTheTestSplit() throws {
        let test = try FashionMNIST.load(.test, folder: folder)
        #expect(test.count == 10_000 && test.featureShape == [1, 28, 28])
        #expect(test.labelCounts() == Array(repeating: 1000, count: 10))
        #expect(test.labels?.scalars.prefix(5) == [9, 2, 1, 1, 6])
        let pixels = test.features.scalars
        #expect(pixels.min() == 0 && pixels.max() == 1)
        let loader = DataLoader(test.binarized(), batchSize: 100, shuffle: true, seed: 1)
        let first = loader.batch(epoch: 0, step: 0)
        #expect(first.features.shape == [100, 1, 28, 28] && first.features.scalars.allSatisfy { $0 == 0 || $0 == 1 })
    }

    @Test func fixedValidationSplit() throws {
        let validation = try FashionMNIST.load(.validation, folder: folder)
        #expect(validation.count == 5000)
        // The raw training file's last 5,000 labels.
        let labels = try IDX.read(from: folder.appendingPathComponent("train-labels-idx1-ubyte.gz")).indexTensor()
        #expect(validation.labels?.scalars == Array(labels.scalars[55_000...]))
        expectDataError("no such file") { _ = try FashionMNIST.load(.test, folder: URL(fileURLWithPath: "/nonexistent")) }
    }
}
