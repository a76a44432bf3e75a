import Foundation
import LatentCore
import LatentData
import Testing

@Suite struct ChecksumAndZlibTests {
    @Test func sha256KnownAnswers() {
        #expect(SHA256.hash([UInt8]()).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash(Array("abc".utf8)).hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).hexString
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Streaming in uneven pieces equals one call; one million 'a's.
        var hasher = SHA256()
        let a = [UInt8](repeating: 0x61, count: 1_000_000)
        var offset = 0
        for piece in [1, 63, 64, 65, 1000, 7] + Array(repeating: 4096, count: 300) where offset < a.count {
            let end = min(offset + piece, a.count)
            hasher.update(a[offset..<end])
            offset = end
        }
        hasher.update(a[offset...])
        #expect(hasher.finalize().hexString == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func sha256OfAFile() throws {
        let folder = TestFiles.temporaryFolder()
        defer { TestFiles.remove(folder) }
        let url = TestFiles.write(Array("abc".utf8), "abc.txt", in: folder)
        #expect(try SHA256.hash(contentsOf: url).hexString.hasPrefix("ba7816bf"))
        expectDataError("missing.txt") { _ = try SHA256.hash(contentsOf: folder.appendingPathComponent("missing.txt")) }
    }

    @Test func roundTripsAndCRC() throws {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7 / 13) }
        for format in [Zlib.Format.zlib, .gzip, .raw] {
            let packed = Zlib.deflate(data, format: format)
            #expect(packed.count < data.count)
            #expect(try Zlib.inflate(packed, format: format, file: "x") == data)
            #expect(try Zlib.inflate(packed, format: format, file: "x", expectedSize: data.count) == data)
        }
        #expect(Zlib.crc32(Array("123456789".utf8)) == 0xCBF43926)
        #expect(try Zlib.inflate(Zlib.deflate([], format: .gzip), format: .gzip, file: "e").isEmpty)
        // Concatenated gzip members decompress to the concatenation.
        let two = Zlib.deflate([1, 2, 3], format: .gzip) + Zlib.deflate([4, 5], format: .gzip)
        #expect(try Zlib.inflate(two, format: .gzip, file: "two") == [1, 2, 3, 4, 5])
    }

    @Test func corruptStreamsThrow() {
        let data = Array(repeating: Array("hello, world ".utf8), count: 200).flatMap { $0 }
        let packed = Zlib.deflate(data, format: .gzip)
        expectDataError("f.gz", "truncated") { _ = try Zlib.inflate(Array(packed.dropLast(20)), format: .gzip, file: "f.gz") }
        var flipped = packed
        flipped[flipped.count - 6] ^= 0xFF  // the CRC-32 trailer
        expectDataError("f.gz", "corrupt") { _ = try Zlib.inflate(flipped, format: .gzip, file: "f.gz") }
        expectDataError("limit") { _ = try Zlib.inflate(packed, format: .gzip, file: "f.gz", limit: 100) }
        expectDataError("expected 10") { _ = try Zlib.inflate(packed, format: .gzip, file: "f.gz", expectedSize: 10) }
        expectDataError("unexpected bytes") { _ = try Zlib.inflate(packed + [1, 2, 3], format: .gzip, file: "f.gz") }
        fuzzTruncationsAndFlips(Zlib.deflate(Array("small payload".utf8), format: .zlib)) {
            _ = try Zlib.inflate($0, format: .zlib, file: "z")
        }
    }
}

@Suite struct IDXTests {
    @Test func readsPythonWrittenFiles() throws {
        for name in ["images.idx3-ubyte", "images.idx3-ubyte.gz"] {
            let array = try IDX.read(from: TestFiles.fixture(name))
            #expect(array.shape == [2, 3, 4] && array.scalarType == .uint8)
            #expect(array.tensor().scalars == (0..<24).map(Float.init))
        }
        let floats = try IDX.read(from: TestFiles.fixture("floats.idx"))
        #expect(floats.scalarType == .float32 && floats.tensor().scalars == [-1.5, -1, -0.5, 0, 0.5, 1])
    }

    @Test func roundTripsEveryType() throws {
        let folder = TestFiles.temporaryFolder()
        defer { TestFiles.remove(folder) }
        let arrays: [NumericArray] = [
            NumericArray(shape: [2, 2], elements: .uint8([0, 1, 254, 255])),
            NumericArray(shape: [3], elements: .int8([-128, 0, 127])),
            NumericArray(shape: [2], elements: .int16([-300, 300])),
            NumericArray(shape: [1, 2], elements: .int32([-70000, 70000])),
            NumericArray(shape: [2], elements: .float32([1.5, -2.25])),
            NumericArray(shape: [2], elements: .float64([1e300, -0.125])),
        ]
        for (i, array) in arrays.enumerated() {
            let url = folder.appendingPathComponent("a\(i).idx.gz")
            try IDX.write(array, to: url, compressed: i % 2 == 0)
            #expect(try IDX.read(from: url) == array)
        }
    }

