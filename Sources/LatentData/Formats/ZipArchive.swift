import LatentCore
import Foundation

/// A minimal zip archive reader and writer (PKWARE APPNOTE), enough for NPZ files.
///
/// Reading finds the end-of-central-directory record (and the ZIP64 one when present),
/// reads every central-directory entry, and extracts entries that are stored (method 0)
/// or deflated (method 8) with zlib's raw inflate, checking each entry's size and CRC-32.
/// Offsets and sizes are checked against the archive's length before use. Encrypted
/// entries, other compression methods and multi-disk archives are rejected.
///
/// Writing produces a plain (non-ZIP64) archive of stored or deflated entries.
public struct ZipArchive: Sendable {
    /// One file in the archive.
    public struct Entry: Sendable {
        /// The path inside the archive.
        public let name: String
        /// 0 = stored, 8 = deflated.
        public let method: UInt16
        public let crc32: UInt32
        public let compressedSize: Int
        public let uncompressedSize: Int
        let localHeaderOffset: Int
        let flags: UInt16
    }

    /// Named in error messages.
    public let file: String
    /// The archive's entries, in central-directory order.
    public let entries: [Entry]
    let bytes: [UInt8]

    /// Opens an archive file.
    public init(contentsOf url: URL) throws(DataError) {
        try self.init(bytes: FileBytes.read(url), file: url.path)
    }

    /// Parses an archive held in memory.
    /// - Parameters:
    ///   - bytes: The whole archive.
    ///   - file: Named in error messages.
    public init(bytes: [UInt8], file: String) throws(DataError) {
        self.bytes = bytes
        self.file = file
        self.entries = try Self.readCentralDirectory(bytes, file: file)
    }

