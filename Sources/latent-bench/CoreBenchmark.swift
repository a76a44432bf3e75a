import Foundation
import Latent
@_spi(Benchmarks) import LatentCore

/// The `core` suite: GEMM, elementwise throughput, per-op overhead and one MLP training step.
enum CoreBenchmark {
    static func run() {
        printHeader()
        runGEMM(header: false)
        runElementwise()
        runOverhead()
        runMLP()
    }

    static func runGEMM() { runGEMM(header: true) }

    static func printHeader() {
        print("## latent-bench core\n")
        print("- BLAS backend: \(BLAS.backendName)")
        print("- BLAS threads: \(BLAS.threadCount.map(String.init) ?? "n/a"); Latent threads (Parallel.threadCount): \(Parallel.threadCount)")
        print("- Timing: median of repeated runs after warm-up, \(Timing.clockName)")
        if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
            let fields = load.split(separator: " ").prefix(3).joined(separator: " ")
            print("- Load average at start (1, 5, 15 min): \(fields) on \(ProcessInfo.processInfo.activeProcessorCount) cores")
        }
        print("")
    }

    // MARK: - GEMM

    static let gemmShapes: [(m: Int, k: Int, n: Int)] = [(128, 784, 512), (512, 512, 512), (1024, 1024, 1024)]

    static func runGEMM(header: Bool) {
        if header { printHeader() }
        print("### GEMM through the Tensor API vs a direct BLAS call (GFLOP/s)\n")
        let api = MarkdownTable(["shape [m,k]·[k,n]", "matmul (Tensor)", "BLAS.sgemm", "ratio (target ≥ 0.90)"])
        for (m, k, n) in gemmShapes {
            let flops = 2.0 * Double(m * n * k)
            let a = randomTensor([m, k], seed: 1), b = randomTensor([k, n], seed: 2)
            var tensorTime: Double
            var blasCell = "–", ratioCell = "–"
            if BLAS.isAvailable {
                let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
                defer { c.deallocate() }
                let t: Double
                (tensorTime, t) = Timing.compare({ blackHole(matmul(a, b)) }, {
                    BLAS.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                               a: a.storage.pointer, lda: k, b: b.storage.pointer, ldb: n, beta: 0, c: c, ldc: n)
                })
                blasCell = format(flops / t * 1e-9)
                ratioCell = format(t / tensorTime, 2)
            } else {
                tensorTime = Timing.measure(target: 0.2) { blackHole(matmul(a, b)) }
            }
            api.row(["[\(m),\(k)]·[\(k),\(n)]", format(flops / tensorTime * 1e-9), blasCell, ratioCell])
        }

        print("\n### Pure-Swift fallback GEMM vs OpenBLAS single-threaded (GFLOP/s)\n")
        let fallback = MarkdownTable(["shape [m,k]·[k,n]", "Swift (\(Parallel.threadCount) threads)", "Swift (1 thread)",
                                      "BLAS (1 thread)", "Swift 1t / BLAS 1t (target ≥ 0.40)"])
        for (m, k, n) in gemmShapes {
            let flops = 2.0 * Double(m * n * k)
            let a = randomTensor([m, k], seed: 1), b = randomTensor([k, n], seed: 2)
            let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
            defer { c.deallocate() }
            func swiftGEMM(threads: Int) -> Double {
                Timing.measure(target: 0.2) {
                    SwiftGEMM.multiply(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                                       a: a.storage.pointer, lda: k, b: b.storage.pointer, ldb: n,
                                       beta: 0, c: c, ldc: n, maximumThreads: threads)
                }
            }
            let multi = swiftGEMM(threads: Parallel.threadCount)
            var single: Double
            var blasCell = "–", ratioCell = "–"
            if BLAS.isAvailable {
                let saved = BLAS.threadCount
                BLAS.setThreadCount(1)
                let t: Double
                (single, t) = Timing.compare({
                    SwiftGEMM.multiply(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                                       a: a.storage.pointer, lda: k, b: b.storage.pointer, ldb: n,
                                       beta: 0, c: c, ldc: n, maximumThreads: 1)
                }, {
                    BLAS.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                               a: a.storage.pointer, lda: k, b: b.storage.pointer, ldb: n, beta: 0, c: c, ldc: n)
                })
                if let saved { BLAS.setThreadCount(saved) }
                blasCell = format(flops / t * 1e-9)
                ratioCell = format(t / single, 2)
            } else {
                single = swiftGEMM(threads: 1)
            }
            fallback.row(["[\(m),\(k)]·[\(k),\(n)]", format(flops / multi * 1e-9), format(flops / single * 1e-9),
                          blasCell, ratioCell])
        }
        print("")
    }

    // MARK: - Elementwise

    static func runElementwise() {
        print("### Elementwise throughput (GB/s, bytes read + written)\n")
        let table = MarkdownTable(["op", "elements", "GB/s", "copy GB/s", "op / copy (target ≥ 0.50)"])
        for count in [1 << 20, 1 << 24] {
            let x = randomTensor([count], seed: 3), y = randomTensor([count], seed: 4)
            let copyBytes = 8.0 * Double(count)
            let destination = TensorStorage(uninitializedCount: count)
            let ops: [(String, Double, () -> Tensor)] = [
                ("add", 12, { x + y }),
                ("mul", 12, { x * y }),
                ("exp", 8, { x.exp() }),
                ("sigmoid", 8, { benchSigmoid(x) }),
            ]
            for (name, bytesPerElement, op) in ops {
                // The copy is timed in alternation with each op, so both see the same load.
                let (copyTime, t) = Timing.compare({ simdCopy(x.storage.pointer, destination.pointer, count: count) },
                                                   { blackHole(op()) })
                let copyRate = copyBytes / copyTime * 1e-9
                let rate = bytesPerElement * Double(count) / t * 1e-9
                table.row([name, count == 1 << 20 ? "1M" : "16M", format(rate), format(copyRate), format(rate / copyRate, 2)])
            }
            withExtendedLifetime(destination) {}
        }
        print("")
    }

    /// A plain parallel SIMD copy: the bandwidth reference for elementwise ops.
    static func simdCopy(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        let s = UncheckedSendable(source), d = UncheckedSendable(destination)
        Parallel.forEachChunk(count: count, minimumChunk: Elementwise.parallelGrain) { range in
            let from = UnsafeRawPointer(s.value), to = UnsafeMutableRawPointer(d.value)
            var i = range.lowerBound
            while i + 16 <= range.upperBound {
                to.storeBytes(of: from.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self),
                              toByteOffset: i * 4, as: SIMD16<Float>.self)
                i += 16
            }
            while i < range.upperBound { d.value[i] = s.value[i]; i += 1 }
        }
    }

    // MARK: - Per-op overhead

    static func runOverhead() {
        print("### Per-op overhead on tiny tensors (shape [4])\n")
        let table = MarkdownTable(["measurement", "µs per op", "target"])
        let a = Tensor([1, 2, 3, 4]), b = Tensor([0.5, 0.25, 0.125, 0.0625])
        let forward = Timing.measure(target: 0.1) { blackHole(a + b) }
        table.row(["`a + b` forward (not recorded)", format(forward * 1e6, 2), "≤ 2"])
        let m = Tensor(shape: [4, 4], scalars: (0..<16).map { Float($0) / 16 })
        let product = Timing.measure(target: 0.1) { blackHole(matmul(m, m)) }
        table.row(["`matmul` [4,4]·[4,4] forward (not recorded)", format(product * 1e6, 2), "–"])
        let chain = 1000
        let backward = Timing.measure(target: 0.2) {
            blackHole(gradient(at: a) { x in
                var y = x
                for _ in 0..<chain { y = y + b }
                return y.sum()
            })
        }
        table.row(["`a + b` forward + backward in `gradient(at:)` (chain of \(chain))", format(backward / Double(chain) * 1e6, 2), "–"])
        print("")
    }

    // MARK: - MLP step

    static func runMLP() {
        print("### MLP 784-512-256-32 (ReLU), batch 128, mean-squared loss: forward + backward\n")
        let sizes = [784, 512, 256, 32]
        var parameters: [Tensor] = []
        for i in 0..<(sizes.count - 1) {
            let scale = Float(1 / Double(sizes[i]).squareRoot())
            parameters.append(randomTensor([sizes[i], sizes[i + 1]], seed: UInt64(10 + i)) * scale)
            parameters.append(Tensor(repeating: 0, shape: [sizes[i + 1]]))
        }
        let input = randomTensor([128, 784], seed: 20)
        let target = randomTensor([128, 32], seed: 21)
        func loss(_ p: [Tensor]) -> Tensor {
            var h = input
            for layer in 0..<3 {
                h = matmul(h, p[2 * layer]) + p[2 * layer + 1]
                if layer < 2 { h = benchRelu(h) }
            }
            let d = h - target
            return (d * d).mean()
        }
        let t = Timing.median(warmup: 3, repetitions: 15) {
            blackHole(valueAndGradient(at: parameters, of: loss))
        }
        let flops = 3.0 * 2.0 * 128 * Double(784 * 512 + 512 * 256 + 256 * 32)
        let table = MarkdownTable(["measurement", "ms per step", "GEMM GFLOP/s equivalent"])
        table.row(["forward + backward", format(t * 1e3, 2), format(flops / t * 1e-9)])
        print("")
    }

    // MARK: - Helpers

    /// A tensor of uniform values in [-1, 1) from a fixed seed.
    static func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        return Tensor(shape: shape) { p, count in
            for i in 0..<count {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                p[i] = Float(state >> 40) / Float(1 << 23) - 1
            }
        }
    }
}

// BENCH-PLACEHOLDER: switch to `x.sigmoid()` once the activation ops are merged.
/// σ(x) = 1 / (1 + e⁻ˣ), composed from core ops until `Tensor.sigmoid()` exists.
func benchSigmoid(_ x: Tensor) -> Tensor {
    1 / (1 + (-x).exp())
}

// BENCH-PLACEHOLDER: switch to `x.relu()` once the activation ops are merged.
/// max(x, 0) as a custom op: forward clamps, backward masks the gradient.
func benchRelu(_ x: Tensor) -> Tensor {
    let out = Tensor(shape: x.shape) { o, n in
        let p = x.storage.pointer
        for i in 0..<n { o[i] = max(p[i], 0) }
    }
    // The mask is an untracked constant, so capturing it is allowed.
    let mask = Tensor(shape: x.shape) { o, n in
        let p = x.storage.pointer
        for i in 0..<n { o[i] = p[i] > 0 ? 1 : 0 }
    }
    return Tensor.record("benchRelu", inputs: [x], output: out) { ctx in [ctx.gradient * mask] }
}
