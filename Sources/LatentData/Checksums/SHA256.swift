import LatentCore
import Foundation

/// The SHA-256 hash (FIPS 180-4), used to verify installed and downloaded datasets.
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update(bytes)
/// let hex = hasher.finalize().hexString   // 64 lowercase hex digits
/// SHA256.hash(Array("abc".utf8)).hexString  // "ba7816bf…"
/// ```
public struct SHA256: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    public init() {}

    /// Feeds more bytes.
    public mutating func update<C: Collection<UInt8>>(_ bytes: C) {
        length &+= UInt64(bytes.count)
        if let done: Void = bytes.withContiguousStorageIfAvailable({ absorb($0) }) { return done }
        Array(bytes).withUnsafeBufferPointer { absorb($0) }
    }

    private mutating func absorb(_ buffer: UnsafeBufferPointer<UInt8>) {
        var start = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, buffer.count)
            pending.append(contentsOf: buffer[0..<take])
            start = take
            if pending.count == 64 {
                let block = pending
                block.withUnsafeBufferPointer { compress($0.baseAddress!) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        guard let base = buffer.baseAddress else { return }
        while buffer.count - start >= 64 {
            compress(base + start)
            start += 64
        }
        if start < buffer.count { pending.append(contentsOf: buffer[start...]) }
    }

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 &- n)) }

    // Written with masking shifts and raw pointers, which stay fast in debug builds too
    // (hashing a 50 MB dataset file must not take minutes there).
    private mutating func compress(_ block: UnsafePointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { buffer in
            let w = buffer.baseAddress!
            for i in 0..<16 {
                w[i] = UInt32(block[4 &* i]) &<< 24 | UInt32(block[4 &* i &+ 1]) &<< 16
                    | UInt32(block[4 &* i &+ 2]) &<< 8 | UInt32(block[4 &* i &+ 3])
            }
            for i in 16..<64 {
                let x15 = w[i &- 15], x2 = w[i &- 2]
                let s0 = Self.rotr(x15, 7) ^ Self.rotr(x15, 18) ^ (x15 &>> 3)
                let s1 = Self.rotr(x2, 17) ^ Self.rotr(x2, 19) ^ (x2 &>> 10)
                w[i] = w[i &- 16] &+ s0 &+ w[i &- 7] &+ s1
            }
            var (a, b, c, d, e, f, g, h) = state
            Self.k.withUnsafeBufferPointer { kBuffer in
                let k = kBuffer.baseAddress!
                for i in 0..<64 {
                    let s1 = Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)
                    let choice = (e & f) ^ (~e & g)
                    let t1 = h &+ s1 &+ choice &+ k[i] &+ w[i]
                    let s0 = Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)
                    let majority = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ majority
                    h = g; g = f; f = e; e = d &+ t1
                    d = c; c = b; b = a; a = t1 &+ t2
                }
            }
            state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d,
                     state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h)
        }
    }

    /// The 32-byte digest of everything fed so far.
    public func finalize() -> Digest {
        var copy = self
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        let padding = (55 - Int(length % 64) + 64) % 64
        tail.append(contentsOf: repeatElement(0, count: padding))
        for s in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(s))) }
        copy.update(tail)
        ensure(copy.pending.isEmpty)
        let s = copy.state
        var bytes: [UInt8] = []
        for word in [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7] { bytes.appendBE(word) }
        return Digest(bytes: bytes)
    }

    /// The digest of `bytes`.
    public static func hash<C: Collection<UInt8>>(_ bytes: C) -> Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of a file's contents, read in 1 MiB pieces.
    public static func hash(contentsOf url: URL) throws(DataError) -> Digest {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw DataError(file: url.path, "cannot open the file to compute its SHA-256 (\(error.localizedDescription))")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch {
                throw DataError(file: url.path, "read failed while computing its SHA-256 (\(error.localizedDescription))")
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(chunk)
        }
        return hasher.finalize()
    }

    /// A SHA-256 digest.
    public struct Digest: Sendable, Equatable, CustomStringConvertible {
        /// The 32 digest bytes.
        public let bytes: [UInt8]
        /// The digest as 64 lowercase hexadecimal digits.
        public var hexString: String {
            let digits = Array("0123456789abcdef".utf8)
            var out: [UInt8] = []
            out.reserveCapacity(64)
            for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
            return String(decoding: out, as: UTF8.self)
        }
        public var description: String { hexString }
    }
}
