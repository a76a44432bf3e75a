import LatentCore
import CZlib

/// Compression with the system zlib: inflate and deflate for the zlib, gzip and raw
/// deflate formats (RFC 1950, 1952, 1951), and CRC-32.
///
/// Used for `.gz` files (IDX, CSV), NPZ entries (raw deflate) and PNG image data (zlib).
/// Inflation validates the stream (zlib checks the Adler-32 or CRC-32 trailer) and throws
/// a ``DataError`` naming the file for corrupt or truncated data, and when the output
/// would exceed `limit` bytes.
public enum Zlib {
    /// The container around the deflate data.
    public enum Format: Sendable {
        /// RFC 1950: a 2-byte header and an Adler-32 trailer (PNG `IDAT`).
        case zlib
        /// RFC 1952: the `.gz` header and a CRC-32 trailer; concatenated members are read
        /// one after another, as `gzip -d` does.
        case gzip
        /// RFC 1951: bare deflate blocks (zip and NPZ entries).
        case raw
    }

    /// Default largest output of ``inflate(_:format:file:expectedSize:limit:)``: 8 GiB.
    public static let defaultLimit = 1 << 33

    static func windowBits(_ format: Format) -> Int32 {
        switch format {
        case .zlib: 15
        case .gzip: 15 + 16
        case .raw: -15
        }
    }

    /// Whether `bytes` start with the gzip magic number `1f 8b`.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Decompresses `input`.
    ///
    /// - Parameters:
    ///   - input: The compressed bytes.
    ///   - format: The container format.
    ///   - file: Named in error messages.
    ///   - expectedSize: The decompressed size when known (zip entries, PNG): the output is
    ///     allocated once and a stream producing any other size is an error.
    ///   - limit: Largest output accepted.
    public static func inflate(_ input: [UInt8], format: Format, file: String,
                               expectedSize: Int? = nil, limit: Int = defaultLimit) throws(DataError) -> [UInt8] {
        if let expectedSize, expectedSize > limit {
            throw DataError(file: file, "decompressed size \(expectedSize) exceeds the limit of \(limit) bytes")
        }
        var capacity = expectedSize ?? min(max(4 * input.count, 1 << 16), limit)
        if format == .gzip, expectedSize == nil, input.count >= 18 {
            // The gzip trailer holds the size modulo 2³² of the last member: a good guess.
            let n = input.count
            let isize = Int(ByteReader.uint32LE(input, at: n - 4))
            // Deflate expands at most 1032:1; a larger value is a corrupt or truncated trailer.
            if isize >= input.count / 2 && isize <= min(limit, 1032 * input.count + 1024) { capacity = isize }
        }
        var output = [UInt8](repeating: 0, count: max(capacity, 1))
        var produced = 0
        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, windowBits(format), zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw DataError(file: file, "zlib could not start inflating (status \(initStatus))") }
        defer { inflateEnd(&stream) }

