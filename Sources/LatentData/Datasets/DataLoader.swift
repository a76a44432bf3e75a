import Foundation
import LatentCore

/// Batches of a dataset, epoch after epoch, in an order fixed by a seed, optionally
/// prepared ahead on a background thread.
///
/// **Order.** Epoch `e` visits the examples in `order(epoch: e)`: `0..<count` when not
/// shuffling, otherwise a Philox permutation that is a pure function of `(seed, e)`. Step
/// `s` of the epoch takes positions `s·batchSize ..< (s+1)·batchSize` of that order (the
/// last batch is smaller unless `dropLast` drops it), so every example appears exactly
/// once per epoch (with `dropLast`, at most once). Random transforms receive a generator
/// that is a pure function of `(seed, e, s)`. Hence ``batch(epoch:step:)`` and
/// ``batches(epoch:startingAt:)`` reproduce any batch, and training resumed at
/// `(epoch, step)` sees exactly the batches it would have seen.
///
/// The streams: with `key = seed ⊕ "DataLoad"` (the ASCII bytes, as two 32-bit words),
/// the epoch stream is `RandomGenerator(key: key, counter: e).split()`; its first
/// `split()` gives the permutation stream, its second the root `r` of the batch streams,
/// and step `s` uses `RandomGenerator(key: r.key, counter: r.counter + s).split()`.
///
/// **Prefetch.** With `prefetch > 0`, a background thread gathers up to `prefetch`
/// batches ahead of the consumer (a bounded queue). Each batch depends only on its
/// indices and generator, so results are identical with and without prefetching.
///
/// **Iteration.** `for batch in loader` runs one epoch: the first loop epoch 0, the next
/// epoch 1, and so on (``epoch`` is the next one and can be set, e.g. when resuming).
///
/// ```swift
/// let loader = DataLoader(data, batchSize: 128, shuffle: true, seed: 42)
/// for epoch in 0..<10 {
///     for batch in loader.batches(epoch: epoch) { … }
/// }
/// ```
public final class DataLoader<D: Dataset>: Sequence, @unchecked Sendable {
    public let dataset: D
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let seed: UInt64
    /// Batches gathered ahead on a background thread (0: gather on the calling thread).
    public let prefetch: Int

    private let lock = NSLock()
    private var nextEpoch: Int

