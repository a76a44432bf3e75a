import Foundation
import LatentCore

/// Reading and writing PNG images (ISO/IEC 15948), 8 bits per channel, non-interlaced:
/// grayscale, grayscale with alpha, RGB and RGBA.
///
/// The writer chooses a filter per row (None, Sub, Up, Average or Paeth, whichever gives
/// the smallest sum of absolute filtered values, the heuristic the PNG specification
/// suggests), compresses with zlib, and writes `IHDR`, one `IDAT` and `IEND` chunks with
/// their CRC-32s. The reader checks the signature, every chunk's length and CRC-32, the
/// header, the decompressed size, and every row's filter type; palette, 16-bit, low bit
/// depth and interlaced images are rejected with a message saying so. Ancillary chunks
/// are skipped.
///
/// ```swift
/// try PNG.write(imageGrid(samples, rows: 8), to: url)   // samples [64, 1, 28, 28] in [0, 1]
/// let image = try PNG.read(from: url).tensor()          // [1, H, W]
/// ```
public enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Reads a PNG file.
    public static func read(from url: URL) throws(DataError) -> PNGImage {
        try decode(FileBytes.read(url), file: url.path)
    }

    /// Writes an image as a PNG file (atomically).
    public static func write(_ image: PNGImage, to url: URL) throws(DataError) {
        try FileBytes.write(encode(image), to: url)
    }

    /// Writes a `[H, W]` or `[C, H, W]` tensor as a PNG file; see ``PNGImage/init(_:range:)``.
    /// `scale` > 1 enlarges it (``PNGImage/enlarged(by:)``).
    public static func write(_ image: Tensor, to url: URL, range: ClosedRange<Float> = 0...1, scale: Int = 1) throws(DataError) {
        try write(PNGImage(image, range: range).enlarged(by: scale), to: url)
    }

    // MARK: Encoding

    /// Encodes an image as PNG bytes.
    public static func encode(_ image: PNGImage, compressionLevel: Int = 6) -> [UInt8] {
        let bpp = image.channels
        let stride = image.width * bpp
        var filtered: [UInt8] = []
        filtered.reserveCapacity(image.height * (stride + 1))
        var candidate = [UInt8](repeating: 0, count: stride)
        var best = [UInt8](repeating: 0, count: stride)
        image.pixels.withUnsafeBufferPointer { px in
            for y in 0..<image.height {
                let row = px.baseAddress! + y * stride
                let previous: UnsafePointer<UInt8>? = y > 0 ? row - stride : nil
                var bestScore = Int.max
                var bestType: UInt8 = 0
                for type in UInt8(0)...4 {
                    var score = 0
                    for i in 0..<stride {
                        let a = i >= bpp ? row[i - bpp] : 0
                        let b = previous?[i] ?? 0
                        let c = i >= bpp ? (previous?[i - bpp] ?? 0) : 0
                        let v = row[i] &- predictor(type, a, b, c)
                        candidate[i] = v
                        score += Int(Int8(bitPattern: v).magnitude)
                    }
                    if score < bestScore { bestScore = score; bestType = type; swap(&best, &candidate) }
                }
                filtered.append(bestType)
                filtered.append(contentsOf: best)
            }
        }
        var out = signature
        var header: [UInt8] = []
        header.appendBE(UInt32(image.width)); header.appendBE(UInt32(image.height))
        header.append(contentsOf: [8, image.colorType.rawValue, 0, 0, 0])
        appendChunk("IHDR", header, to: &out)
        appendChunk("IDAT", Zlib.deflate(filtered, format: .zlib, level: compressionLevel), to: &out)
        appendChunk("IEND", [], to: &out)
        return out
    }

    static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        out.appendBE(UInt32(data.count))
        out.append(contentsOf: typeBytes)
        out.append(contentsOf: data)
        out.appendBE(Zlib.crc32(data, initial: Zlib.crc32(typeBytes)))
    }

    /// The PNG filter predictors: 0 none, 1 Sub (a = left), 2 Up (b = above),
    /// 3 Average (⌊(a + b)/2⌋), 4 Paeth (whichever of a, b, c is closest to a + b − c).
    @inline(__always) static func predictor(_ type: UInt8, _ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        switch type {
        case 1: return a
        case 2: return b
        case 3: return UInt8((Int(a) + Int(b)) / 2)
        case 4:
            let p = Int(a) + Int(b) - Int(c)
            let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
            if pa <= pb && pa <= pc { return a }
            return pb <= pc ? b : c
        default: return 0
        }
    }

    // MARK: Decoding

    /// Decodes PNG bytes.
    /// - Parameters:
    ///   - bytes: The file contents.
    ///   - file: Named in error messages.
    public static func decode(_ bytes: [UInt8], file: String) throws(DataError) -> PNGImage {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw DataError(file: file, "not a PNG file: the 8-byte PNG signature is missing")
        }
        var r = ByteReader(bytes, file: file, offset: 8)
        var width = 0, height = 0
        var colorType: PNGImage.ColorType?
        var compressed: [UInt8] = []
        var sawEnd = false
        var chunkIndex = 0
        while r.remaining > 0 {
            let length = Int(try r.uint32BE("the length of chunk \(chunkIndex)"))
            guard length <= Int(Int32.max) else { throw DataError(file: file, "chunk \(chunkIndex) declares an invalid length \(length)") }
            let typeBytes = try r.bytes(4, "the type of chunk \(chunkIndex)")
            guard typeBytes.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }) else {
                throw DataError(file: file, "corrupt PNG: chunk \(chunkIndex) has an invalid type \(Array(typeBytes))")
            }
            let type = String(decoding: typeBytes, as: UTF8.self)
            let data = try r.bytes(length, "the data of chunk \(chunkIndex) ('\(type)', \(length) bytes)")
            let storedCRC = try r.uint32BE("the CRC of chunk '\(type)'")
            let crc = Zlib.crc32(data, initial: Zlib.crc32(typeBytes))
            guard crc == storedCRC else {
                throw DataError(file: file, "corrupt PNG: CRC mismatch in chunk '\(type)' (stored \(hex(storedCRC)), computed \(hex(crc)))")
            }
            if chunkIndex == 0 && type != "IHDR" { throw DataError(file: file, "corrupt PNG: the first chunk is '\(type)', not 'IHDR'") }
            switch type {
            case "IHDR":
                guard chunkIndex == 0, length == 13 else { throw DataError(file: file, "corrupt PNG: misplaced or malformed IHDR chunk") }
                var h = ByteReader(Array(data), file: file)
                width = Int(try h.uint32BE("width"))
                height = Int(try h.uint32BE("height"))
                let depth = try h.uint8("bit depth"), colorCode = try h.uint8("colour type")
                let compression = try h.uint8("compression method"), filter = try h.uint8("filter method"), interlace = try h.uint8("interlace method")
                guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max) else {
                    throw DataError(file: file, "corrupt PNG: invalid size \(width) × \(height)")
                }
                guard let ct = PNGImage.ColorType(rawValue: colorCode) else {
                    if colorCode == 3 { throw DataError(file: file, "palette (indexed colour) PNG images are not supported; save as grayscale, RGB or RGBA") }
                    throw DataError(file: file, "corrupt PNG: invalid colour type \(colorCode)")
                }
                guard depth == 8 else {
                    throw DataError(file: file, "\(depth)-bit PNG images are not supported (only 8 bits per channel)")
                }
                guard compression == 0, filter == 0 else {
                    throw DataError(file: file, "corrupt PNG: unknown compression method \(compression) or filter method \(filter)")
                }
                guard interlace == 0 else {
                    throw DataError(file: file, "interlaced (Adam7) PNG images are not supported")
                }
                colorType = ct
            case "IDAT":
                compressed.append(contentsOf: data)
            case "IEND":
                sawEnd = true
            case "PLTE":
                break  // a suggested palette for truecolour images; not needed
            default:
                if typeBytes.first! & 0x20 == 0 {
                    throw DataError(file: file, "unsupported critical PNG chunk '\(type)'")
                }
            }
            chunkIndex += 1
            if sawEnd { break }
        }
        guard let colorType else { throw DataError(file: file, "corrupt PNG: no IHDR chunk") }
        guard sawEnd else { throw DataError(file: file, "truncated PNG: no IEND chunk (the file ends after \(chunkIndex) chunks)") }
        guard !compressed.isEmpty else { throw DataError(file: file, "corrupt PNG: no IDAT image data") }
        let bpp = colorType.channels
        guard let stride = checkedProduct([width, bpp]), let rawSize = checkedProduct([height, stride + 1]),
              rawSize <= 1032 * compressed.count + 1024 else {
            throw DataError(file: file, "corrupt PNG: a \(width) × \(height) image cannot come from \(compressed.count) bytes of image data")
        }
        let raw = try Zlib.inflate(compressed, format: .zlib, file: file, expectedSize: rawSize)
        var pixels = [UInt8](repeating: 0, count: height * stride)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            guard filter <= 4 else { throw DataError(file: file, "corrupt PNG: row \(y) has invalid filter type \(filter)") }
            let source = y * (stride + 1) + 1
            let row = y * stride
            for i in 0..<stride {
                let a = i >= bpp ? pixels[row + i - bpp] : 0
                let b = y > 0 ? pixels[row - stride + i] : 0
                let c = (i >= bpp && y > 0) ? pixels[row - stride + i - bpp] : 0
                pixels[row + i] = raw[source + i] &+ predictor(filter, a, b, c)
            }
        }
        return PNGImage(width: width, height: height, colorType: colorType, pixels: pixels)
    }
}
