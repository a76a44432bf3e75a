import Foundation
import LatentCore

/// NumPy's `.npy` format (versions 1.0, 2.0 and 3.0), C order.
///
/// Layout: the magic `\x93NUMPY`, a major and minor version byte, the header length
/// (2 bytes little-endian in version 1, 4 bytes in versions 2 and 3), then an ASCII (v3:
/// UTF-8) Python dict literal such as `{'descr': '<f4', 'fortran_order': False,
/// 'shape': (2, 3), }` padded with spaces and a newline, then the raw elements.
///
/// Element types read: `|u1`, `|i1`, `|b1` (as uint8), `i2`, `i4`, `i8`, `f4`, `f8`, in
/// either byte order (`<`, `>`, `=` native, `|` not applicable). Fortran-order arrays,
/// structured dtypes and other types are rejected with a message naming them. Written
/// files use version 1.0 (2.0 when the header needs it), little-endian, and a header
/// padded so the data starts at a multiple of 64 bytes, as NumPy does.
public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads a `.npy` file.
    public static func read(from url: URL) throws(DataError) -> NumericArray {
        try decode(FileBytes.read(url), file: url.path)
    }

    /// Writes an array as a `.npy` file (atomically).
    public static func write(_ array: NumericArray, to url: URL) throws(DataError) {
        try FileBytes.write(encode(array), to: url)
    }

    /// Writes a tensor as a `<f4` `.npy` file.
    public static func write(_ tensor: Tensor, to url: URL) throws(DataError) {
        try write(NumericArray(tensor), to: url)
    }

    /// Decodes `.npy` bytes.
    /// - Parameters:
    ///   - bytes: The file contents.
    ///   - file: Named in error messages.
    public static func decode(_ bytes: [UInt8], file: String) throws(DataError) -> NumericArray {
        var reader = ByteReader(bytes, file: file)
        guard bytes.count >= 6, Array(bytes[0..<6]) == magic else {
            throw DataError(file: file, "not a .npy file: it does not start with the magic \\x93NUMPY")
        }
        try reader.skip(6, "the magic string")
        let major = try reader.uint8("the major version")
        let minor = try reader.uint8("the minor version")
        let headerLength: Int
        switch major {
        case 1: headerLength = Int(try reader.uint16LE("the header length"))
        case 2, 3: headerLength = Int(try reader.uint32LE("the header length"))
        default: throw DataError(file: file, "unsupported .npy format version \(major).\(minor) (expected 1.0, 2.0 or 3.0)")
        }
        let headerBytes = try reader.bytes(headerLength, "the header")
        guard let header = String(validating: headerBytes, as: UTF8.self) else {
            throw DataError(file: file, "the header is not valid text")
        }
        let (type, bigEndian, shape) = try parseHeader(header, file: file)
        guard let count = checkedProduct(shape), let byteCount = checkedProduct([count, type.byteCount]) else {
            throw DataError(file: file, "the shape \(shape) is too large")
        }
        guard byteCount == reader.remaining else {
            let problem = byteCount > reader.remaining ? "truncated" : "unexpected trailing bytes"
            throw DataError(file: file, "\(problem): the header declares shape \(shape) of \(type.rawValue) (\(byteCount) bytes of data), the file has \(reader.remaining)")
        }
        let data = try reader.bytes(byteCount, "the data")
        return NumericArray(shape: shape, elements: NumericArray.decode(data, type: type, count: count, bigEndian: bigEndian))
    }

    /// The NumPy type string of an element type, little-endian (`<f4`, `|u1`, …).
    public static func descriptor(_ type: NumericArray.ScalarType) -> String {
        switch type {
        case .uint8: "|u1"
        case .int8: "|i1"
        case .int16: "<i2"
        case .int32: "<i4"
        case .int64: "<i8"
        case .float32: "<f4"
        case .float64: "<f8"
        }
    }

    /// Encodes an array as `.npy` bytes.
    public static func encode(_ array: NumericArray) -> [UInt8] {
        let shapeText = array.shape.count == 1 ? "(\(array.shape[0]),)"
            : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        var header = Array("{'descr': '\(descriptor(array.scalarType))', 'fortran_order': False, 'shape': \(shapeText), }".utf8)
        var version: UInt8 = 1
        var prefix = 10
        if header.count + 1 + prefix > 65535 { version = 2; prefix = 12 }
        let total = (prefix + header.count + 1 + 63) / 64 * 64
        header.append(contentsOf: repeatElement(0x20, count: total - prefix - header.count - 1))
        header.append(0x0A)
        var out = magic + [version, 0]
        if version == 1 { out.appendLE(UInt16(header.count)) } else { out.appendLE(UInt32(header.count)) }
        out.append(contentsOf: header)
        out.append(contentsOf: array.encodedBytes(bigEndian: false))
        return out
    }

    // MARK: Header parsing

    static func parseHeader(_ text: String, file: String) throws(DataError)
        -> (NumericArray.ScalarType, bigEndian: Bool, shape: [Int]) {
        var parser = PythonLiteralParser(Array(text.utf8))
        let value: PythonLiteral
        do { value = try parser.parseTopLevel() } catch {
            throw DataError(file: file, "malformed header \(text.trimmingCharacters(in: .whitespacesAndNewlines).debugDescription): \(error.reason)")
        }
        guard case .dictionary(let entries) = value else {
            throw DataError(file: file, "the header is not a Python dict")
        }
        var dict: [String: PythonLiteral] = [:]
        for (k, v) in entries { dict[k] = v }
        guard case .string(let descr)? = dict["descr"] else {
            if dict["descr"] != nil { throw DataError(file: file, "structured dtypes are not supported (descr is not a simple type string)") }
            throw DataError(file: file, "the header has no 'descr' entry")
        }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw DataError(file: file, "the header has no boolean 'fortran_order' entry")
        }
        if fortran {
            throw DataError(file: file, "Fortran-order (column-major) arrays are not supported; save the array in C order (numpy.ascontiguousarray)")
        }
        guard case .tuple(let items)? = dict["shape"] else {
            throw DataError(file: file, "the header has no 'shape' tuple")
        }
        var shape: [Int] = []
        for item in items {
            guard case .integer(let d) = item, d >= 0 else { throw DataError(file: file, "the shape \(items) has a non-integer or negative size") }
            shape.append(d)
        }
        let (type, bigEndian) = try parseDescriptor(descr, file: file)
        return (type, bigEndian, shape)
    }

    static func parseDescriptor(_ descr: String, file: String) throws(DataError) -> (NumericArray.ScalarType, Bool) {
        let order = descr.first
        let code = String(descr.dropFirst())
        var bigEndian: Bool
        switch order {
        case "<", "|": bigEndian = false
        case ">": bigEndian = true
        case "=": bigEndian = Int(bigEndian: 1) == 1
        default: throw DataError(file: file, "unsupported dtype '\(descr)'")
        }
        let type: NumericArray.ScalarType
        switch code {
        case "u1", "b1": type = .uint8
        case "i1": type = .int8
        case "i2": type = .int16
        case "i4": type = .int32
        case "i8": type = .int64
        case "f4": type = .float32
        case "f8": type = .float64
        default:
            throw DataError(file: file, "unsupported dtype '\(descr)' (supported: u1, b1, i1, i2, i4, i8, f4, f8)")
        }
        if type.byteCount == 1 { bigEndian = false }
        return (type, bigEndian)
    }
}

