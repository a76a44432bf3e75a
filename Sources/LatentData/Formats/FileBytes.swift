import Foundation

/// Reading whole files for the format readers, with errors that name the file.
enum FileBytes {
    /// The file's bytes.
    static func read(_ url: URL) throws(DataError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw DataError(file: url.path, "no such file")
        }
        guard !isDirectory.boolValue else { throw DataError(file: url.path, "is a folder, not a file") }
        do {
            return [UInt8](try Data(contentsOf: url, options: .mappedIfSafe))
        } catch {
            throw DataError(file: url.path, "cannot read the file (\(error.localizedDescription))")
        }
    }

    /// The file's bytes, gunzipped when they start with the gzip magic number (whatever
    /// the file is called).
    static func readDecompressing(_ url: URL) throws(DataError) -> [UInt8] {
        let bytes = try read(url)
        return Zlib.isGzip(bytes) ? try Zlib.inflate(bytes, format: .gzip, file: url.path) : bytes
    }

    /// Writes `bytes` atomically (a temporary file renamed over the destination).
    static func write(_ bytes: [UInt8], to url: URL) throws(DataError) {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw DataError(file: url.path, "cannot write the file (\(error.localizedDescription))")
        }
    }
}
