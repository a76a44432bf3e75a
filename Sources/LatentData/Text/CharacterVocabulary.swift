import LatentCore
/// A character-level vocabulary: the distinct Unicode scalars of a text, sorted by code
/// point, each mapped to its position (as in nanoGPT's Shakespeare-char setup).
///
/// Characters are Unicode scalars, not Swift `Character`s (grapheme clusters), so `"\r\n"`
/// is two tokens and every scalar has exactly one id.
///
/// ```swift
/// let vocabulary = CharacterVocabulary(text: "hello")   // ["e", "h", "l", "o"]
/// let ids = try vocabulary.encode("hole")               // [1, 3, 2, 0]
/// vocabulary.decode(ids)                                // "hole"
/// ```
public struct CharacterVocabulary: Sendable, Equatable {
    /// The characters, sorted by code point; a character's id is its position.
    public let characters: [Unicode.Scalar]
    private let ids: [UInt32: Int32]

    /// The vocabulary of the characters in `text`.
    public init(text: String) {
        self.init(characters: Array(Set(text.unicodeScalars)))
    }

    /// A vocabulary of the given characters (sorted and deduplicated).
    public init(characters: [Unicode.Scalar]) {
        let sorted = Array(Set(characters)).sorted { $0.value < $1.value }
        self.characters = sorted
        var ids: [UInt32: Int32] = [:]
        for (i, c) in sorted.enumerated() { ids[c.value] = Int32(i) }
        self.ids = ids
    }

    /// Number of distinct characters.
    public var count: Int { characters.count }

    /// The id of a character, or nil when it is not in the vocabulary.
    public func id(of character: Unicode.Scalar) -> Int32? { ids[character.value] }

    /// The ids of every character of `text`; throws when a character is not in the
    /// vocabulary.
    public func encode(_ text: String) throws(DataError) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(text.utf8.count)
        var unknown: [Unicode.Scalar] = []
        var firstPosition: Int?
        for (position, scalar) in text.unicodeScalars.enumerated() {
            guard let id = ids[scalar.value] else {
                if !unknown.contains(scalar) { unknown.append(scalar) }
                if firstPosition == nil { firstPosition = position }
                continue
            }
            out.append(id)
        }
        if let firstPosition {
            let names = unknown.prefix(10).map { "\(String($0).debugDescription) (U+\(String($0.value, radix: 16, uppercase: true)))" }
            let list = names.joined(separator: ", ") + (unknown.count > 10 ? " and \(unknown.count - 10) more" : "")
            throw DataError(file: "text", unknown.count == 1
                ? "character \(list) at position \(firstPosition) is not in the vocabulary"
                : "characters \(list) are not in the vocabulary (the first at position \(firstPosition))")
        }
        return out
    }

    /// The text of a sequence of ids (each must be in `0..<count`).
    public func decode<S: Sequence>(_ ids: S) -> String where S.Element: BinaryInteger {
        var scalars = String.UnicodeScalarView()
        for id in ids {
            ensure(id >= 0 && Int(id) < characters.count, "CharacterVocabulary.decode: id \(id) is not in 0..<\(characters.count)")
            scalars.append(characters[Int(id)])
        }
        return String(scalars)
    }
}
