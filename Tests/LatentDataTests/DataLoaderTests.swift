import Foundation
import LatentCore
import LatentData
import Testing

/// A dataset whose batches record their indices and one draw from the batch generator,
/// so tests see both the order and the randomness.
private struct Probe: Dataset {
    let count: Int
    func batch(at indices: [Int], generator: inout RandomGenerator) -> [Int] {
        indices + [Int(generator.next() % 1_000_000)]
    }
}

private func epochBatches(_ loader: DataLoader<Probe>, _ epoch: Int, from start: Int = 0) -> [[Int]] {
    Array(loader.batches(epoch: epoch, startingAt: start))
}

@Suite struct DataLoaderTests {
    @Test func everyExampleOncePerEpoch() {
        for (count, batchSize) in [(10, 3), (12, 4), (1, 5), (7, 7)] {
            let loader = DataLoader(Probe(count: count), batchSize: batchSize, shuffle: true, seed: 5, prefetch: 0)
            for epoch in 0..<3 {
                let batches = epochBatches(loader, epoch)
                #expect(batches.count == (count + batchSize - 1) / batchSize)
                let seen = batches.flatMap { $0.dropLast() }
                #expect(seen.sorted() == Array(0..<count), "epoch \(epoch): \(seen)")
                #expect(batches.dropLast().allSatisfy { $0.count - 1 == batchSize })
            }
        }
    }

    @Test func dropLastDropsOnlyTheShortBatch() {
        let loader = DataLoader(Probe(count: 10), batchSize: 3, shuffle: true, dropLast: true, seed: 1, prefetch: 0)
        let batches = epochBatches(loader, 0)
        #expect(loader.batchesPerEpoch == 3 && batches.count == 3)
        let seen = batches.flatMap { $0.dropLast() }
        #expect(Set(seen).count == 9 && seen.allSatisfy { (0..<10).contains($0) })
        #expect(seen == Array(loader.order(epoch: 0).prefix(9)))
        let exact = DataLoader(Probe(count: 9), batchSize: 3, dropLast: true, prefetch: 0)
        #expect(exact.batchesPerEpoch == 3 && epochBatches(exact, 0).flatMap { $0.dropLast() } == Array(0..<9))
    }

    @Test func unshuffledOrderIsSequential() {
        let loader = DataLoader(Probe(count: 5), batchSize: 2, prefetch: 0)
        #expect(epochBatches(loader, 3).map { Array($0.dropLast()) } == [[0, 1], [2, 3], [4]])
    }

    @Test func sameSeedSameBatchesDifferentSeedsDiffer() {
        let a = DataLoader(Probe(count: 50), batchSize: 8, shuffle: true, seed: 7, prefetch: 0)
        let b = DataLoader(Probe(count: 50), batchSize: 8, shuffle: true, seed: 7, prefetch: 0)
        let c = DataLoader(Probe(count: 50), batchSize: 8, shuffle: true, seed: 8, prefetch: 0)
        #expect(epochBatches(a, 2) == epochBatches(b, 2))
        #expect(epochBatches(a, 2) != epochBatches(c, 2))
        #expect(a.order(epoch: 0) != a.order(epoch: 1))
        // The transform randomness differs between steps and epochs.
        #expect(a.generator(epoch: 0, step: 0) != a.generator(epoch: 0, step: 1))
        #expect(a.generator(epoch: 0, step: 0) != a.generator(epoch: 1, step: 0))
    }

    @Test func resumingEqualsContinuing() {
        let loader = DataLoader(Probe(count: 23), batchSize: 4, shuffle: true, seed: 99, prefetch: 0)
        let full = epochBatches(loader, 4)
        #expect(epochBatches(loader, 4, from: 3) == Array(full[3...]))
        #expect(epochBatches(loader, 4, from: full.count).isEmpty)
        for step in 0..<full.count {
            #expect(loader.batch(epoch: 4, step: step) == full[step])
            #expect(loader.indices(epoch: 4, step: step) == Array(full[step].dropLast()))
        }
        // A new loader with the same settings, positioned at epoch 4, continues identically.
        let resumed = DataLoader(Probe(count: 23), batchSize: 4, shuffle: true, seed: 99, prefetch: 0)
        resumed.epoch = 4
        #expect(Array(resumed) == full)
        #expect(resumed.epoch == 5)
    }

    @Test func forLoopAdvancesEpochs() {
        let loader = DataLoader(Probe(count: 6), batchSize: 4, shuffle: true, seed: 3, prefetch: 0)
        let first = Array(loader), second = Array(loader)
        #expect(first == epochBatches(loader, 0) && second == epochBatches(loader, 1))
        #expect(loader.epoch == 2)
    }

    @Test func prefetchGivesIdenticalBatches() {
        for prefetch in [1, 3, 64] {
            let plain = DataLoader(Probe(count: 37), batchSize: 5, shuffle: true, seed: 11, prefetch: 0)
            let ahead = DataLoader(Probe(count: 37), batchSize: 5, shuffle: true, seed: 11, prefetch: prefetch)
            for epoch in 0..<2 {
                #expect(epochBatches(plain, epoch) == epochBatches(ahead, epoch))
                #expect(epochBatches(plain, epoch, from: 4) == epochBatches(ahead, epoch, from: 4))
            }
        }
    }

    @Test func abandoningAPrefetchingIteratorStopsCleanly() {
        let loader = DataLoader(Probe(count: 1000), batchSize: 2, shuffle: true, prefetch: 2)
        for _ in 0..<20 {
            let iterator = loader.batches(epoch: 0).makeIterator()
            _ = iterator.next()
        }
        #expect(loader.batches(epoch: 0).underestimatedCount == 500)
    }

    @Test func tensorDatasetBatchesCopyRowsAndLabels() {
        let x = Tensor(shape: [5, 2, 2], scalars: (0..<20).map(Float.init))
        let data = TensorDataset(features: x, labels: IndexTensor([4, 3, 2, 1, 0]))
        let b = data.batch(at: [3, 0])
        #expect(b.features.shape == [2, 2, 2])
        #expect(b.features.scalars == [12, 13, 14, 15, 0, 1, 2, 3])
        #expect(b.labels?.scalars == [1, 4] && b.indices == [3, 0])
        #expect(data.example(at: 2).features.scalars == [8, 9, 10, 11] && data.example(at: 2).label == 2)
        #expect(data.subset(1..<3).features.scalars == Array((4..<12).map(Float.init)))
        #expect(data.reshapedFeatures(to: [4]).featureShape == [4])
        #expect(data.labelCounts() == [1, 1, 1, 1, 1])

        let loader = DataLoader(data, batchSize: 2, shuffle: true, seed: 2)
        var rows: [Float] = []
        for batch in loader.batches(epoch: 0) { rows += stride(from: 0, to: batch.features.scalarCount, by: 4).map { batch.features.scalars[$0] } }
        #expect(rows.sorted() == [0, 4, 8, 12, 16])
    }

    @Test func characterSequences() {
        let tokens: [Int32] = Array(0..<11)
        let data = CharacterSequenceDataset(tokens: tokens, length: 3)
        #expect(data.count == 3)
        let b = data.batch(at: [2, 0])
        #expect(b.inputs.shape == [2, 3] && b.inputs.scalars == [6, 7, 8, 0, 1, 2])
        #expect(b.targets.scalars == [7, 8, 9, 1, 2, 3])
    }
}
