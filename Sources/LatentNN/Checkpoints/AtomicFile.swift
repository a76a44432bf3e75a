import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file replacement.
public enum AtomicFile {
    /// Writes `data` to `url` so that readers (and a process killed at any moment) see
    /// either the previous file or the complete new one: the bytes go to a temporary file
    /// in the same folder, are flushed with `fsync`, and the temporary file is renamed over
    /// the destination; the folder is then synced so the rename itself is durable.
    public static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw AtomicFileError(path: url.path, "cannot create \(temporary.path): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(temporary.path) }
        }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var written = 0
            while written < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    let message = String(cString: strerror(errno))
                    close(fd)
                    throw AtomicFileError(path: url.path, "write failed: \(message)")
                }
                written += n
            }
        }
        guard fsync(fd) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw AtomicFileError(path: url.path, "fsync failed: \(message)")
        }
        close(fd)
        guard rename(temporary.path, url.path) == 0 else {
            throw AtomicFileError(path: url.path, "rename failed: \(String(cString: strerror(errno)))")
        }
        ok = true
        let dirfd = open(folder.path, O_RDONLY)
        if dirfd >= 0 { _ = fsync(dirfd); close(dirfd) }
    }
}

/// A failure while writing a file atomically.
public struct AtomicFileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    init(path: String, _ reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
}