        let failure: String? = input.withUnsafeBufferPointer { inBuffer -> String? in
            guard let inBase = inBuffer.baseAddress, inBuffer.count > 0 else { return "empty compressed data" }
            var consumed = 0
            stream.next_in = UnsafeMutablePointer(mutating: inBase)
            stream.avail_in = 0
            while true {
                if stream.avail_in == 0 {
                    let chunk = min(inBuffer.count - consumed, 1 << 30)
                    stream.next_in = UnsafeMutablePointer(mutating: inBase + consumed)
                    stream.avail_in = UInt32(chunk)
                    consumed += chunk
                }
                if produced == output.count {
                    if expectedSize != nil { return "decompresses to more than the expected \(output.count) bytes" }
                    if output.count >= limit { return "decompresses to more than the limit of \(limit) bytes" }
                    let grown = min(max(2 * output.count, 1 << 16), limit)
                    output.append(contentsOf: repeatElement(0, count: grown - output.count))
                }
                let status: Int32 = output.withUnsafeMutableBufferPointer { out in
                    let room = min(out.count - produced, 1 << 30)
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(room)
                    let s = CZlib.inflate(&stream, Z_NO_FLUSH)
                    produced += room - Int(stream.avail_out)
                    return s
                }
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    let left = Int(stream.avail_in) + (inBuffer.count - consumed)
                    if left == 0 { return nil }
                    let position = inBuffer.count - left
                    if format == .gzip {
                        if left >= 2 && inBase[position] == 0x1f && inBase[position + 1] == 0x8b {
                            inflateReset(&stream)
                            continue
                        }
                        if (position..<inBuffer.count).allSatisfy({ inBase[$0] == 0 }) { return nil }
                    }
                    return "\(left) unexpected bytes after the end of the compressed stream"
                case Z_BUF_ERROR:
                    if stream.avail_in == 0 && consumed == inBuffer.count {
                        return "truncated: the compressed stream ends before its end marker"
                    }
                    continue
                case Z_NEED_DICT:
                    return "the compressed stream needs a preset dictionary"
                case Z_DATA_ERROR:
                    let message = stream.msg.map { String(cString: $0) } ?? "invalid data"
                    return "corrupt compressed data (zlib: \(message))"
                case Z_MEM_ERROR:
                    return "zlib ran out of memory"
                default:
                    return "zlib inflate failed (status \(status))"
                }
            }
        }
        if let failure { throw DataError(file: file, failure) }
        if let expectedSize, produced != expectedSize {
            throw DataError(file: file, "decompressed to \(produced) bytes, expected \(expectedSize)")
        }
        output.removeSubrange(produced...)
        return output
    }

    /// Compresses `input`.
    ///
    /// - Parameters:
    ///   - input: The bytes to compress.
    ///   - format: The container format.
    ///   - level: 0 (store) to 9 (smallest); 6 is zlib's default balance.
    public static func deflate(_ input: [UInt8], format: Format, level: Int = 6) -> [UInt8] {
        ensure((0...9).contains(level), "Zlib.deflate: level \(level) is not in 0...9")
        var stream = z_stream()
        let status = deflateInit2_(&stream, Int32(level), Z_DEFLATED, windowBits(format), 8, Z_DEFAULT_STRATEGY,
                                   zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        ensure(status == Z_OK, "Zlib.deflate: deflateInit2 failed with status \(status)")
        defer { deflateEnd(&stream) }
        // deflateBound covers one call; stay well inside uInt for the per-call counts.
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 64)
        var produced = 0
        input.withUnsafeBufferPointer { inBuffer in
            var consumed = 0
            let inBase = inBuffer.baseAddress
            while true {
                if stream.avail_in == 0, consumed < inBuffer.count, let inBase {
                    let chunk = min(inBuffer.count - consumed, 1 << 30)
                    stream.next_in = UnsafeMutablePointer(mutating: inBase + consumed)
                    stream.avail_in = UInt32(chunk)
                    consumed += chunk
                }
                if produced == output.count { output.append(contentsOf: repeatElement(0, count: max(output.count, 1 << 16))) }
                let flush = consumed == inBuffer.count ? Z_FINISH : Z_NO_FLUSH
                let s: Int32 = output.withUnsafeMutableBufferPointer { out in
                    let room = min(out.count - produced, 1 << 30)
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = UInt32(room)
                    let s = CZlib.deflate(&stream, flush)
                    produced += room - Int(stream.avail_out)
                    return s
                }
                if s == Z_STREAM_END { break }
                ensure(s == Z_OK || s == Z_BUF_ERROR, "Zlib.deflate: deflate failed with status \(s)")
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// The CRC-32 (ISO 3309, as in gzip, zip and PNG) of `bytes`, continuing from `initial`.
    public static func crc32<C: Collection<UInt8>>(_ bytes: C, initial: UInt32 = 0) -> UInt32 {
        var crc = uLong(initial)
        let done: Bool? = bytes.withContiguousStorageIfAvailable { buffer in
            var offset = 0
            while offset < buffer.count {
                let chunk = min(buffer.count - offset, 1 << 30)
                crc = CZlib.crc32(crc, buffer.baseAddress! + offset, uInt(chunk))
                offset += chunk
            }
            return true
        }
        if done == nil { return crc32(Array(bytes), initial: initial) }
        return UInt32(truncatingIfNeeded: crc)
    }
}
