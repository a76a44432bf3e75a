#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A 64-byte-aligned, fixed-size buffer of `Float` values that backs a ``Tensor``.
///
/// Storage is written once, by the kernel that creates it, and is immutable afterwards;
/// that is what makes ``Tensor`` a `Sendable` value type. Freed buffers go back to a
/// size-bucketed pool (``BufferPool``) so that training loops, which allocate the same
/// shapes every step, do not pay for `malloc` and page faults on every op.
public final class TensorStorage: @unchecked Sendable {
    /// First element. Valid for `count` elements.
    public let pointer: UnsafeMutablePointer<Float>
    /// Number of `Float` elements.
    public let count: Int
    let capacity: Int

    /// Allocates uninitialised storage for `count` floats.
    public init(uninitializedCount count: Int) {
        ensure(count >= 0, "TensorStorage: negative element count \(count)")
        let (pointer, capacity) = BufferPool.shared.take(count)
        self.pointer = pointer
        self.count = count
        self.capacity = capacity
    }

    /// Allocates storage for `count` floats, all set to `value`.
    public convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.update(repeating: value, count: count)
    }

    deinit {
        BufferPool.shared.give(pointer, capacity: capacity)
    }

    /// Read-only view of the elements.
    @inlinable public var buffer: UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: pointer, count: count)
    }
}

/// A process-wide cache of freed aligned buffers, bucketed by power-of-two capacity.
///
/// Buffers below 64 floats are always served by `malloc`, which is fast for them. The pool
/// keeps at most ``maximumCachedBytes`` in total, behind a lock, so it never grows
/// without bound.
public final class BufferPool: Sendable {
    public static let shared = BufferPool()

    /// Upper bound on the bytes kept in the cache (default 1 GiB).
    public let maximumCachedBytes: Int = 1 << 30

    private struct State {
        var buckets: [[UInt]] = Array(repeating: [], count: 64)
        var cachedBytes = 0
    }
    private let state = Mutex(State())

    private static let minimumPooled = 64

    @inline(__always)
    private static func bucket(for count: Int) -> (index: Int, capacity: Int) {
        let c = max(count, minimumPooled)
        let index = Int.bitWidth - (c - 1).leadingZeroBitCount
        return (index, 1 << index)
    }

    func take(_ count: Int) -> (UnsafeMutablePointer<Float>, Int) {
        if count < Self.minimumPooled {
            return (Self.allocate(max(count, 1)), 0)
        }
        let (index, capacity) = Self.bucket(for: count)
        let cached: UInt? = state.withLock { s in
            guard let p = s.buckets[index].popLast() else { return nil }
            s.cachedBytes -= capacity * MemoryLayout<Float>.stride
            return p
        }
        if let cached, let p = UnsafeMutablePointer<Float>(bitPattern: cached) { return (p, capacity) }
        return (Self.allocate(capacity), capacity)
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        if capacity == 0 { free(pointer); return }
        let index = Self.bucket(for: capacity).index
        let bytes = capacity * MemoryLayout<Float>.stride
        let kept: Bool = state.withLock { s in
            guard s.cachedBytes + bytes <= maximumCachedBytes else { return false }
            s.buckets[index].append(UInt(bitPattern: pointer))
            s.cachedBytes += bytes
            return true
        }
        if !kept { free(pointer) }
    }

    /// Returns every cached buffer to the system.
    public func purge() {
        let all: [UInt] = state.withLock { s in
            let all = s.buckets.flatMap { $0 }
            s.buckets = Array(repeating: [], count: 64)
            s.cachedBytes = 0
            return all
        }
        for p in all { free(UnsafeMutableRawPointer(bitPattern: p)) }
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        var raw: UnsafeMutableRawPointer?
        let status = posix_memalign(&raw, 64, count * MemoryLayout<Float>.stride)
        guard status == 0, let raw else {
            fatalError("TensorStorage: cannot allocate \(count) floats (\(count * 4) bytes)")
        }
        return raw.bindMemory(to: Float.self, capacity: count)
    }
}
