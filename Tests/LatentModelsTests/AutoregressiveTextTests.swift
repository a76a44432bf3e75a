import Foundation
import LatentCore
import LatentData
import LatentModels
import LatentNN
import Testing

/// The recurrent and Transformer character models: state carried across batches, exact
/// resume, and the key–value cache.
@Suite struct AutoregressiveTextTests {
    static func textData() throws -> DataDescription { try DatasetCatalog.description(of: "sherlock-holmes-excerpt") }

    static func model<M: GenerativeModel>(_ type: M.Type, _ options: [String: String], seed: UInt64 = 0) throws -> M {
        var g = RandomGenerator(seed: seed)
        return try M(options: ModelOptions(options, declared: M.options, model: M.modelName), data: textData(), generator: &g)
    }

    @Test func streamBatchesContinueRowByRow() {
        let tokens = (0..<103).map { Int32($0) }
        let d = ContiguousStreamDataset(tokens: tokens, length: 5, streams: 4)
        #expect(d.streamLength == 25 && d.chunksPerStream == 5 && d.count == 20)
        let loader = DataLoader(d, batchSize: 4, shuffle: false, dropLast: true)
        for step in 0..<(loader.batchesPerEpoch - 1) {
            let a = loader.batch(epoch: 0, step: step), b = loader.batch(epoch: 0, step: step + 1)
            for row in 0..<4 {
                // Row b of the next batch starts with the target that ended row b.
                #expect(b.inputs.scalars[row * 5] == a.targets.scalars[row * 5 + 4])
                #expect(Array(a.targets.scalars[(row * 5)..<(row * 5 + 4)]) == Array(a.inputs.scalars[(row * 5 + 1)..<(row * 5 + 5)]))
            }
        }
    }

    /// Carrying the state exactly: two halves give the same loss (and final state) as one pass.
    @Test(arguments: ["lstm", "gru"]) func sequenceSplitInTwoHalvesMatchesOnePass(cell: String) throws {
        let m = try Self.model(CharacterRNN.self, ["cell": cell, "layers": "2", "hidden": "16", "embedding": "8"])
        m.eval()
        var g = RandomGenerator(seed: 4)
        let v = m.vocabulary.count
        let ids = (0..<41).map { _ in Int32(g.uniform([1]).scalars[0] * Float(v - 1)) }
        let inputs = Array(ids[0..<40]), targets = Array(ids[1...40])
        func loss(_ r: Range<Int>, _ state: CharacterRNN.State?) -> (Double, CharacterRNN.State) {
            let out = m.run(IndexTensor(shape: [1, r.count], scalars: Array(inputs[r])), state: state, generator: &g)
            let l = crossEntropy(logits: out.logits, labels: IndexTensor(shape: [1, r.count], scalars: Array(targets[r])), reduction: .none)
            return (Double(l.sum().scalar), out.state)
        }
        let (whole, wholeState) = loss(0..<40, nil)
        let (first, carried) = loss(0..<17, nil)
        let (second, finalState) = loss(17..<40, carried)
        #expect(abs(whole - (first + second)) < 1e-4 * abs(whole), "\(whole) vs \(first) + \(second)")
        let gap = (wholeState.hidden - finalState.hidden).abs().max().scalar
        #expect(gap < 1e-5)
        // Without the carried state the second half scores differently.
        let (fresh, _) = loss(17..<40, nil)
        #expect(abs(fresh - second) > 1e-3)
    }

    /// Evaluation carries the state through the split: as one stream it scores the text
    /// exactly as one pass over all of it.
    @Test func evaluationCarriesTheStateThroughTheSplit() throws {
        let m = try Self.model(CharacterRNN.self, ["hidden": "12", "embedding": "6", "window": "8"])
        m.eval()
        var g = RandomGenerator(seed: 6)
        let v = m.vocabulary.count
        let ids = (0..<41).map { _ in Int32(g.uniform([1]).scalars[0] * Float(v - 1)) }
        let windows = AnyDataset(CharacterSequenceDataset(tokens: ids, length: 8))
        let whole = m.run(IndexTensor(shape: [1, 40], scalars: Array(ids[0..<40])), state: nil, generator: &g).logits
        let expected = Double(crossEntropy(logits: whole, labels: IndexTensor(shape: [1, 40], scalars: Array(ids[1...40]))).scalar)
        // Five windows are fewer than two streams of 16: one stream, whatever the batch size.
        for batchSize in [1, 64] {
            let one = try #require(m.evaluate(on: windows, batchSize: batchSize, generator: &g))
            #expect(abs(one[MetricName.nll]! - expected) < 1e-5, "\(one) vs \(expected)")
        }
        // 40 windows of 1 token in two streams (windows 0–19 and 20–39), each from zeros.
        let short = AnyDataset(CharacterSequenceDataset(tokens: ids, length: 1))
        let two = try #require(m.evaluate(on: short, batchSize: 8, generator: &g))
        func score(_ r: Range<Int>) -> Double {
            let l = m.run(IndexTensor(shape: [1, r.count], scalars: Array(ids[r])), state: nil, generator: &g).logits
            return Double(crossEntropy(logits: l, labels: IndexTensor(shape: [1, r.count], scalars: Array(ids[(r.lowerBound + 1)...r.upperBound])),
                                       reduction: .none).sum().scalar)
        }
        #expect(abs(two[MetricName.nll]! - (score(0..<20) + score(20..<40)) / 40) < 1e-5)
    }

