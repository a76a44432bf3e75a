import Foundation
import LatentCore
import LatentData
import Testing

@Suite struct PNGTests {
    /// The fixture pixels: (37y + 11x + 60c) mod 256, 5 × 6.
    func expectedPixels(channels: Int) -> [UInt8] {
        var out: [UInt8] = []
        for y in 0..<6 { for x in 0..<5 { for c in 0..<channels { out.append(UInt8((37 * y + 11 * x + 60 * c) % 256)) } } }
        return out
    }

    @Test func decodesAllFiveFilterTypes() throws {
        for (name, channels) in [("gray.png", 1), ("rgb.png", 3), ("rgba.png", 4)] {
            let image = try PNG.read(from: TestFiles.fixture(name))
            #expect(image.width == 5 && image.height == 6 && image.channels == channels)
            #expect(image.pixels == expectedPixels(channels: channels), "\(name)")
        }
    }

    @Test func roundTripsEveryColourType() throws {
        var generator = RandomGenerator(seed: 3)
        for channels in 1...4 {
            let noise = generator.integers([13 * 7 * channels], in: 0..<256).scalars.map { UInt8($0) }
            let smooth = (0..<(13 * 7 * channels)).map { UInt8(($0 * 3) % 256) }
            for pixels in [noise, smooth] {
                let image = PNGImage(width: 13, height: 7, colorType: PNGImage.ColorType(channels: channels)!, pixels: pixels)
                #expect(try PNG.decode(PNG.encode(image), file: "x.png") == image)
            }
        }
    }

    @Test func tensorsAndGrids() throws {
        let folder = TestFiles.temporaryFolder()
        defer { TestFiles.remove(folder) }
        let images = Tensor(shape: [5, 1, 2, 3], scalars: (0..<30).map { Float($0) / 29 })
        let grid = imageGrid(images, rows: 2, padding: 1, padValue: 1)
        #expect(grid.shape == [1, 2 * 3 + 1, 3 * 4 + 1])
        #expect(grid[element: [0, 0, 0]] == 1)
        #expect(grid[element: [0, 1, 1]] == images[element: [0, 0, 0, 0]])
        #expect(grid[element: [0, 4, 6]] == images[element: [4, 0, 0, 1]])  // image 4: row 1, column 1
        #expect(grid[element: [0, 5, 9]] == 1)                                 // the empty sixth cell
        #expect(imageGrid(Tensor(shape: [4, 2, 2], scalars: Array(repeating: 0, count: 16))).shape == [1, 10, 10])

        let url = folder.appendingPathComponent("grid.png")
        try PNG.write(grid, to: url)
        let back = try PNG.read(from: url).tensor()
        #expect(back.shape == grid.shape)
        #expect(zip(back.scalars, grid.scalars).allSatisfy { abs($0 - $1) <= 0.5 / 255 + 1e-6 })

        let rgb = PNGImage(Tensor(shape: [3, 1, 2], scalars: [-1, 2, 0.5, 0, 1, .nan]))
        #expect(rgb.colorType == .rgb && rgb.pixels == [0, 128, 255, 255, 0, 0])
        #expect(PNGImage(Tensor(shape: [1, 1], scalars: [0]), range: -1...1).pixels == [128])
    }

    @Test func corruptedFilesThrow() {
        let good = TestFiles.bytes("rgb.png")
        expectDataError("x.png", "signature") { _ = try PNG.decode(Array(good.dropFirst()), file: "x.png") }
        expectDataError("x.png", "truncated") { _ = try PNG.decode(Array(good.dropLast(12)), file: "x.png") }
        var crc = good; crc[20] ^= 1  // inside IHDR
        expectDataError("CRC mismatch in chunk 'IHDR'") { _ = try PNG.decode(crc, file: "x.png") }

        func withHeader(_ edit: (inout [UInt8]) -> Void) -> [UInt8] {
            var header = Array(good[16..<29])
            edit(&header)
            var out = Array(good[0..<8])
            out += [0, 0, 0, 13] + Array("IHDR".utf8) + header
            let c = Zlib.crc32(header, initial: Zlib.crc32(Array("IHDR".utf8)))
            out += [UInt8(c >> 24), UInt8(c >> 16 & 0xFF), UInt8(c >> 8 & 0xFF), UInt8(c & 0xFF)]
            return out + good[33...]
        }
        expectDataError("palette") { _ = try PNG.decode(withHeader { $0[9] = 3 }, file: "x.png") }
        expectDataError("16-bit") { _ = try PNG.decode(withHeader { $0[8] = 16 }, file: "x.png") }
        expectDataError("interlaced") { _ = try PNG.decode(withHeader { $0[12] = 1 }, file: "x.png") }
        expectDataError("cannot come from") { _ = try PNG.decode(withHeader { $0[0] = 0x7F; $0[4] = 0x7F }, file: "x.png") }
        expectDataError("more than the expected") { _ = try PNG.decode(withHeader { $0[7] = 5 }, file: "x.png") }

        // An invalid filter type byte in an otherwise valid file.
        var raw: [UInt8] = []
        raw = [7, 1, 0, 2]
        var bad = Array(good[0..<33])
        let idat = Zlib.deflate(raw, format: .zlib)
        bad += [0, 0, 0, UInt8(idat.count)] + Array("IDAT".utf8) + idat
        let c = Zlib.crc32(idat, initial: Zlib.crc32(Array("IDAT".utf8)))
        bad += [UInt8(c >> 24), UInt8(c >> 16 & 0xFF), UInt8(c >> 8 & 0xFF), UInt8(c & 0xFF)]
        bad += [0, 0, 0, 0] + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82]
        let header = withHeader { $0[3] = 1; $0[7] = 2; $0[9] = 0 }  // 1 × 2 grayscale
        expectDataError("invalid filter type 7") { _ = try PNG.decode(Array(header[0..<33]) + bad[33...], file: "x.png") }

        fuzzTruncationsAndFlips(good) { _ = try PNG.decode($0, file: "f.png") }
    }

    /// `enlarged(by:)` repeats every pixel as a block (nearest neighbour), for every channel.
    @Test func enlargementRepeatsPixels() {
        let image = PNGImage(width: 2, height: 1, colorType: .rgb, pixels: [1, 2, 3, 4, 5, 6])
        let big = image.enlarged(by: 3)
        #expect(big.width == 6 && big.height == 3 && big.colorType == .rgb)
        for y in 0..<3 {
            for x in 0..<6 {
                let source = x / 3
                #expect(Array(big.pixels[((y * 6 + x) * 3)..<((y * 6 + x) * 3 + 3)]) == Array(image.pixels[(source * 3)..<(source * 3 + 3)]))
            }
        }
        #expect(image.enlarged(by: 1) == image)
    }
}
