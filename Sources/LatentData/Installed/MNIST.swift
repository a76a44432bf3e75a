import Foundation
import LatentCore

/// MNIST (LeCun, Cortes & Burges): 28×28 grayscale handwritten digits, 60,000 training and 10,000 test images.
///
/// Install it first (`latent datasets install mnist`, or ``DatasetStore/install(_:options:)``).
///
/// **Splits.** ``DataSplit/test`` is the official 10,000-image test set;
/// ``DataSplit/validation`` is the last 5,000 images of the official training set and
/// ``DataSplit/train`` the first 55,000 (``DataSplit/trainAndValidation`` all 60,000).
///
/// **Values.** Features `[N, 1, 28, 28]` hold `byte / 255` in [0, 1] (use
/// `dequantized(levels: 256)` for flows, `binarized()` for Bernoulli likelihoods);
/// labels are 0–9.
///
/// ```swift
/// let train = try MNIST.load(.train)                                  // 55,000 examples
/// let loader = DataLoader(train.binarized(), batchSize: 128, shuffle: true)
/// ```
public enum MNIST {
    /// The name in the dataset registry.
    public static let name = "mnist"
    /// Number of classes.
    public static let classCount = 10
    /// Shape of one image.
    public static let imageShape = [1, 28, 28]

    /// One split from the dataset store (which must have it installed).
    public static func load(_ split: DataSplit, store: DatasetStore = .default) throws(DataError) -> TensorDataset {
        try load(split, folder: store.path(name))
    }

    /// One split from a folder holding the four IDX files, plain or gzipped
    /// (`train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`, `t10k-…`).
    public static func load(_ split: DataSplit, folder: URL) throws(DataError) -> TensorDataset {
        try IDXImageSet.load(split, folder: folder, classCount: classCount)
    }
}