    /// - Parameters:
    ///   - dataset: The examples.
    ///   - batchSize: Examples per batch (positive).
    ///   - shuffle: Visit the examples in a seeded random order that changes every epoch.
    ///   - dropLast: Drop the final batch of an epoch when it is smaller than `batchSize`.
    ///   - seed: Determines the orders and the randomness of transforms.
    ///   - prefetch: Batches to prepare ahead on a background thread; 0 for none.
    public init(_ dataset: D, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                seed: UInt64 = 0, prefetch: Int = 2) {
        ensure(batchSize > 0, "DataLoader: batchSize must be positive, got \(batchSize)")
        ensure(prefetch >= 0, "DataLoader: prefetch must not be negative, got \(prefetch)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.prefetch = prefetch
        self.nextEpoch = 0
    }

    /// The epoch the next `for … in loader` loop iterates (then it advances by one).
    public var epoch: Int {
        get { lock.withLock { nextEpoch } }
        set {
            ensure(newValue >= 0, "DataLoader: negative epoch \(newValue)")
            lock.withLock { nextEpoch = newValue }
        }
    }

    /// Batches per epoch: `⌊count / batchSize⌋` with `dropLast`, else `⌈count / batchSize⌉`.
    public var batchesPerEpoch: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    var streamKey: SIMD2<UInt32> {
        // "Data" and "Load" in ASCII, so loader streams differ from RandomGenerator(seed:) streams.
        SIMD2(UInt32(truncatingIfNeeded: seed) ^ 0x4461_7461, UInt32(truncatingIfNeeded: seed >> 32) ^ 0x4c6f_6164)
    }

    func epochStreams(_ epoch: Int) -> (order: RandomGenerator, batches: RandomGenerator) {
        var epochRoot = RandomGenerator(key: streamKey, counter: UInt128(epoch))
        var stream = epochRoot.split()
        let order = stream.split()
        let batches = stream.split()
        return (order, batches)
    }

    /// The order in which epoch `epoch` visits the examples.
    public func order(epoch: Int) -> [Int] {
        ensure(epoch >= 0, "DataLoader.order: negative epoch \(epoch)")
        guard shuffle else { return Array(0..<dataset.count) }
        var generator = epochStreams(epoch).order
        return generator.permutation(dataset.count)
    }

    /// The generator handed to the dataset for step `step` of epoch `epoch`.
    public func generator(epoch: Int, step: Int) -> RandomGenerator {
        Self.batchGenerator(root: epochStreams(epoch).batches, step: step)
    }

    static func batchGenerator(root: RandomGenerator, step: Int) -> RandomGenerator {
        var g = RandomGenerator(key: root.key, counter: root.counter &+ UInt128(step))
        return g.split()
    }

    /// The dataset positions in step `step` of epoch `epoch`.
    public func indices(epoch: Int, step: Int) -> [Int] {
        let order = order(epoch: epoch)
        return Array(order[range(step: step)])
    }

    func range(step: Int) -> Range<Int> {
        ensure(step >= 0 && step < batchesPerEpoch, "DataLoader: step \(step) is out of range for \(batchesPerEpoch) batches per epoch")
        return (step * batchSize)..<Swift.min((step + 1) * batchSize, dataset.count)
    }

    /// Batch `step` of epoch `epoch`, exactly as iteration would produce it.
    public func batch(epoch: Int, step: Int) -> D.Batch {
        var g = generator(epoch: epoch, step: step)
        return dataset.batch(at: indices(epoch: epoch, step: step), generator: &g)
    }

    /// The batches of one epoch, from step `start` on (to resume mid-epoch).
    public func batches(epoch: Int, startingAt start: Int = 0) -> Epoch {
        ensure(epoch >= 0, "DataLoader.batches: negative epoch \(epoch)")
        ensure(start >= 0 && start <= batchesPerEpoch,
                     "DataLoader.batches: start step \(start) is out of range 0...\(batchesPerEpoch)")
        return Epoch(loader: self, epoch: epoch, start: start)
    }

    /// Iterates the next epoch (see ``epoch``).
    public func makeIterator() -> Epoch.Iterator {
        let e = lock.withLock { () -> Int in
            defer { nextEpoch += 1 }
            return nextEpoch
        }
        return batches(epoch: e).makeIterator()
    }

    /// The batches of one epoch.
    public struct Epoch: Sequence, Sendable {
        public let loader: DataLoader
        public let epoch: Int
        public let start: Int

        public var underestimatedCount: Int { loader.batchesPerEpoch - start }

        public func makeIterator() -> Iterator { Iterator(loader: loader, epoch: epoch, start: start) }

        /// Produces the batches, gathering ahead on a background thread when the loader's
        /// `prefetch` is positive. Dropping the iterator stops the background work.
        public final class Iterator: IteratorProtocol {
            let dataset: D
            let order: [Int]
            let batchRoot: RandomGenerator
            let ranges: [Range<Int>]
            let firstStep: Int
            var position = 0
            let prefetcher: Prefetcher<D.Batch>?

            init(loader: DataLoader, epoch: Int, start: Int) {
                dataset = loader.dataset
                order = loader.order(epoch: epoch)
                batchRoot = loader.epochStreams(epoch).batches
                ranges = (start..<loader.batchesPerEpoch).map { loader.range(step: $0) }
                firstStep = start
                let steps = Array(start..<loader.batchesPerEpoch)
                if loader.prefetch > 0 && !steps.isEmpty {
                    let dataset = self.dataset, order = self.order, root = self.batchRoot, ranges = self.ranges
                    prefetcher = Prefetcher(capacity: loader.prefetch, count: steps.count) { i in
                        Self.make(dataset: dataset, order: order, root: root, range: ranges[i], step: steps[i])
                    }
                } else {
                    prefetcher = nil
                }
            }

            static func make(dataset: D, order: [Int], root: RandomGenerator, range: Range<Int>, step: Int) -> D.Batch {
                var g = DataLoader.batchGenerator(root: root, step: step)
                return dataset.batch(at: Array(order[range]), generator: &g)
            }

            public func next() -> D.Batch? {
                guard position < ranges.count else { return nil }
                defer { position += 1 }
                if let prefetcher { return prefetcher.next() }
                return Self.make(dataset: dataset, order: order, root: batchRoot, range: ranges[position],
                                 step: firstStep + position)
            }

            deinit { prefetcher?.cancel() }
        }
    }
}

/// A producer thread filling a bounded queue of `count` results computed by `make(i)` in
/// order, and a consumer taking them in order.
final class Prefetcher<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [Element] = []
    private var head = 0
    private var cancelled = false
    private let capacity: Int

    init(capacity: Int, count: Int, make: @escaping @Sendable (Int) -> Element) {
        self.capacity = capacity
        let thread = Thread { [self] in
            for i in 0..<count {
                condition.lock()
                while queue.count - head >= capacity && !cancelled { condition.wait() }
                let stop = cancelled
                condition.unlock()
                if stop { return }
                let element = make(i)
                condition.lock()
                if head > 64 && head * 2 > queue.count {
                    queue.removeFirst(head)
                    head = 0
                }
                queue.append(element)
                condition.broadcast()
                condition.unlock()
            }
        }
        thread.name = "latent.dataloader.prefetch"
        thread.start()
    }

    /// The next element, waiting for the producer if needed. Call at most `count` times.
    func next() -> Element {
        condition.lock()
        defer { condition.unlock() }
        while queue.count == head { condition.wait() }
        let element = queue[head]
        head += 1
        condition.broadcast()
        return element
    }

    /// Stops the producer after its current element.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
