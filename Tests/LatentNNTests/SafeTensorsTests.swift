import Foundation
import LatentCore
import LatentNN
import LatentTestSupport
import Testing

@Suite struct SafeTensorsTests {
    let tensors: [String: Tensor] = [
        "encoder.weight": Tensor(shape: [2, 3], scalars: [1, -2, 3.5, 0, 1e-8, -1e30]),
        "encoder.bias": Tensor([0.25, -0.5]),
        "scalar": Tensor(7),
        "empty": Tensor(shape: [0, 4], scalars: []),
    ]

    func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("latent-st-\(UUID().uuidString)-\(name)")
    }

    @Test func roundTrip() throws {
        let url = temporaryFile("a.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(tensors, metadata: ["format": "pt", "note": "quote \" and \\"], to: url)
        let back = try SafeTensors.read(from: url)
        #expect(back.metadata == ["format": "pt", "note": "quote \" and \\"])
        #expect(Set(back.tensors.keys) == Set(tensors.keys))
        for (k, v) in tensors { #expect(back.tensors[k]!.shape == v.shape && back.tensors[k]!.scalars == v.scalars) }
        // Header length is a multiple of 8 and the file has no temporary leftovers.
        let data = try Data(contentsOf: url)
        #expect(Int(data[0]) % 8 == 0)
        let siblings = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        #expect(!siblings.contains { $0.contains(url.lastPathComponent + ".tmp") })
    }

    /// Builds a file from a header string and a data section.
    func file(header: String, data: [UInt8]) -> Data {
        var d = Data()
        var n = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &n) { d.append(contentsOf: $0) }
        d.append(contentsOf: Array(header.utf8))
        d.append(contentsOf: data)
        return d
    }

    func expectError(_ data: Data, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try SafeTensors.decode(data, file: "bad.safetensors")
            Issue.record("expected an error containing '\(text)'", sourceLocation: sourceLocation)
        } catch let error as SafeTensorsError {
            #expect(error.description.hasPrefix("bad.safetensors: "), sourceLocation: sourceLocation)
            #expect(error.reason.contains(text), "\(error.reason)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func malformedFilesThrowDescriptiveErrors() {
        let good = SafeTensors.encode(tensors)
        expectError(Data([1, 2, 3]), containing: "too short")
        expectError(good.prefix(good.count - 4), containing: "outside the data section")
        expectError(good.prefix(20), containing: "truncated")
        var huge = Data(repeating: 0xFF, count: 8); huge.append(contentsOf: [1, 2])
        expectError(huge, containing: "exceeds the limit")
        expectError(file(header: "not json", data: []), containing: "not a JSON object")
        expectError(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                         data: Array(repeating: 0, count: 8)), containing: "overlaps")
        expectError(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                         data: Array(repeating: 0, count: 8)), containing: "gap")
        expectError(file(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,
                         data: Array(repeating: 0, count: 8)), containing: "needs 12 bytes")
        expectError(file(header: #"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#,
                         data: Array(repeating: 0, count: 8)), containing: "unsupported dtype C64")
        expectError(file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
                         data: Array(repeating: 0, count: 4)), containing: "invalid shape")
        expectError(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                         data: Array(repeating: 0, count: 12)), containing: "8 bytes after the last tensor")
        expectError(file(header: #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#,
                         data: Array(repeating: 0, count: 4)), containing: "needs")
    }

    @Test func readsOtherDtypes() throws {
        // F16 1.0 = 0x3C00, BF16 -2.0 = 0xC000, I64 5, F64 0.5
        var data: [UInt8] = [0x00, 0x3C, 0x00, 0xC0]
        data += [5, 0, 0, 0, 0, 0, 0, 0]
        data += Array(withUnsafeBytes(of: (0.5 as Double).bitPattern.littleEndian) { Array($0) })
        let header = #"{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[2,4]},"i":{"dtype":"I64","shape":[1],"data_offsets":[4,12]},"d":{"dtype":"F64","shape":[1],"data_offsets":[12,20]}}"#
        let c = try SafeTensors.decode(file(header: header, data: data))
        #expect(c.tensors["h"]!.scalars == [1])
        #expect(c.tensors["b"]!.scalars == [-2])
        #expect(c.tensors["i"]!.scalars == [5])
        #expect(c.tensors["d"]!.scalars == [0.5])
    }

    @Test func missingFileNamesThePath() {
        #expect(throws: SafeTensorsError.self) { try SafeTensors.read(from: URL(fileURLWithPath: "/nonexistent/x.safetensors")) }
    }
}