    @Test func corruptedFilesThrowNamingTheFile() {
        let good = TestFiles.bytes("images.idx3-ubyte")
        expectDataError("bad.idx", "truncated") { _ = try IDX.decode(Array(good.dropLast()), file: "bad.idx") }
        expectDataError("trailing") { _ = try IDX.decode(good + [0], file: "bad.idx") }
        var magic = good; magic[0] = 8
        expectDataError("not an IDX file") { _ = try IDX.decode(magic, file: "bad.idx") }
        var type = good; type[2] = 0x42
        expectDataError("unknown IDX element type 0x42") { _ = try IDX.decode(type, file: "bad.idx") }
        // A header claiming 2³² × 2³² × 2³² elements must not allocate.
        let huge: [UInt8] = [0, 0, 8, 3] + Array(repeating: 0xFF, count: 12) + [1, 2, 3]
        expectDataError("too large") { _ = try IDX.decode(huge, file: "huge.idx") }
        let big: [UInt8] = [0, 0, 8, 1, 0x7F, 0xFF, 0xFF, 0xFF, 1, 2]
        expectDataError("truncated", "2147483647") { _ = try IDX.decode(big, file: "big.idx") }
        fuzzTruncationsAndFlips(good) { _ = try IDX.decode($0, file: "f") }

        let gz = TestFiles.bytes("images.idx3-ubyte.gz")
        let folder = TestFiles.temporaryFolder()
        defer { TestFiles.remove(folder) }
        let cut = TestFiles.write(Array(gz.prefix(gz.count - 12)), "cut.idx.gz", in: folder)
        expectDataError(cut.path, "truncated") { _ = try IDX.read(from: cut) }
        expectDataError("no such file") { _ = try IDX.read(from: folder.appendingPathComponent("none")) }
        expectDataError("is a folder") { _ = try IDX.read(from: folder) }
    }
}

@Suite struct NPYTests {
    @Test func readsNumPyFiles() throws {
        let f4 = try NPY.read(from: TestFiles.fixture("f4.npy"))
        #expect(f4.shape == [2, 3] && f4.scalarType == .float32 && f4.tensor().scalars == [-1.5, -1, -0.5, 0, 0.5, 1])
        let f8 = try NPY.read(from: TestFiles.fixture("f8_v2.npy"))
        #expect(f8.shape == [2, 3, 4] && f8.scalarType == .float64)
        #expect(f8.elements == .float64((0..<24).map { (Double($0) - 3) * 0.5 }))
        #expect(try NPY.read(from: TestFiles.fixture("u1.npy")).elements == .uint8(Array(0..<10)))
        let i8 = try NPY.read(from: TestFiles.fixture("i8.npy"))
        #expect(i8.shape == [2, 2] && i8.elements == .int64([-3, -2, -1, 0]))
        #expect(try i8.indexTensor().scalars == [-3, -2, -1, 0])
        #expect(try NPY.read(from: TestFiles.fixture("f4_big_endian.npy")).tensor().scalars == [-1.5, -1, -0.5, 0, 0.5, 1])
        let scalar = try NPY.read(from: TestFiles.fixture("scalar.npy"))
        #expect(scalar.shape == [] && scalar.tensor().scalar == 2.5)
    }

    @Test func rejectsUnsupportedLayouts() {
        expectDataError("fortran.npy", "Fortran-order") { _ = try NPY.read(from: TestFiles.fixture("fortran.npy")) }
        expectDataError("complex.npy", "unsupported dtype '<c8'") { _ = try NPY.read(from: TestFiles.fixture("complex.npy")) }
        expectDataError("not an integer") { _ = try NumericArray(shape: [1], elements: .float32([0.5])).indexTensor() }
    }

    @Test func roundTripsAndAlignment() throws {
        let folder = TestFiles.temporaryFolder()
        defer { TestFiles.remove(folder) }
        let tensor = Tensor(shape: [2, 1, 3], scalars: [1, 2, 3, 4, 5, 6])
        let url = folder.appendingPathComponent("t.npy")
        try NPY.write(tensor, to: url)
        #expect(try NPY.read(from: url).tensor().scalars == tensor.scalars)
        let bytes = NPY.encode(NumericArray(tensor))
        #expect((bytes.count - 24) % 64 == 0)  // data starts on a 64-byte boundary
        for array in [NumericArray(shape: [3], elements: .int64([1, -2, 3])), NumericArray(shape: [0, 4], elements: .uint8([]))] {
            #expect(try NPY.decode(NPY.encode(array), file: "x") == array)
        }
    }

    @Test func corruptedFilesThrow() {
        let good = TestFiles.bytes("f4.npy")
        expectDataError("t.npy", "truncated") { _ = try NPY.decode(Array(good.dropLast(2)), file: "t.npy") }
        expectDataError("not a .npy file") { _ = try NPY.decode(Array("hello".utf8), file: "t.npy") }
        var version = good; version[6] = 9
        expectDataError("version 9.0") { _ = try NPY.decode(version, file: "t.npy") }
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000, 100000000000), }"
        var bad = [0x93] + Array("NUMPY".utf8) + [1, 0] + [UInt8(header.utf8.count), 0] + Array(header.utf8)
        bad += [0, 0, 0, 0]
        expectDataError("too large") { _ = try NPY.decode(bad, file: "t.npy") }
        var garbled = good
        let at = (0..<(good.count - 5)).first { Array(good[$0..<($0 + 5)]) == Array("shape".utf8) }!
        garbled[at + 3] = UInt8(ascii: "x")
        expectDataError("no 'shape'") { _ = try NPY.decode(garbled, file: "t.npy") }
        fuzzTruncationsAndFlips(good) { _ = try NPY.decode($0, file: "f") }
    }
}

