/// A problem with data from outside the program: a missing, malformed, truncated or
/// corrupted file, a failed download, a checksum mismatch, an unknown dataset name.
///
/// The message names the file (or the dataset or URL) and says what is wrong, so a user
/// can act on it: `"/data/train-images-idx3-ubyte: truncated: the header declares 47040000
/// bytes of data, the file has 1024"`. Readers throw it instead of trapping; nothing a file
/// contains can crash the program.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file path, URL or dataset name the problem is about.
    public var file: String
    /// What is wrong, in words.
    public var reason: String

    public init(file: String, _ reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}
