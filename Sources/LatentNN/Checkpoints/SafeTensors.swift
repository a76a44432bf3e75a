import Foundation
import LatentCore

/// Reading and writing the safetensors format (Hugging Face), the checkpoint format that
/// PyTorch users can open with `safetensors.torch.load_file`.
///
/// Layout: an 8-byte little-endian header length `N`; `N` bytes of UTF-8 JSON mapping each
/// tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to
/// the data section), plus an optional `"__metadata__"` object of strings; then the raw
/// little-endian tensor bytes. Latent writes `F32`; it reads `F32`, `F64`, `F16`, `BF16`
/// and the integer types, converting to `Float`.
public enum SafeTensors {
    /// Largest header accepted (the reference implementation's limit).
    public static let maximumHeaderBytes = 100_000_000

    /// The contents of a safetensors file.
    public struct Contents: Sendable {
        public var tensors: [String: Tensor]
        public var metadata: [String: String]
        public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
            self.tensors = tensors
            self.metadata = metadata
        }
    }

    // MARK: Writing

    /// Serialises tensors (sorted by name, 8-byte aligned header) to bytes.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        let names = tensors.keys.sorted()
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let entries = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{" + entries.joined(separator: ",") + "}")
        }
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let bytes = t.scalarCount * 4
            parts.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var data = Data(capacity: 8 + headerBytes.count + offset)
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for name in names {
            let t = tensors[name]!
            #if _endian(big)
            let swapped = t.scalars.map { $0.bitPattern.littleEndian }
            swapped.withUnsafeBytes { data.append(contentsOf: $0) }
            #else
            data.append(UnsafeBufferPointer(start: t.storage.pointer, count: t.scalarCount))
            #endif
        }
        return data
    }

    /// Writes tensors to `url` atomically (temporary file, fsync, rename): a crash at any
    /// moment leaves either the old file or the new one, never a torn one.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: url)
    }

    // MARK: Reading

    /// Reads and validates a safetensors file.
    public static func read(from url: URL) throws -> Contents {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw SafeTensorsError(file: url.path, "cannot read the file (\(error.localizedDescription))")
        }
        return try decode(data, file: url.path)
    }

    /// Parses and validates safetensors bytes. `file` names the source in errors.
    public static func decode(_ data: Data, file: String = "<memory>") throws -> Contents {
        func fail(_ message: String) -> SafeTensorsError { SafeTensorsError(file: file, message) }
        guard data.count >= 8 else { throw fail("file is \(data.count) bytes, too short for the 8-byte header length") }
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(maximumHeaderBytes) else { throw fail("header length \(n) exceeds the limit of \(maximumHeaderBytes) bytes") }
        guard UInt64(data.count) >= 8 + n else {
            throw fail("header length \(n) runs past the end of the file (\(data.count) bytes): the file is truncated")
        }
        let headerData = data.subdata(in: 8..<(8 + Int(n)))
        guard let json = try? JSONSerialization.jsonObject(with: headerData), let object = json as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        let dataStart = 8 + Int(n)
        let dataLength = data.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in object {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw fail("__metadata__ value for '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw fail("entry '\(name)' is not an object") }
            guard let dtypeName = info["dtype"] as? String else { throw fail("entry '\(name)' has no dtype") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw fail("entry '\(name)' has unsupported dtype \(dtypeName) (supported: \(DType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let rawShape = info["shape"] as? [Any], let shape = integers(rawShape), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("entry '\(name)' has an invalid shape")
            }
            guard let rawOffsets = info["data_offsets"] as? [Any], let offsets = integers(rawOffsets), offsets.count == 2 else {
                throw fail("entry '\(name)' has invalid data_offsets")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw fail("entry '\(name)' has data_offsets [\(begin), \(end)] outside the data section of \(dataLength) bytes")
            }
            let (count, overflow) = shape.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            let (bytes, overflow2) = count.multipliedReportingOverflow(by: dtype.size)
            guard !overflow, !overflow2, bytes == end - begin else {
                let needed = overflow || overflow2 ? "more than 2⁶³" : "\(bytes)"
                throw fail("entry '\(name)' of shape \(shapeString(shape)) and dtype \(dtype.rawValue) needs \(needed) bytes but data_offsets span \(end - begin)")
            }
            entries.append((name, dtype, shape, begin, end))
        }
        // Offsets must tile the data section exactly: no overlaps, no holes.
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var cursor = 0
        for e in entries {
            if e.begin < cursor { throw fail("entry '\(e.name)' overlaps the previous tensor (data_offsets [\(e.begin), \(e.end)])") }
            if e.begin > cursor { throw fail("there is a gap in the data section before entry '\(e.name)' (bytes \(cursor)..<\(e.begin))") }
            cursor = e.end
        }
        guard cursor == dataLength else {
            throw fail("the data section has \(dataLength - cursor) bytes after the last tensor")
        }
        var tensors: [String: Tensor] = [:]
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            for e in entries {
                let base = raw.baseAddress! + dataStart + e.begin
                tensors[e.name] = Tensor(shape: e.shape) { out, count in
                    e.dtype.convert(base, count: count, into: out)
                }
            }
        }
        return Contents(tensors: tensors, metadata: metadata)
    }

    /// Element types of the safetensors format that Latent can read.
    public enum DType: String, CaseIterable, Sendable {
        case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16"
        case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

        public var size: Int {
            switch self {
            case .f64, .i64: return 8
            case .f32, .i32: return 4
            case .f16, .bf16, .i16: return 2
            case .i8, .u8, .bool: return 1
            }
        }

        func convert(_ p: UnsafeRawPointer, count: Int, into out: UnsafeMutablePointer<Float>) {
            for i in 0..<count {
                switch self {
                case .f32: out[i] = Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                case .f64: out[i] = Float(Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                case .f16: out[i] = halfToFloat(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                case .bf16: out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
                case .i64: out[i] = Float(Int64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                case .i32: out[i] = Float(Int32(littleEndian: p.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                case .i16: out[i] = Float(Int16(littleEndian: p.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
                case .i8: out[i] = Float(p.load(fromByteOffset: i, as: Int8.self))
                case .u8: out[i] = Float(p.load(fromByteOffset: i, as: UInt8.self))
                case .bool: out[i] = p.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0
                }
            }
        }
    }

    private static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            return Float(sign: sign != 0 ? .minus : .plus, exponent: -24, significand: Float(mantissa))
        }
        if exponent == 31 {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var out: [Int] = []
        for v in values {
            guard let n = v as? Int else { return nil }
            out.append(n)
        }
        return out
    }

    private static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

/// A malformed or unreadable safetensors file.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String
    public init(file: String, _ reason: String) {
        self.file = file
        self.reason = reason
    }
    public var description: String { "\(file): \(reason)" }
}
