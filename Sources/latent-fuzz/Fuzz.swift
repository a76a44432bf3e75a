import Foundation
import Latent

// Fuzzing every parser of input from outside: `latent-fuzz TARGET …`.
//
// Two builds of one source:
// - with libFuzzer (`Scripts/fuzz.sh`: `-sanitize=fuzzer -D FUZZING`, coverage-guided, the
//   target chosen by LATENT_FUZZ_TARGET): libFuzzer owns `main` and calls
//   `LLVMFuzzerTestOneInput` below;
// - the ordinary build (no instrumentation): a replay and mutation driver for CI and for
//   reproducing a crash without the fuzzer build —
//     latent-fuzz TARGET FILE_OR_FOLDER...          run each file once
//     latent-fuzz TARGET --mutate SECONDS FOLDER    random byte edits of the files, for SECONDS
//     latent-fuzz seeds FOLDER                      write the seed corpora (Fuzz/Corpus)
//
// A target passes when the parser returns or throws for every input: a trap, a hang or a
// runaway allocation is the bug it looks for.

/// One parser and the way its input enters Latent.
enum FuzzTarget: String, CaseIterable {
    case safetensors, idx, npy, npz, png, csv, config, metrics, text

    /// Parses `bytes`; errors are the expected outcome for most inputs.
    func run(_ bytes: [UInt8]) {
        switch self {
        case .safetensors:
            if let contents = try? SafeTensors.decode(Data(bytes), file: "fuzz") {
                for (_, tensor) in contents.tensors { _ = tensor.scalars.count }
            }
        case .idx: _ = try? IDX.decode(bytes, file: "fuzz")
        case .npy: _ = try? NPY.decode(bytes, file: "fuzz")
        case .npz: _ = try? NPZ.decode(bytes, file: "fuzz")
        case .png:
            if let image = try? PNG.decode(bytes, file: "fuzz") { _ = image.tensor() }
        case .csv:
            let plain = Zlib.isGzip(bytes) ? (try? Zlib.inflate(bytes, format: .gzip, file: "fuzz")) ?? [] : bytes
            _ = try? CSV.decode(plain, file: "fuzz")
        case .config: _ = try? TrainingConfiguration.decode(Data(bytes), file: "fuzz")
        case .metrics:
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") { _ = try? MetricsRecord.parse(line) }
        case .text:
            guard let corpus = try? TextCorpus(decoding: bytes, file: "fuzz", name: "fuzz") else { return }
            for split in [DataSplit.train, .validation, .test] { _ = corpus.tokens(split).count }
            _ = corpus.vocabulary.decode(Array(corpus.tokens.prefix(64)))
        }
    }

    /// A few valid files of the format, written by Latent's own encoders.
    func seeds() throws -> [String: [UInt8]] {
        var g = RandomGenerator(seed: 0)
        let small = g.normal([3, 4])
        switch self {
        case .safetensors:
            return ["two-tensors.safetensors": [UInt8](SafeTensors.encode(["layer.weight": small, "layer.bias": g.normal([4])],
                                                                          metadata: ["step": "12"]))]
        case .idx:
            let images = NumericArray(shape: [2, 4, 4], elements: .uint8((0..<32).map { UInt8($0 * 7 % 256) }))
            return ["images.idx3-ubyte": IDX.encode(images),
                    "labels.idx1-ubyte": IDX.encode(NumericArray(shape: [5], elements: .uint8([0, 1, 2, 3, 9])))]
        case .npy:
            return ["float.npy": NPY.encode(NumericArray(small)),
                    "int.npy": NPY.encode(NumericArray(shape: [2, 3], elements: .int64([1, -2, 3, 4, 5, 6])))]
        case .npz:
            let arrays = ["x": NumericArray(small), "y": NumericArray(shape: [3], elements: .int32([1, 2, 3]))]
            return ["stored.npz": NPZ.encode(arrays), "deflated.npz": NPZ.encode(arrays, compressed: true)]
        case .png:
            let grey = imageGrid(g.uniform([4, 1, 5, 5]), rows: 2)
            let colour = g.uniform([3, 6, 7])
            return ["grey.png": PNG.encode(PNGImage(grey)), "rgb.png": PNG.encode(PNGImage(colour))]
        case .csv:
            let text = Array("x,y,label\n0.5,-1.25,1\n2e3,4,0\n\"7\",8,1\n".utf8)
            return ["points.csv": text, "points.csv.gz": Zlib.deflate(text, format: .gzip)]
        case .config:
            var c = TrainingConfiguration()
            c.modelName = "vae"; c.dataset = "digits"; c.steps = 100; c.modelOptions = ["latent-dimension": "8"]
            c.learningRate = PerGroup(1e-3, groups: ["generator": 2e-4])
            return ["config.json": [UInt8](c.encoded())]
        case .metrics:
            let lines = [MetricsRecord(step: 10, epoch: 0, split: "train", loss: 1.5, itemsPerSecond: 100, time: 0.5, learningRate: 1e-3),
                         MetricsRecord(step: 20, epoch: 1, split: "validation", loss: 1.25, metrics: ["nll": 1.25], time: 1)]
            return ["metrics.jsonl": Array(lines.map { $0.jsonLine() + "\n" }.joined().utf8)]
        case .text:
            let text = Array("*** START OF THE BOOK ***\nIt was a dark night, and Holmes — ever the sceptic — said “no”.\n*** END OF THE BOOK ***\n".utf8)
            return ["book.txt": text, "book.txt.gz": Zlib.deflate(text, format: .gzip)]
        }
    }
}

