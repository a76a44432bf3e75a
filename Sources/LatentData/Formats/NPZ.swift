import Foundation
import LatentCore

/// NumPy's `.npz` format: a zip archive of `.npy` files, as written by `numpy.savez`
/// (stored entries) and `numpy.savez_compressed` (deflated entries).
///
/// ```swift
/// try NPZ.write(["x": NumericArray(x), "y": NumericArray(labels)], to: url, compressed: true)
/// let arrays = try NPZ.read(from: url)          // ["x": …, "y": …]
/// ```
/// Array names are the entry names without the `.npy` suffix; entries not ending in
/// `.npy` are ignored.
public enum NPZ {
    /// Reads every array in an `.npz` file.
    public static func read(from url: URL) throws(DataError) -> [String: NumericArray] {
        try decode(FileBytes.read(url), file: url.path)
    }

    /// Decodes `.npz` bytes.
    public static func decode(_ bytes: [UInt8], file: String) throws(DataError) -> [String: NumericArray] {
        let archive = try ZipArchive(bytes: bytes, file: file)
        var arrays: [String: NumericArray] = [:]
        for entry in archive.entries where entry.name.hasSuffix(".npy") {
            let name = String(entry.name.dropLast(4))
            arrays[name] = try NPY.decode(archive.contents(of: entry), file: "\(file) (array '\(name)')")
        }
        return arrays
    }

    /// Encodes arrays as `.npz` bytes, entries sorted by name.
    public static func encode(_ arrays: [String: NumericArray], compressed: Bool = false) -> [UInt8] {
        ZipArchive.encode(arrays.keys.sorted().map { (name: "\($0).npy", contents: NPY.encode(arrays[$0]!)) },
                          compressed: compressed)
    }

    /// Writes arrays as an `.npz` file (atomically).
    /// - Parameters:
    ///   - arrays: Arrays by name.
    ///   - url: Destination.
    ///   - compressed: Deflate the entries, as `numpy.savez_compressed` does.
    public static func write(_ arrays: [String: NumericArray], to url: URL, compressed: Bool = false) throws(DataError) {
        try FileBytes.write(encode(arrays, compressed: compressed), to: url)
    }
}
