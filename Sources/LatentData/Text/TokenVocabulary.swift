import LatentCore

/// How text becomes tokens: one token per Unicode scalar of a fixed alphabet
/// (``CharacterVocabulary``, nanoGPT's character level), or one per UTF-8 byte (256 tokens,
/// any text encodes).
public enum TokenVocabulary: Sendable, Equatable, Codable {
    case characters(CharacterVocabulary)
    case bytes

    /// Number of distinct tokens.
    public var count: Int {
        switch self {
        case .characters(let v): v.count
        case .bytes: 256
        }
    }

    /// A short name for messages (`"characters"`, `"bytes"`).
    public var kindName: String {
        switch self {
        case .characters: "characters"
        case .bytes: "bytes"
        }
    }

    /// The tokens of `text`; with characters, an error names every character outside the
    /// alphabet.
    public func encode(_ text: String) throws(DataError) -> [Int32] {
        switch self {
        case .characters(let v): return try v.encode(text)
        case .bytes: return text.utf8.map { Int32($0) }
        }
    }

    /// The text of tokens in `0..<count`. Byte tokens that do not form valid UTF-8 are
    /// replaced by U+FFFD.
    public func decode<S: Sequence>(_ tokens: S) -> String where S.Element: BinaryInteger {
        switch self {
        case .characters(let v): return v.decode(tokens)
        case .bytes: return String(decoding: tokens.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
        }
    }
}

extension CharacterVocabulary: Codable {
    /// Encoded as the string of its characters, in id order.
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self.init(characters: Array(text.unicodeScalars))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: characters)
        try c.encode(String(scalars))
    }
}
