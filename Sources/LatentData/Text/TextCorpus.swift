import Foundation

/// An English text for character- or byte-level language modelling: the text, its token
/// vocabulary, the encoded tokens and fixed contiguous splits by position.
///
/// **Splits.** The first 90 % of the tokens are ``DataSplit/train``, the next 5 %
/// ``DataSplit/validation`` and the last 5 % ``DataSplit/test`` (boundaries at
/// `⌊0.9 n⌋` and `⌊0.95 n⌋`, n tokens). A character vocabulary is built from the whole
/// text, so every split encodes with it.
///
/// **Cleaning.** Loading a file removes a UTF-8 byte-order mark, converts CRLF line ends
/// to LF and, for Project Gutenberg files, keeps only the text between the
/// `*** START OF` and `*** END OF` marker lines.
///
/// ```swift
/// let corpus = try TextCorpus.embedded()            // public-domain Sherlock Holmes excerpt
/// let train = corpus.sequences(.train, length: 128)  // CharacterSequenceDataset
/// ```
public struct TextCorpus: Sendable {
    /// A short name (e.g. `"sherlock-holmes"`).
    public let name: String
    /// The cleaned text.
    public let text: String
    /// Its token vocabulary: the text's characters, or bytes.
    public let vocabulary: TokenVocabulary
    /// The whole text encoded with ``vocabulary``.
    public let tokens: [Int32]

    /// A corpus of `text` as given (no cleaning), tokenised by its characters or, with
    /// `bytes`, by its UTF-8 bytes.
    public init(text: String, name: String = "text", bytes: Bool = false) {
        self.name = name
        self.text = text
        self.vocabulary = bytes ? .bytes : .characters(CharacterVocabulary(text: text))
        self.tokens = (try? vocabulary.encode(text)) ?? []
    }

    /// A corpus read from a UTF-8 text file, cleaned as described above.
    /// - Parameters:
    ///   - url: The file (plain or gzipped).
    ///   - name: A short name; by default the file name without extension.
    ///   - bytes: Tokenise by UTF-8 bytes instead of characters.
    public init(contentsOf url: URL, name: String? = nil, bytes: Bool = false) throws(DataError) {
        try self.init(decoding: FileBytes.read(url), file: url.path, name: name ?? url.deletingPathExtension().lastPathComponent,
                      bytes: bytes)
    }

    /// A corpus from a file's bytes (plain or gzipped UTF-8; `file` names it in errors).
    public init(decoding contents: [UInt8], file: String, name: String, bytes: Bool = false) throws(DataError) {
        let contents = Zlib.isGzip(contents) ? try Zlib.inflate(contents, format: .gzip, file: file) : contents
        guard let raw = String(validating: contents, as: UTF8.self) else {
            throw DataError(file: file, "the file is not valid UTF-8 text")
        }
        let text = Self.clean(raw)
        guard !text.isEmpty else { throw DataError(file: file, "the file holds no text") }
        self.init(text: text, name: name, bytes: bytes)
    }

    /// Removes a byte-order mark, converts CRLF to LF and keeps the body of a Project
    /// Gutenberg file (between its START and END marker lines).
    public static func clean(_ raw: String) -> String {
        var text = raw.replacingOccurrences(of: "\r\n", with: "\n")
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let start = lines.firstIndex(where: { $0.hasPrefix("*** START OF") }),
           let end = lines.lastIndex(where: { $0.hasPrefix("*** END OF") }), start < end {
            text = lines[(start + 1)..<end].joined(separator: "\n")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
    }

    /// The token range of a split.
    public func range(_ split: DataSplit) -> Range<Int> {
        let n = tokens.count
        let a = n * 9 / 10, b = n * 19 / 20
        switch split {
        case .train: return 0..<a
        case .validation: return a..<b
        case .test: return b..<n
        case .trainAndValidation: return 0..<b
        }
    }

    /// The tokens of a split.
    public func tokens(_ split: DataSplit) -> ArraySlice<Int32> { tokens[range(split)] }

    /// Non-overlapping windows of a split for next-character prediction.
    public func sequences(_ split: DataSplit, length: Int) -> CharacterSequenceDataset {
        CharacterSequenceDataset(tokens: Array(tokens(split)), length: length)
    }

    /// The embedded public-domain text: the first four stories of *The Adventures of
    /// Sherlock Holmes* (A. Conan Doyle, 1892; Project Gutenberg eBook #1661), 185 KB,
    /// shipped as a package resource (see `Resources/ATTRIBUTION.md`).
    public static func embedded(bytes: Bool = false) throws(DataError) -> TextCorpus {
        try TextCorpus(contentsOf: EmbeddedResource.url("sherlock-holmes-excerpt", "txt"), name: "sherlock-holmes-excerpt", bytes: bytes)
    }
}

/// Locating the files shipped in the LatentData resource bundle.
enum EmbeddedResource {
    static func url(_ name: String, _ ext: String) throws(DataError) -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Resources") else {
            throw DataError(file: "\(name).\(ext)", "the embedded resource is missing from the LatentData bundle")
        }
        return url
    }
}

extension TextCorpus {
    /// An installed text corpus (`"sherlock-holmes"` or `"moby-dick"`), cleaned as described
    /// on ``TextCorpus``; install it first (`latent datasets install NAME`).
    public static func installed(_ name: String, store: DatasetStore = .default, bytes: Bool = false) throws(DataError) -> TextCorpus {
        let d = try store.descriptor(name)
        let folder = try store.path(name)
        guard let file = d.files.first(where: { $0.name.hasSuffix(".txt") }) else {
            throw DataError(file: name, "the dataset is not a text corpus")
        }
        return try TextCorpus(contentsOf: folder.appendingPathComponent(file.name), name: name, bytes: bytes)
    }
}
