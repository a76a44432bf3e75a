import Foundation
import LatentCore

/// Loading the four IDX files of an MNIST-style dataset into splits.
enum IDXImageSet {
    static let validationCount = 5000

    /// Finds `name` or `name.gz` in `folder`.
    static func locate(_ name: String, in folder: URL) throws(DataError) -> URL {
        for candidate in [name, name + ".gz"] {
            let url = folder.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw DataError(file: folder.appendingPathComponent(name).path, "no such file (nor \(name).gz)")
    }

    /// Images `[N, 1, 28, 28]` with values `byte / 255` and labels 0–9 of one split.
    static func load(_ split: DataSplit, folder: URL, classCount: Int = 10) throws(DataError) -> TensorDataset {
        let prefix = split == .test ? "t10k" : "train"
        let imagesURL = try locate("\(prefix)-images-idx3-ubyte", in: folder)
        let labelsURL = try locate("\(prefix)-labels-idx1-ubyte", in: folder)
        let images = try IDX.read(from: imagesURL)
        let labels = try IDX.read(from: labelsURL)
        guard case .uint8(let pixels) = images.elements, images.shape.count == 3 else {
            throw DataError(file: imagesURL.path, "expected uint8 images of shape [N, H, W], found \(images.scalarType.rawValue) of shape \(images.shape)")
        }
        guard case .uint8(let labelBytes) = labels.elements, labels.shape == [images.shape[0]] else {
            throw DataError(file: labelsURL.path, "expected \(images.shape[0]) uint8 labels, found \(labels.scalarType.rawValue) of shape \(labels.shape)")
        }
        if let bad = labelBytes.firstIndex(where: { Int($0) >= classCount }) {
            throw DataError(file: labelsURL.path, "label \(labelBytes[bad]) at index \(bad) is not in 0..<\(classCount)")
        }
        let n = images.shape[0], h = images.shape[1], w = images.shape[2]
        guard h == 28, w == 28 else {
            throw DataError(file: imagesURL.path, "images are \(h)×\(w); this dataset's images are 28×28")
        }
        let rows: Range<Int>
        switch split {
        case .test, .trainAndValidation: rows = 0..<n
        case .train, .validation:
            guard n > validationCount else {
                throw DataError(file: imagesURL.path, "only \(n) training images; need more than \(validationCount) to hold out a validation split")
            }
            rows = split == .train ? 0..<(n - validationCount) : (n - validationCount)..<n
        }
        let d = h * w
        let features = Tensor(shape: [rows.count, 1, h, w]) { p, _ in
            pixels.withUnsafeBufferPointer { src in
                let base = src.baseAddress! + rows.lowerBound * d
                for i in 0..<(rows.count * d) { p[i] = Float(base[i]) * (1 / 255) }
            }
        }
        let selected = labelBytes[rows].map { Int32($0) }
        return TensorDataset(features: features, labels: IndexTensor(shape: [rows.count], scalars: selected))
    }
}
