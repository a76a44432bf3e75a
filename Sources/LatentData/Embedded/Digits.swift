import Foundation
import LatentCore

/// The 8×8 handwritten digits (UCI "Optical Recognition of Handwritten Digits", the set
/// scikit-learn ships as `load_digits`), embedded in the package: 1,797 images, pixel
/// values 0–16, labels 0–9. Source and CC BY 4.0 attribution: `Resources/ATTRIBUTION.md`
/// (E. Alpaydin and C. Kaynak, 1998).
///
/// **Splits.** The 1,797 examples are shuffled once by `RandomGenerator(seed: 1797)
/// .permutation(1797)`; the first 1,257 are ``DataSplit/train``, the next 180
/// ``DataSplit/validation`` and the last 360 ``DataSplit/test`` (70 / 10 / 20 %).
///
/// **Values.** Features have shape `[N, 1, 8, 8]` and hold `v / 16` in [0, 1] (17 levels;
/// use `dequantized(levels: 17)`), or the raw counts `v` with `scaled: false`.
///
/// ```swift
/// let train = try Digits.load(.train)           // 1,257 examples
/// let loader = DataLoader(train.binarized(), batchSize: 64, shuffle: true)
/// ```
public enum Digits {
    /// Number of images.
    public static let count = 1797
    /// Shape of one image.
    public static let imageShape = [1, 8, 8]
    /// Distinct pixel values (0…16).
    public static let levels = 17
    /// Number of classes.
    public static let classCount = 10
    /// Split sizes: train, validation, test.
    public static let splitSizes = (train: 1257, validation: 180, test: 360)

    /// The whole set in file order: features `[1797, 1, 8, 8]` with raw values 0…16, labels.
    /// (Parsed once per process.)
    public static func all() throws(DataError) -> TensorDataset { try parsed.get() }

    private static let parsed = Result { () throws(DataError) -> TensorDataset in
        let url = try EmbeddedResource.url("digits.csv", "gz")
        let table = try CSV.read(from: url, header: .absent)
        guard table.rowCount == count, table.columnCount == 65 else {
            throw DataError(file: url.path, "expected \(count) rows of 65 values, found \(table.rowCount) rows of \(table.columnCount)")
        }
        let labels = try table.indexTensor(column: 64, file: url.path)
        return TensorDataset(features: table.tensor(columns: 0..<64).reshaped(to: [count] + imageShape), labels: labels)
    }

    /// The example indices (into ``all()``) of a split.
    public static func indices(_ split: DataSplit) -> [Int] {
        var generator = RandomGenerator(seed: 1797)
        let order = generator.permutation(count)
        let a = splitSizes.train, b = a + splitSizes.validation
        switch split {
        case .train: return Array(order[0..<a])
        case .validation: return Array(order[a..<b])
        case .test: return Array(order[b...])
        case .trainAndValidation: return Array(order[0..<b])
        }
    }

    /// One split of the digits.
    /// - Parameters:
    ///   - split: Which examples.
    ///   - scaled: Features `v / 16` in [0, 1] (default) or raw counts 0…16.
    public static func load(_ split: DataSplit, scaled: Bool = true) throws(DataError) -> TensorDataset {
        let subset = try all().subset(indices(split))
        guard scaled else { return subset }
        let x = subset.features.storage.pointer
        let features = Tensor(shape: subset.features.shape) { p, n in for i in 0..<n { p[i] = x[i] / 16 } }
        return TensorDataset(features: features, labels: subset.labels)
    }
}
