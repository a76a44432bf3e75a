import Foundation

/// Timing for benchmarks: warm-up runs, then the median of several repetitions.
///
/// Times are wall-clock, unless `LATENT_BENCH_CLOCK=cpu` asks for the process's CPU time
/// (summed over its threads): on a machine shared with other jobs that measures
/// single-threaded kernels more steadily, but it overstates multi-threaded time.
enum Timing {
    /// Whether times are CPU time rather than wall-clock time.
    static let usesCPUTime = ProcessInfo.processInfo.environment["LATENT_BENCH_CLOCK"] == "cpu"

    /// The clock in use, for the report header.
    static var clockName: String { usesCPUTime ? "process CPU time (LATENT_BENCH_CLOCK=cpu)" : "wall clock" }

    /// Seconds since an arbitrary origin.
    static func now() -> Double {
        var t = timespec()
        clock_gettime(usesCPUTime ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// The median time in seconds of one call of `body`.
    ///
    /// `body` runs `warmup` times untimed, then `repetitions` times timed; each timed sample
    /// runs it `inner` times and is divided by `inner` (use `inner > 1` for operations far
    /// shorter than the clock's resolution).
    static func median(warmup: Int = 2, repetitions: Int = 7, inner: Int = 1, _ body: () -> Void) -> Double {
        for _ in 0..<warmup { body() }
        var samples: [Double] = []
        samples.reserveCapacity(repetitions)
        for _ in 0..<repetitions {
            let start = now()
            for _ in 0..<inner { body() }
            samples.append((now() - start) / Double(inner))
        }
        samples.sort()
        return samples[samples.count / 2]
    }

    /// Chooses `inner` so that one sample takes about `target` seconds.
    static func innerCount(target: Double = 0.05, _ body: () -> Void) -> Int {
        let start = now()
        body()
        let once = max(now() - start, 1e-9)
        return max(1, min(1_000_000, Int(target / once)))
    }

    /// The median time of `body` with an automatically sized inner loop.
    static func measure(target: Double = 0.05, repetitions: Int = 7, _ body: () -> Void) -> Double {
        body()
        let inner = innerCount(target: target, body)
        return median(warmup: 1, repetitions: repetitions, inner: inner, body)
    }
}

extension Timing {
    /// Median times of two operations whose ratio matters, measured in alternation
    /// (sample of `first`, sample of `second`, ...) so that a change in the machine's load
    /// affects both alike.
    static func compare(target: Double = 0.05, repetitions: Int = 9,
                        _ first: () -> Void, _ second: () -> Void) -> (Double, Double) {
        first()
        second()
        let innerFirst = innerCount(target: target, first)
        let innerSecond = innerCount(target: target, second)
        var a: [Double] = [], b: [Double] = []
        for _ in 0..<repetitions {
            var start = now()
            for _ in 0..<innerFirst { first() }
            a.append((now() - start) / Double(innerFirst))
            start = now()
            for _ in 0..<innerSecond { second() }
            b.append((now() - start) / Double(innerSecond))
        }
        a.sort()
        b.sort()
        return (a[a.count / 2], b[b.count / 2])
    }
}

/// Keeps the optimiser from discarding a benchmark's result.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// A Markdown table printed row by row.
struct MarkdownTable {
    let headers: [String]

    init(_ headers: [String]) {
        self.headers = headers
        print("| " + headers.joined(separator: " | ") + " |")
        print("|" + headers.map { _ in " --- |" }.joined())
    }

    func row(_ cells: [String]) {
        print("| " + cells.joined(separator: " | ") + " |")
    }
}

/// Formats a number with a fixed number of decimals.
func format(_ x: Double, _ decimals: Int = 1) -> String {
    guard x.isFinite else { return "–" }
    var s = String(Int((abs(x) * pow10(decimals)).rounded()))
    if decimals > 0 {
        while s.count <= decimals { s = "0" + s }
        s.insert(".", at: s.index(s.endIndex, offsetBy: -decimals))
    }
    return (x < 0 ? "-" : "") + s
}

private func pow10(_ n: Int) -> Double {
    var r = 1.0
    for _ in 0..<n { r *= 10 }
    return r
}
