/// A bounds-checked cursor over bytes, for parsing binary headers.
///
/// Every read checks that enough bytes remain and throws a ``DataError`` naming the file,
/// the offset and what was being read otherwise.
struct ByteReader {
    let bytes: [UInt8]
    let file: String
    var offset: Int

    init(_ bytes: [UInt8], file: String, offset: Int = 0) {
        self.bytes = bytes
        self.file = file
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    /// Throws unless `count` more bytes are available.
    func require(_ count: Int, _ what: @autoclosure () -> String) throws(DataError) {
        guard count >= 0, count <= remaining else {
            throw DataError(file: file, "truncated: \(what()) needs \(count) bytes at offset \(offset), only \(max(remaining, 0)) left")
        }
    }

    mutating func skip(_ count: Int, _ what: @autoclosure () -> String) throws(DataError) {
        try require(count, what())
        offset += count
    }

    mutating func uint8(_ what: @autoclosure () -> String) throws(DataError) -> UInt8 {
        try require(1, what())
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bytes(_ count: Int, _ what: @autoclosure () -> String) throws(DataError) -> ArraySlice<UInt8> {
        try require(count, what())
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func uint16LE(_ what: @autoclosure () -> String) throws(DataError) -> UInt16 {
        try require(2, what())
        defer { offset += 2 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    mutating func uint32LE(_ what: @autoclosure () -> String) throws(DataError) -> UInt32 {
        try require(4, what())
        defer { offset += 4 }
        return Self.uint32LE(bytes, at: offset)
    }

    mutating func uint64LE(_ what: @autoclosure () -> String) throws(DataError) -> UInt64 {
        try require(8, what())
        defer { offset += 8 }
        return UInt64(Self.uint32LE(bytes, at: offset)) | UInt64(Self.uint32LE(bytes, at: offset + 4)) << 32
    }

    mutating func uint32BE(_ what: @autoclosure () -> String) throws(DataError) -> UInt32 {
        try require(4, what())
        defer { offset += 4 }
        return Self.uint32BE(bytes, at: offset)
    }

    static func uint32LE(_ b: [UInt8], at i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    static func uint32BE(_ b: [UInt8], at i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
}

/// Appending little- and big-endian integers to a byte array (for writers).
extension Array where Element == UInt8 {
    mutating func appendLE(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value)); append(UInt8(truncatingIfNeeded: value >> 8))
    }
    mutating func appendLE(_ value: UInt32) {
        for s in stride(from: 0, to: 32, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt32(s))) }
    }
    mutating func appendLE(_ value: UInt64) {
        for s in stride(from: 0, to: 64, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt64(s))) }
    }
    mutating func appendBE(_ value: UInt32) {
        for s in stride(from: 24, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt32(s))) }
    }
}

/// `a · b · …` for sizes read from a file, or nil if the product overflows `Int`
/// or any factor is negative.
func checkedProduct(_ factors: [Int]) -> Int? {
    var product = 1
    for f in factors {
        guard f >= 0 else { return nil }
        let (p, overflow) = product.multipliedReportingOverflow(by: f)
        if overflow { return nil }
        product = p
    }
    return product
}

/// Lowercase hexadecimal with leading zeros to the type's width (`hex(UInt8(7))` is `"07"`).
func hex<T: FixedWidthInteger & UnsignedInteger>(_ value: T) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, T.bitWidth / 4 - digits.count)) + digits
}
