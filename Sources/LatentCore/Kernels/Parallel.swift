import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny parallel-for over index ranges, used by kernels for large tensors.
///
/// Work is split into contiguous chunks that do not depend on the thread count for their
/// *results*: kernels only ever split independent elements (or reduce in a fixed chunk
/// order), so the same inputs give the same bits on 1 or 16 threads.
///
/// Internal to LatentCore (layers above call ops, never kernels); tests and latent-bench
/// reach it as `@_spi(Testing)` / `@_spi(Benchmarks) import LatentCore` (`@testable
/// import` needs `-enable-testing`, which release builds do not pass).
@_spi(Testing) @_spi(Benchmarks) public enum Parallel {
    /// Number of worker threads: `LATENT_THREADS` if set, else the number of cores.
    public static let threadCount: Int = {
        if let s = getenv("LATENT_THREADS"), let n = Int(String(cString: s)), n > 0 { return n }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }()

    /// Calls `body` on consecutive sub-ranges of `0..<count` covering it exactly once.
    /// Runs inline when `count` is below `2 * minimumChunk` or there is one thread.
    @inlinable
    public static func forEachChunk(count: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void) {
        let threads = threadCount
        if threads <= 1 || count < 2 * minimumChunk {
            if count > 0 { body(0..<count) }
            return
        }
        let chunks = min(threads, count / minimumChunk)
        let size = (count + chunks - 1) / chunks
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = c * size
                let hi = min(count, lo + size)
                if lo < hi { box.value(lo..<hi) }
            }
        }
    }
}

/// Carries a value across a concurrency boundary that the caller knows is safe
/// (kernels hand disjoint output ranges to worker threads). Internal to LatentCore, as
/// ``Parallel``; latent-bench reaches it through `@_spi(Benchmarks)`.
@_spi(Benchmarks) public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    @inlinable public init(_ value: Value) { self.value = value }
}