    static func readCentralDirectory(_ bytes: [UInt8], file: String) throws(DataError) -> [Entry] {
        let n = bytes.count
        guard n >= 22 else { throw DataError(file: file, "not a zip archive: \(n) bytes is too short for the end-of-directory record") }
        // The end-of-central-directory record is 22 bytes plus a comment of up to 65535 bytes.
        var eocd = -1
        var position = n - 22
        while position >= max(0, n - 22 - 65535) {
            if bytes[position] == 0x50, ByteReader.uint32LE(bytes, at: position) == 0x06054b50 { eocd = position; break }
            position -= 1
        }
        guard eocd >= 0 else { throw DataError(file: file, "not a zip archive (or truncated): no end-of-central-directory record") }
        var r = ByteReader(bytes, file: file, offset: eocd + 4)
        let disk = try r.uint16LE("disk number")
        let cdDisk = try r.uint16LE("central directory disk")
        _ = try r.uint16LE("entries on this disk")
        var entryCount = Int(try r.uint16LE("entry count"))
        var cdSize = Int(try r.uint32LE("central directory size"))
        var cdOffset = Int(try r.uint32LE("central directory offset"))
        if disk != 0 || cdDisk != 0 { throw DataError(file: file, "multi-disk zip archives are not supported") }
        if entryCount == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            // ZIP64: a locator just before the record points at the ZIP64 end record.
            guard eocd >= 20, ByteReader.uint32LE(bytes, at: eocd - 20) == 0x07064b50 else {
                throw DataError(file: file, "corrupt zip archive: ZIP64 sizes without a ZIP64 locator")
            }
            var l = ByteReader(bytes, file: file, offset: eocd - 12)
            let zip64Offset = try l.uint64LE("ZIP64 end record offset")
            guard zip64Offset <= UInt64(n - 56), ByteReader.uint32LE(bytes, at: Int(zip64Offset)) == 0x06064b50 else {
                throw DataError(file: file, "corrupt zip archive: bad ZIP64 end-of-central-directory record offset \(zip64Offset)")
            }
            var z = ByteReader(bytes, file: file, offset: Int(zip64Offset) + 24)
            _ = try z.uint64LE("entries on this disk")
            let total = try z.uint64LE("entry count")
            let size = try z.uint64LE("central directory size")
            let offset = try z.uint64LE("central directory offset")
            guard total <= UInt64(n), size <= UInt64(n), offset <= UInt64(n) else {
                throw DataError(file: file, "corrupt zip archive: ZIP64 directory values exceed the file size")
            }
            entryCount = Int(total); cdSize = Int(size); cdOffset = Int(offset)
        }
        guard cdOffset <= n, cdSize <= n - cdOffset else {
            throw DataError(file: file, "corrupt or truncated zip archive: the central directory (offset \(cdOffset), \(cdSize) bytes) lies outside the \(n)-byte file")
        }
        guard entryCount <= cdSize / 46 else {
            throw DataError(file: file, "corrupt zip archive: \(entryCount) entries cannot fit a \(cdSize)-byte central directory")
        }
        var entries: [Entry] = []
        var c = ByteReader(bytes, file: file, offset: cdOffset)
        for index in 0..<entryCount {
            guard try c.uint32LE("central directory entry \(index)") == 0x02014b50 else {
                throw DataError(file: file, "corrupt zip archive: central directory entry \(index) has a bad signature")
            }
            try c.skip(4, "entry \(index) versions")
            let flags = try c.uint16LE("entry \(index) flags")
            let method = try c.uint16LE("entry \(index) method")
            try c.skip(4, "entry \(index) time")
            let crc = try c.uint32LE("entry \(index) CRC")
            var compressed = UInt64(try c.uint32LE("entry \(index) compressed size"))
            var uncompressed = UInt64(try c.uint32LE("entry \(index) size"))
            let nameLength = Int(try c.uint16LE("entry \(index) name length"))
            let extraLength = Int(try c.uint16LE("entry \(index) extra length"))
            let commentLength = Int(try c.uint16LE("entry \(index) comment length"))
            try c.skip(8, "entry \(index) attributes")
            var localOffset = UInt64(try c.uint32LE("entry \(index) offset"))
            let nameBytes = try c.bytes(nameLength, "entry \(index) name")
            let extra = Array(try c.bytes(extraLength, "entry \(index) extra field"))
            try c.skip(commentLength, "entry \(index) comment")
            let name = String(decoding: nameBytes, as: UTF8.self)
            // ZIP64 extra field (id 1): the 64-bit values of the fields set to 0xFFFFFFFF, in order.
            var e = ByteReader(extra, file: file)
            while e.remaining >= 4 {
                let id = try e.uint16LE("extra field id")
                let size = Int(try e.uint16LE("extra field size"))
                var field = ByteReader(Array(try e.bytes(size, "extra field of \(name)")), file: file)
                guard id == 1 else { continue }
                if uncompressed == 0xFFFF_FFFF { uncompressed = try field.uint64LE("ZIP64 size of \(name)") }
                if compressed == 0xFFFF_FFFF { compressed = try field.uint64LE("ZIP64 compressed size of \(name)") }
                if localOffset == 0xFFFF_FFFF { localOffset = try field.uint64LE("ZIP64 offset of \(name)") }
            }
            guard compressed <= UInt64(n), localOffset <= UInt64(n), uncompressed <= UInt64(Int.max / 2) else {
                throw DataError(file: file, "corrupt zip archive: entry '\(name)' has sizes or offset beyond the file")
            }
            entries.append(Entry(name: name, method: method, crc32: crc, compressedSize: Int(compressed),
                                 uncompressedSize: Int(uncompressed), localHeaderOffset: Int(localOffset), flags: flags))
        }
        return entries
    }

    /// The entry with the given name, if any.
    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// The decompressed contents of an entry, checked against its size and CRC-32.
    public func contents(of entry: Entry) throws(DataError) -> [UInt8] {
        let where_ = "\(file) (entry '\(entry.name)')"
        if entry.flags & 1 != 0 { throw DataError(file: where_, "encrypted zip entries are not supported") }
        var r = ByteReader(bytes, file: where_, offset: entry.localHeaderOffset)
        guard try r.uint32LE("the local header") == 0x04034b50 else {
            throw DataError(file: where_, "corrupt zip archive: bad local header signature at offset \(entry.localHeaderOffset)")
        }
        try r.skip(22, "the local header")
        let nameLength = Int(try r.uint16LE("the local name length"))
        let extraLength = Int(try r.uint16LE("the local extra length"))
        try r.skip(nameLength + extraLength, "the local name and extra field")
        let data = Array(try r.bytes(entry.compressedSize, "the entry's compressed data"))
        let output: [UInt8]
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw DataError(file: where_, "corrupt zip archive: stored entry with different sizes \(entry.compressedSize) and \(entry.uncompressedSize)")
            }
            output = data
        case 8:
            guard entry.uncompressedSize <= 1032 * entry.compressedSize + 1024 else {
                throw DataError(file: where_, "corrupt zip archive: declared size \(entry.uncompressedSize) is impossible for \(entry.compressedSize) deflated bytes")
            }
            output = entry.uncompressedSize == 0 && data.count <= 2
                ? [] : try Zlib.inflate(data, format: .raw, file: where_, expectedSize: entry.uncompressedSize)
        default:
            throw DataError(file: where_, "unsupported zip compression method \(entry.method) (only stored and deflated)")
        }
        let crc = Zlib.crc32(output)
        guard crc == entry.crc32 else {
            throw DataError(file: where_, "CRC-32 mismatch: the archive says \(hex(entry.crc32)), the data gives \(hex(crc))")
        }
        return output
    }

    /// Builds a zip archive.
    /// - Parameters:
    ///   - files: Entry names and contents, written in this order.
    ///   - compressed: Deflate the entries (otherwise store them).
    public static func encode(_ files: [(name: String, contents: [UInt8])], compressed: Bool) -> [UInt8] {
        var out: [UInt8] = []
        var directory: [UInt8] = []
        for (name, contents) in files {
            let nameBytes = Array(name.utf8)
            let data = compressed ? Zlib.deflate(contents, format: .raw) : contents
            let method: UInt16 = compressed ? 8 : 0
            let crc = Zlib.crc32(contents)
            ensure(out.count < 0xFFFF_FFFF && data.count < 0xFFFF_FFFF && contents.count < 0xFFFF_FFFF,
                         "ZipArchive.encode: archives over 4 GiB need ZIP64, which the writer does not produce")
            let offset = UInt32(out.count)
            // Local header: version 2.0, no flags, DOS time 1980-01-01 00:00.
            out.appendLE(UInt32(0x04034b50)); out.appendLE(UInt16(20)); out.appendLE(UInt16(0)); out.appendLE(method)
            out.appendLE(UInt16(0)); out.appendLE(UInt16(0x21))
            out.appendLE(crc); out.appendLE(UInt32(data.count)); out.appendLE(UInt32(contents.count))
            out.appendLE(UInt16(nameBytes.count)); out.appendLE(UInt16(0))
            out.append(contentsOf: nameBytes)
            out.append(contentsOf: data)
            directory.appendLE(UInt32(0x02014b50)); directory.appendLE(UInt16(20)); directory.appendLE(UInt16(20))
            directory.appendLE(UInt16(0)); directory.appendLE(method); directory.appendLE(UInt16(0)); directory.appendLE(UInt16(0x21))
            directory.appendLE(crc); directory.appendLE(UInt32(data.count)); directory.appendLE(UInt32(contents.count))
            directory.appendLE(UInt16(nameBytes.count)); directory.appendLE(UInt16(0)); directory.appendLE(UInt16(0))
            directory.appendLE(UInt16(0)); directory.appendLE(UInt16(0)); directory.appendLE(UInt32(0o100644 << 16))
            directory.appendLE(offset)
            directory.append(contentsOf: nameBytes)
        }
        let directoryOffset = UInt32(out.count)
        out.append(contentsOf: directory)
        out.appendLE(UInt32(0x06054b50)); out.appendLE(UInt16(0)); out.appendLE(UInt16(0))
        out.appendLE(UInt16(files.count)); out.appendLE(UInt16(files.count))
        out.appendLE(UInt32(directory.count)); out.appendLE(directoryOffset); out.appendLE(UInt16(0))
        return out
    }
}