@Suite struct NPZTests {
    @Test func readsStoredAndDeflatedArchives() throws {
        for name in ["stored.npz", "deflated.npz"] {
            let arrays = try NPZ.read(from: TestFiles.fixture(name))
            #expect(Set(arrays.keys) == ["x", "labels"])
            #expect(arrays["x"]?.tensor().scalars == [-1.5, -1, -0.5, 0, 0.5, 1])
            #expect(arrays["labels"]?.elements == .int64([1, 2, 3]))
        }
    }

    @Test func roundTrips() throws {
        let folder = TestFiles.temporaryFolder()
        defer { TestFiles.remove(folder) }
        let arrays = ["a": NumericArray(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])), "b": NumericArray(IndexTensor([7, 8]))]
        for compressed in [false, true] {
            let url = folder.appendingPathComponent("r\(compressed).npz")
            try NPZ.write(arrays, to: url, compressed: compressed)
            #expect(try NPZ.read(from: url) == arrays)
        }
    }

    @Test func corruptedArchivesThrow() {
        for name in ["stored.npz", "deflated.npz"] {
            let good = TestFiles.bytes(name)
            expectDataError(name, "end-of-central-directory") { _ = try NPZ.decode(Array(good.prefix(good.count / 2)), file: name) }
            var crc = good
            // Corrupt one byte of the first entry's data (after its 30-byte header, name and extra).
            let dataStart = 30 + Int(good[26]) + Int(good[28]) + Int(good[29]) * 256
            crc[dataStart + 60] ^= 0x01
            expectDataError(name) { _ = try NPZ.decode(crc, file: name) }
            fuzzTruncationsAndFlips(good, stride: 3) { _ = try NPZ.decode($0, file: name) }
        }
        // A stored archive with a flipped data byte fails the CRC check specifically.
        var stored = TestFiles.bytes("stored.npz")
        let start = 30 + Int(stored[26]) + Int(stored[28]) + Int(stored[29]) * 256
        stored[start + 130] ^= 0x01
        expectDataError("CRC-32 mismatch") { _ = try NPZ.decode(stored, file: "s.npz") }
    }
}

@Suite struct CSVTests {
    @Test func parsesHeadersQuotesAndLineEnds() throws {
        let text = "\u{FEFF}a,b,\"c\"\r\n1,2.5,-3e2\r\n\r\n4, 5 ,\"6\"\n"
        let table = try CSV.decode(Array(text.utf8), file: "t.csv")
        #expect(table.columnNames == ["a", "b", "\"c\""] && table.rowCount == 2 && table.columnCount == 3)
        #expect(table.values == [1, 2.5, -300, 4, 5, 6])
        #expect(table.tensor(columns: 1..<3).scalars == [2.5, -300, 5, 6])
        #expect(try table.indexTensor(column: 0).scalars == [1, 4])
        let noHeader = try CSV.decode(Array("1;2\n3;4".utf8), file: "t.csv", delimiter: ";")
        #expect(noHeader.columnNames == nil && noHeader.values == [1, 2, 3, 4])
        let forced = try CSV.decode(Array("1,2\n3,4\n".utf8), file: "t.csv", header: .present)
        #expect(forced.columnNames == ["1", "2"] && forced.rowCount == 1)
    }

    @Test func roundTripsThroughFilesAndGzip() throws {
        let folder = TestFiles.temporaryFolder()
        defer { TestFiles.remove(folder) }
        let table = CSVTable(columnNames: ["x", "y"], rowCount: 2, columnCount: 2, values: [1, 0.25, -3, 1e-7])
        let plain = TestFiles.write(CSV.encode(table), "t.csv", in: folder)
        let packed = TestFiles.write(Zlib.deflate(CSV.encode(table), format: .gzip), "t.csv.gz", in: folder)
        #expect(try CSV.read(from: plain) == table)
        #expect(try CSV.read(from: packed) == table)
    }

    @Test func malformedFilesThrowWithLineNumbers() {
        expectDataError("t.csv", "line 3 has 2 fields, expected 3") { _ = try CSV.decode(Array("a,b,c\n1,2,3\n4,5\n".utf8), file: "t.csv") }
        expectDataError("line 2, column 2", "\"x\"") { _ = try CSV.decode(Array("1,2\n3,x\n".utf8), file: "t.csv") }
        expectDataError("unterminated") { _ = try CSV.decode(Array("1,\"2\n".utf8), file: "t.csv") }
        expectDataError("no rows") { _ = try CSV.decode(Array("\n\n".utf8), file: "t.csv") }
        expectDataError("not an integer label") {
            _ = try CSVTable(rowCount: 1, columnCount: 1, values: [1.5]).indexTensor(column: 0)
        }
    }
}
