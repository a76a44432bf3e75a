import LatentCore
import Foundation

/// The IDX format of MNIST and Fashion-MNIST (LeCun et al.), plain or gzipped.
///
/// Layout: two zero bytes; a type byte (`0x08` uint8, `0x09` int8, `0x0B` int16, `0x0C`
/// int32, `0x0D` float32, `0x0E` float64); the number of dimensions `d`; `d` big-endian
/// 32-bit sizes; then the elements, big-endian, row-major. The reader checks that the
/// data is exactly as long as the sizes say before allocating anything, so a corrupted
/// header cannot ask for absurd memory.
public enum IDX {
    static let typeCodes: [UInt8: NumericArray.ScalarType] = [
        0x08: .uint8, 0x09: .int8, 0x0B: .int16, 0x0C: .int32, 0x0D: .float32, 0x0E: .float64,
    ]

    /// Reads an IDX file; a gzip-compressed file (magic `1f 8b`) is decompressed first.
    public static func read(from url: URL) throws(DataError) -> NumericArray {
        try decode(FileBytes.readDecompressing(url), file: url.path)
    }

    /// Decodes IDX bytes (not compressed).
    /// - Parameters:
    ///   - bytes: The file contents.
    ///   - file: Named in error messages.
    public static func decode(_ bytes: [UInt8], file: String) throws(DataError) -> NumericArray {
        var reader = ByteReader(bytes, file: file)
        guard bytes.count >= 4 else {
            throw DataError(file: file, "truncated: \(bytes.count) bytes, too short for an IDX header (4 bytes)")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DataError(file: file, "not an IDX file: the magic number starts with \(hex(bytes[0])) \(hex(bytes[1])), expected 00 00")
        }
        try reader.skip(2, "the magic number")
        let code = try reader.uint8("the type byte")
        guard let type = typeCodes[code] else {
            throw DataError(file: file, "unknown IDX element type 0x\(hex(code)) (expected 08, 09, 0B, 0C, 0D or 0E)")
        }
        let rank = Int(try reader.uint8("the number of dimensions"))
        var shape: [Int] = []
        for d in 0..<rank { shape.append(Int(try reader.uint32BE("size of dimension \(d)"))) }
        guard let count = checkedProduct(shape), let byteCount = checkedProduct([count, type.byteCount]) else {
            throw DataError(file: file, "the dimensions \(shape) are too large")
        }
        guard byteCount == reader.remaining else {
            let problem = byteCount > reader.remaining ? "truncated" : "unexpected trailing bytes"
            throw DataError(file: file, "\(problem): the header declares shape \(shape) of \(type.rawValue) (\(byteCount) bytes of data), the file has \(reader.remaining)")
        }
        let data = try reader.bytes(byteCount, "the data")
        return NumericArray(shape: shape, elements: NumericArray.decode(data, type: type, count: count, bigEndian: true))
    }

    /// Encodes an array as IDX bytes (uncompressed; the `int64` type has no IDX code).
    public static func encode(_ array: NumericArray) -> [UInt8] {
        guard let code = typeCodes.first(where: { $0.value == array.scalarType })?.key else {
            fatalError("IDX.encode: IDX has no code for \(array.scalarType.rawValue)")
        }
        ensure(array.shape.count <= 255 && array.shape.allSatisfy { $0 <= Int(UInt32.max) },
                     "IDX.encode: shape \(array.shape) does not fit an IDX header")
        var out: [UInt8] = [0, 0, code, UInt8(array.shape.count)]
        for d in array.shape { out.appendBE(UInt32(d)) }
        out.append(contentsOf: array.encodedBytes(bigEndian: true))
        return out
    }

    /// Writes an array as an IDX file, gzip-compressed when `compressed` is true.
    public static func write(_ array: NumericArray, to url: URL, compressed: Bool = false) throws(DataError) {
        let bytes = encode(array)
        try FileBytes.write(compressed ? Zlib.deflate(bytes, format: .gzip) : bytes, to: url)
    }
}
