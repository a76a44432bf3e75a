import Foundation
import LatentCore
import LatentNN
import LatentTestSupport
import Testing

/// Runs `python3 -c <script> <arguments>`; returns its standard output and exit status.
private func runPython(_ script: String, _ arguments: [String] = []) -> (output: String, status: Int32)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (String(decoding: data, as: UTF8.self), process.terminationStatus)
}

/// Whether `python3` with the `safetensors` and `numpy` packages is available
/// (Scripts/setup.sh installs them).
private let pythonHasSafeTensors: Bool = runPython("import safetensors.numpy, numpy")?.status == 0

/// Files written by Latent open with Python's reference `safetensors` implementation.
@Suite struct SafeTensorsInteropTests {
    @Test(.enabled(if: pythonHasSafeTensors, "needs python3 with safetensors and numpy"))
    func latentFilesOpenInPython() throws {
        var g = RandomGenerator(seed: 0)
        let model = Sequential(Conv2d(1, 2, kernelSize: 3, generator: &g), BatchNorm2d(2), ReLU(), Flatten(),
                               Linear(8, 3, generator: &g))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("latent-interop-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        let script = """
            import json, sys
            from safetensors.numpy import load_file
            tensors = load_file(sys.argv[1])
            print(json.dumps({k: {"shape": list(v.shape), "dtype": str(v.dtype), "values": v.astype("float64").ravel().tolist()}
                              for k, v in tensors.items()}))
            """
        let result = try #require(runPython(script, [url.path]))
        #expect(result.status == 0)
        struct Entry: Decodable { let shape: [Int]; let dtype: String; let values: [Double] }
        let entries = try JSONDecoder().decode([String: Entry].self, from: Data(result.output.utf8))
        let state = model.state()
        #expect(Set(entries.keys) == Set(state.keys))
        for (key, tensor) in state {
            guard let e = entries[key] else { continue }
            #expect(e.shape == tensor.shape && e.dtype == "float32", "\(key)")
            #expect(e.values == tensor.scalars.map(Double.init), "\(key)")
        }
    }
}
