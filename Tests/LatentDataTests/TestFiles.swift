import Foundation
import LatentData
import Testing

/// Temporary folders and fixture files for the data tests.
enum TestFiles {
    /// A new empty folder under the system temporary folder.
    static func temporaryFolder(_ label: String = #function) -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("latent-data-\(label.filter { $0.isLetter })-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func remove(_ url: URL) { try? FileManager.default.removeItem(at: url) }

    /// A committed fixture (written by Scripts/fixtures/data_formats.py).
    static func fixture(_ name: String) -> URL {
        let base = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
        guard let url = Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "Fixtures") else {
            fatalError("missing fixture \(name)")
        }
        return url
    }

    static func bytes(_ name: String) -> [UInt8] { [UInt8](try! Data(contentsOf: fixture(name))) }

    /// Writes bytes to a new file in `folder`.
    @discardableResult
    static func write(_ bytes: [UInt8], _ name: String, in folder: URL) -> URL {
        let url = folder.appendingPathComponent(name)
        try! Data(bytes).write(to: url)
        return url
    }
}

/// Expects `body` to throw a ``DataError`` whose message contains every fragment.
func expectDataError(_ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation,
                     _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a DataError containing \(fragments)", sourceLocation: sourceLocation)
    } catch let error as DataError {
        for f in fragments where !error.description.contains(f) {
            Issue.record("error \"\(error)\" does not contain \"\(f)\"", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

/// Every prefix and many single-byte corruptions of `bytes` must either decode or throw
/// a DataError (never crash); returns how many threw.
@discardableResult
func fuzzTruncationsAndFlips(_ bytes: [UInt8], stride: Int = 1, _ decode: ([UInt8]) throws -> Void) -> Int {
    var failures = 0
    for length in Swift.stride(from: 0, to: bytes.count, by: stride) {
        do { try decode(Array(bytes[0..<length])) } catch is DataError { failures += 1 } catch {
            Issue.record("truncation to \(length) bytes threw a non-DataError \(error)")
        }
    }
    for position in Swift.stride(from: 0, to: bytes.count, by: stride) {
        for value: UInt8 in [0x00, 0xFF, bytes[position] ^ 0x5A] {
            var corrupted = bytes
            corrupted[position] = value
            do { try decode(corrupted) } catch is DataError { failures += 1 } catch {
                Issue.record("corruption at \(position) threw a non-DataError \(error)")
            }
        }
    }
    return failures
}