    /// Interrupting and resuming a run with carried state gives the straight run's metrics
    /// and final checkpoint (the state buffers are in it), across an epoch boundary (where
    /// the state restarts): 2,000 characters, 8 streams of 16 give 14 steps per epoch.
    @Test func recurrentRunResumesExactly() throws {
        let folder = temporaryFolder("char-rnn-resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = try DatasetCatalog.corpus("sherlock-holmes-excerpt")
        let file = folder.appendingPathComponent("short.txt")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try String(corpus.text.prefix(2000)).write(to: file, atomically: true, encoding: .utf8)
        var c = TrainingConfiguration()
        c.modelName = "char-rnn"
        c.dataset = "text:" + file.path
        c.steps = 20
        c.batchSize = 8
        c.logEvery = 2
        c.validateEvery = 6
        c.evalBatchSize = 4
        c.modelOptions = ["hidden": "16", "embedding": "8", "layers": "1", "window": "16", "dropout": "0.1"]
        let straight = try expectExactResume(c, in: folder, interruptAt: 16)
        #expect(straight.readMetrics().last!.epoch == 1)
        let carried = try SafeTensorsFile(straight.latestCheckpoint).tensors.first { $0.key.hasSuffix("carriedHidden") }
        #expect(carried.map { $0.value.count == 8 * 16 && $0.value.contains { $0 != 0 } } == true, "the carried state is checkpointed")
    }

    /// Cached incremental logits equal the full causal pass, and cached generation the
    /// recomputing one, also past the context (where the window restarts).
    @Test func keyValueCacheMatchesFullRecomputation() throws {
        let m = try Self.model(CharacterTransformer.self, ["layers": "2", "heads": "2", "width": "16", "context": "12"])
        m.eval()
        var g = RandomGenerator(seed: 2)
        let v = m.vocabulary.count
        let ids = (0..<12).map { _ in Int32(g.uniform([1]).scalars[0] * Float(v - 1)) }
        let full = m.logits(IndexTensor(shape: [1, 12], scalars: ids), generator: &g)
        var caches = [KeyValueCache](repeating: KeyValueCache(), count: m.blocks.count)
        var pieces = [m.logits(IndexTensor(shape: [1, 5], scalars: Array(ids[0..<5])), caches: &caches)]
        for i in 5..<12 { pieces.append(m.logits(IndexTensor(shape: [1, 1], scalars: [ids[i]]), caches: &caches)) }
        let incremental = concatenate(pieces, alongAxis: 1)
        #expect((incremental - full).abs().max().scalar < 1e-5)
        var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
        let cached = m.generate(prompt: [ids[0], ids[1]], count: 40, sampling: TextSampling(), generator: &a, cached: true)
        let recomputed = m.generate(prompt: [ids[0], ids[1]], count: 40, sampling: TextSampling(), generator: &b, cached: false)
        #expect(cached == recomputed)
    }

    @Test func textFamiliesTrainAndContinueAPrompt() throws {
        for (name, options) in [("char-rnn", ["hidden": "32", "embedding": "16", "layers": "1", "window": "32"]),
                                ("char-transformer", ["layers": "1", "heads": "2", "width": "32", "context": "32"])] {
            let folder = temporaryFolder(name)
            defer { try? FileManager.default.removeItem(at: folder) }
            var c = TrainingConfiguration()
            c.modelName = name
            c.dataset = "sherlock-holmes-excerpt"
            c.steps = 60
            c.batchSize = 16
            c.learningRate = 3e-3
            c.modelOptions = options
            c.validateEvery = 60
            let run = RunDirectory(folder.appendingPathComponent("run"))
            #expect(try Trainer(configuration: c, run: run).train() == .completed(step: 60))
            let train = run.readMetrics().filter { $0.split == "train" }
            #expect(train.last!.loss < train.first!.loss - 0.3, "\(name): \(train.first!.loss) → \(train.last!.loss)")
            let trained = try TrainedRun(run)
            let texts = try trained.text(prompt: "Holmes ", count: 1, length: 80, sampling: TextSampling(temperature: 0.8), seed: 3)
            #expect(texts[0].hasPrefix("Holmes ") && texts[0].unicodeScalars.count == 87, "\(name)")
            #expect(throws: TrainingError.self) { try trained.text(prompt: "\u{2603}", count: 1, length: 5, sampling: TextSampling(), seed: 0) }
        }
    }

    /// Bad settings are one-line errors before any work.
    @Test func badSettingsAreOneLineErrors() throws {
        for (type, option) in [(CharacterRNN.self as any GenerativeModel.Type, "window"), (CharacterTransformer.self, "context")] {
            do {
                _ = try ModelOptions([option: "0"], declared: type.options, model: type.modelName)
                Issue.record("\(type.modelName): \(option)=0 accepted")
            } catch {
                #expect("\(error)".contains(option) && !"\(error)".contains("\n"), "\(error)")
            }
        }
        #expect(throws: ModelOptionError("char-transformer: width 30 must be a multiple of heads 4")) {
            _ = try Self.model(CharacterTransformer.self, ["width": "30", "heads": "4"])
        }
        let rnn = try Self.model(CharacterRNN.self, ["hidden": "8", "embedding": "4"])
        do {
            _ = try rnn.trainingDataset("sherlock-holmes-excerpt", store: .default, batchSize: 100_000)
            Issue.record("100000 streams accepted")
        } catch {
            #expect("\(error)".contains("too few for 100000 streams"), "\(error)")
        }
        var g = RandomGenerator(seed: 0)
        do {
            _ = try MADEModel(options: ModelOptions([:], declared: MADEModel.options, model: "made"), data: Self.textData(), generator: &g)
            Issue.record("made built on text")
        } catch {
            #expect("\(error)".contains("made: output=bernoulli models binary images"), "\(error)")
        }
    }
}
