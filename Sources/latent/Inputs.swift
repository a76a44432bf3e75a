import ArgumentParser
import Foundation
import Latent

/// Checks of values that come from the command line, shared by the commands: each failure
/// is a one-line `ValidationError` naming the flag, the value and the valid range (exit
/// status 1, see `LatentCommand.main`).
enum Inputs {
    /// `value` must lie in `range`.
    static func check<T: Comparable>(_ value: T, in range: ClosedRange<T>, flag: String) throws {
        guard range.contains(value) else {
            throw ValidationError("--\(flag) must be in [\(range.lowerBound), \(range.upperBound)], got \(value)")
        }
    }

    /// An output file that may be written: not empty, its folder exists, and it is absent or
    /// a regular file (a symbolic link, FIFO, device or folder is never replaced unless
    /// `force`).
    static func outputFile(_ path: String, flag: String = "output", force: Bool = false) throws -> URL {
        guard !path.isEmpty else { throw ValidationError("--\(flag) must name a file, got an empty path") }
        let url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        let folder = url.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("--\(flag): the folder \(folder.path) does not exist")
        }
        var info = stat()
        if lstat(url.path, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            if kind == S_IFDIR { throw ValidationError("--\(flag): \(url.path) is a folder, not a file") }
            if kind != S_IFREG && !force {
                throw ValidationError("--\(flag): \(url.path) exists and is not a regular file (a link, FIFO or device); it is not replaced (use --force to replace it)")
            }
        }
        guard FileManager.default.isWritableFile(atPath: folder.path) else {
            throw ValidationError("--\(flag): the folder \(folder.path) is not writable")
        }
        return url
    }
}