/// The subset of Python literals found in `.npy` headers.
enum PythonLiteral: CustomStringConvertible {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dictionary([(String, PythonLiteral)])

    var description: String {
        switch self {
        case .string(let s): "'\(s)'"
        case .integer(let i): "\(i)"
        case .bool(let b): b ? "True" : "False"
        case .none: "None"
        case .tuple(let items): "(" + items.map(\.description).joined(separator: ", ") + ")"
        case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .dictionary(let entries): "{" + entries.map { "'\($0.0)': \($0.1)" }.joined(separator: ", ") + "}"
        }
    }
}

struct PythonLiteralError: Error { let reason: String }

/// A recursive-descent parser for ``PythonLiteral`` (nesting limited to 16 levels).
struct PythonLiteralParser {
    let text: [UInt8]
    var i = 0
    var depth = 0

    init(_ text: [UInt8]) { self.text = text }

    mutating func parseTopLevel() throws(PythonLiteralError) -> PythonLiteral {
        let v = try parseValue()
        skipSpace()
        guard i == text.count else { throw PythonLiteralError(reason: "unexpected text after the value at offset \(i)") }
        return v
    }

    mutating func skipSpace() {
        while i < text.count, text[i] == 0x20 || text[i] == 0x0A || text[i] == 0x09 || text[i] == 0x0D { i += 1 }
    }

    mutating func expect(_ c: UInt8) throws(PythonLiteralError) {
        skipSpace()
        guard i < text.count, text[i] == c else {
            throw PythonLiteralError(reason: "expected '\(Character(Unicode.Scalar(c)))' at offset \(i)")
        }
        i += 1
    }

    mutating func parseValue() throws(PythonLiteralError) -> PythonLiteral {
        skipSpace()
        guard i < text.count else { throw PythonLiteralError(reason: "unexpected end") }
        depth += 1
        defer { depth -= 1 }
        guard depth <= 16 else { throw PythonLiteralError(reason: "nested too deeply") }
        switch text[i] {
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "{"):
            i += 1
            var entries: [(String, PythonLiteral)] = []
            while true {
                skipSpace()
                if i < text.count, text[i] == UInt8(ascii: "}") { i += 1; return .dictionary(entries) }
                guard case .string(let key) = try parseValue() else { throw PythonLiteralError(reason: "dict keys must be strings") }
                try expect(UInt8(ascii: ":"))
                entries.append((key, try parseValue()))
                skipSpace()
                if i < text.count, text[i] == UInt8(ascii: ",") { i += 1; continue }
                try expect(UInt8(ascii: "}"))
                return .dictionary(entries)
            }
        case UInt8(ascii: "("), UInt8(ascii: "["):
            let close = text[i] == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
            let isTuple = text[i] == UInt8(ascii: "(")
            i += 1
            var items: [PythonLiteral] = []
            while true {
                skipSpace()
                if i < text.count, text[i] == close { i += 1; break }
                items.append(try parseValue())
                skipSpace()
                if i < text.count, text[i] == UInt8(ascii: ",") { i += 1; continue }
                try expect(close)
                break
            }
            return isTuple ? .tuple(items) : .list(items)
        default:
            let start = i
            while i < text.count, let c = Optional(text[i]),
                  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") {
                i += 1
            }
            let word = String(decoding: text[start..<i], as: UTF8.self)
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                // Python 2 era headers may write sizes as `3L`.
                let digits = word.hasSuffix("L") ? String(word.dropLast()) : word
                guard let n = Int(digits) else { throw PythonLiteralError(reason: "unexpected token '\(word)' at offset \(start)") }
                return .integer(n)
            }
        }
    }

    mutating func parseString() throws(PythonLiteralError) -> String {
        let quote = text[i]
        i += 1
        let start = i
        while i < text.count, text[i] != quote {
            if text[i] == UInt8(ascii: "\\") { i += 1 }
            i += 1
        }
        guard i < text.count else { throw PythonLiteralError(reason: "unterminated string") }
        let s = String(decoding: text[start..<i], as: UTF8.self)
        i += 1
        return s
    }
}
