import Foundation
import LatentCore
import LatentData
import Testing

private func pythonWithNumPy() -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import numpy"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}

/// Files written by Latent are read back by NumPy and by a PNG decoder written in Python
/// with zlib and struct (PIL is not assumed); skipped without python3 and NumPy.
@Suite(.enabled(if: pythonWithNumPy()))
struct InteroperabilityTests {
    static let checker = #"""
    import sys, struct, zlib
    import numpy as np
    folder = sys.argv[1]
    a = np.load(folder + "/a.npy")
    assert a.dtype == np.float32 and a.shape == (2, 3), (a.dtype, a.shape)
    assert a.tolist() == [[0, 1, 2], [3, 4, 5.5]], a
    z = np.load(folder + "/z.npz")
    assert sorted(z.files) == ["labels", "x"], z.files
    assert z["labels"].dtype == np.int64 and z["labels"].tolist() == [3, 1]
    assert np.array_equal(z["x"], a)
    assert np.load(folder + "/u.npy").tolist() == [[0, 255]]

    data = open(folder + "/image.png", "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(kind + body)
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw, stride, rows = zlib.decompress(idat), width * channels, []
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        prev = rows[-1] if rows else bytearray(stride)
        for i in range(stride):
            a_ = line[i - channels] if i >= channels else 0
            b_, c_ = prev[i], (prev[i - channels] if i >= channels else 0)
            p = a_ + b_ - c_
            pred = [0, a_, b_, (a_ + b_) // 2,
                    a_ if abs(p - a_) <= abs(p - b_) and abs(p - a_) <= abs(p - c_) else (b_ if abs(p - b_) <= abs(p - c_) else c_)][f]
            line[i] = (line[i] + pred) % 256
        rows.append(line)
    expected = [[[(x * 17 + y * 29 + c * 80) % 256 for c in range(channels)] for x in range(width)] for y in range(height)]
    assert [list(r) for r in rows] == [[v for px in row for v in px] for row in expected]
    print("ok")
    """#

    @Test func numpyAndPythonReadOurFiles() throws {
        let folder = TestFiles.temporaryFolder()
        defer { TestFiles.remove(folder) }
        let a = Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5.5])
        try NPY.write(a, to: folder.appendingPathComponent("a.npy"))
        try NPY.write(NumericArray(shape: [1, 2], elements: .uint8([0, 255])), to: folder.appendingPathComponent("u.npy"))
        try NPZ.write(["x": NumericArray(a), "labels": NumericArray(IndexTensor([3, 1]))],
                      to: folder.appendingPathComponent("z.npz"), compressed: true)
        let (w, h, c) = (23, 9, 3)
        var pixels: [UInt8] = []
        for y in 0..<h { for x in 0..<w { for k in 0..<c { pixels.append(UInt8((x * 17 + y * 29 + k * 80) % 256)) } } }
        try PNG.write(PNGImage(width: w, height: h, colorType: .rgb, pixels: pixels), to: folder.appendingPathComponent("image.png"))
        let script = TestFiles.write(Array(Self.checker.utf8), "check.py", in: folder)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, folder.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0 && output.contains("ok"), "\(output)")
    }
}