#if FUZZING
/// The target of this fuzzing process, from LATENT_FUZZ_TARGET.
nonisolated(unsafe) let fuzzTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["LATENT_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("LATENT_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    fuzzTarget.run(bytes)
    return 0
}
#else
@main
struct FuzzDriver {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let usage = "usage: latent-fuzz TARGET FILE_OR_FOLDER... | TARGET --mutate SECONDS FOLDER | seeds FOLDER (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))"
        guard let first = arguments.first else { fail(usage) }
        if first == "seeds" {
            guard arguments.count == 2 else { fail(usage) }
            for target in FuzzTarget.allCases {
                let folder = URL(fileURLWithPath: arguments[1]).appendingPathComponent(target.rawValue, isDirectory: true)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for (name, bytes) in try target.seeds() { try Data(bytes).write(to: folder.appendingPathComponent(name)) }
            }
            return
        }
        guard let target = FuzzTarget(rawValue: first), arguments.count >= 2 else { fail(usage) }
        if arguments[1] == "--mutate" {
            guard arguments.count == 4, let seconds = Double(arguments[2]), seconds > 0 else { fail(usage) }
            let inputs = try files(arguments[3]).map { try [UInt8](Data(contentsOf: $0)) }
            guard !inputs.isEmpty else { fail("latent-fuzz: no files in \(arguments[3])") }
            let count = mutate(target, inputs, seconds: seconds)
            print("\(target.rawValue): \(count) mutated inputs in \(seconds) s, no crash")
            return
        }
        var count = 0
        for argument in arguments.dropFirst() {
            for file in try files(argument) {
                target.run(try [UInt8](Data(contentsOf: file)))
                count += 1
            }
        }
        print("\(target.rawValue): \(count) inputs replayed, no crash")
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(2)
    }

    /// The file itself, or the regular files of a folder (sorted, not recursive).
    static func files(_ path: String) throws -> [URL] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { fail("latent-fuzz: no file or folder \(path)") }
        let url = URL(fileURLWithPath: path)
        guard isFolder.boolValue else { return [url] }
        return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            .filter { !$0.hasDirectoryPath }.sorted { $0.path < $1.path }
    }

    /// Random edits of the inputs (byte flips, boundary values, insertions, deletions,
    /// truncations, splices of two inputs), deterministic in the seed 0, until the time is up.
    static func mutate(_ target: FuzzTarget, _ inputs: [[UInt8]], seconds: Double) -> Int {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return n <= 1 ? 0 : Int((state >> 33) % UInt64(n))
        }
        let start = Date()
        var count = 0
        let interesting: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 0x30, 0x2C, 0x0A, 0x22, 0x7B]
        while Date().timeIntervalSince(start) < seconds {
            var bytes = inputs[next(inputs.count)]
            for _ in 0...next(8) {
                switch next(7) {
                case 0 where !bytes.isEmpty: bytes[next(bytes.count)] ^= UInt8(1 << next(8))
                case 1 where !bytes.isEmpty: bytes[next(bytes.count)] = interesting[next(interesting.count)]
                case 2: bytes.insert(UInt8(truncatingIfNeeded: next(256)), at: next(bytes.count + 1))
                case 3 where !bytes.isEmpty: bytes.remove(at: next(bytes.count))
                case 4 where !bytes.isEmpty: bytes.removeLast(next(bytes.count))
                case 5 where bytes.count >= 4:
                    // a 32-bit field set to a boundary value (sizes, counts, offsets)
                    let at = next(bytes.count - 3)
                    let value: UInt32 = [0, 1, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0000, UInt32(bytes.count)][next(6)]
                    for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) }
                case 6:
                    let other = inputs[next(inputs.count)]
                    bytes = Array(bytes.prefix(next(bytes.count + 1))) + other.suffix(next(other.count + 1))
                default: break
                }
            }
            target.run(bytes)
            count += 1
        }
        return count
    }
}
#endif
