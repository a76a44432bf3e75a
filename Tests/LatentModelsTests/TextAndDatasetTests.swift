import Foundation
import LatentCore
import LatentData
import LatentModels
import LatentNN
import Testing

/// Text as a data kind, the open dataset registry and local files.
@Suite struct TextAndDatasetTests {
    @Test func textDatasetsAreDescribedWithTheirVocabulary() throws {
        let d = try DatasetCatalog.description(of: "sherlock-holmes-excerpt")
        guard case .text(.characters(let v)) = d.kind else { Issue.record("not character text: \(d.kind)"); return }
        #expect(v.count > 60 && v.count < 100)
        let bytes = try DatasetCatalog.description(of: "bytes:sherlock-holmes-excerpt")
        #expect(bytes.kind == .text(.bytes) && bytes.vocabulary?.count == 256)
        // Contiguous splits: the last 5 % test, the 5 % before it validation.
        let corpus = try DatasetCatalog.corpus("sherlock-holmes-excerpt")
        let n = corpus.tokens.count
        #expect(corpus.range(.test) == (n * 19 / 20)..<n && corpus.range(.validation) == (n * 9 / 10)..<(n * 19 / 20))
        #expect(throws: TrainingError("dataset 'sherlock-holmes-excerpt' is text; this model trains on images or vectors (text models: char-mlp, char-rnn, char-transformer)")) {
            try DatasetCatalog.load("sherlock-holmes-excerpt", split: .train)
        }
        #expect(throws: TrainingError("dataset 'digits' holds images or vectors; this model trains on text (e.g. sherlock-holmes-excerpt, or text:PATH)")) {
            try DatasetCatalog.corpus("digits")
        }
        // Descriptions round-trip through JSON (they are part of run folders' reasoning).
        let encoded = try JSONEncoder().encode(d)
        #expect(try JSONDecoder().decode(DataDescription.self, from: encoded) == d)
    }

    @Test func byteVocabularyEncodesAnyText() throws {
        let v = TokenVocabulary.bytes
        let tokens = try v.encode("naïve ☃")
        #expect(tokens.count == "naïve ☃".utf8.count && v.decode(tokens) == "naïve ☃")
        let c = TokenVocabulary.characters(CharacterVocabulary(text: "abc "))
        #expect(throws: DataError(file: "text", "characters \"x\" (U+78), \"y\" (U+79) are not in the vocabulary (the first at position 2)")) {
            try c.encode("abxyx")
        }
    }

    @Test func samplingSettingsTruncateAndAreChecked() throws {
        var g = RandomGenerator(seed: 1)
        let logits: [Float] = [0, 3, 1, 2]
        // top-k 1 and top-p tiny are greedy.
        for _ in 0..<20 {
            #expect(TextSampling(topK: 1).draw(logits, generator: &g) == 1)
            #expect(TextSampling(topP: 0.01).draw(logits, generator: &g) == 1)
            #expect([1, 3].contains(TextSampling(topK: 2).draw(logits, generator: &g)))
        }
        // Low temperature concentrates on the argmax; frequencies follow softmax at T = 1.
        var counts = [0, 0, 0, 0]
        for _ in 0..<4000 { counts[Int(TextSampling().draw(logits, generator: &g))] += 1 }
        let z = logits.map { exp(Double($0)) }.reduce(0, +)
        for (i, c) in counts.enumerated() { #expect(abs(Double(c) / 4000 - exp(Double(logits[i])) / z) < 0.03) }
        #expect(throws: TrainingError("--temperature must be a positive number, got 0.0")) { try TextSampling(temperature: 0).validate() }
        #expect(throws: TrainingError("--top-k must be at least 1, got 0")) { try TextSampling(topK: 0).validate() }
        #expect(throws: TrainingError("--top-p must be in (0, 1], got 1.5")) { try TextSampling(topP: 1.5).validate() }
    }

    /// A text family through the trainer: the loss falls, evaluation reports bits per
    /// character, and the model continues a prompt (bad prompts get a clear error).
    @Test func characterModelTrainsAndContinuesAPrompt() throws {
        let folder = temporaryFolder("char-mlp")
        defer { try? FileManager.default.removeItem(at: folder) }
        var c = TrainingConfiguration()
        c.modelName = "char-mlp"
        c.dataset = "sherlock-holmes-excerpt"
        c.steps = 150
        c.batchSize = 16
        c.learningRate = 3e-3
        c.modelOptions = ["hidden": "64", "window": "32"]
        c.validateEvery = 150
        let run = RunDirectory(folder.appendingPathComponent("run"))
        #expect(try Trainer(configuration: c, run: run).train() == .completed(step: 150))
        let train = run.readMetrics().filter { $0.split == "train" }
        #expect(train.last!.loss < train.first!.loss - 0.5, "\(train.first!.loss) → \(train.last!.loss)")
        let trained = try TrainedRun(run)
        let metrics = try trained.evaluate(split: .test)
        #expect(metrics["bits-per-char"]! < 3.6 && abs(metrics["bits-per-char"]! - metrics["nll"]! / log(2.0)) < 1e-9)
        #expect(trained.generatesText)
        let texts = try trained.text(prompt: "Holmes ", count: 2, length: 40, sampling: TextSampling(temperature: 0.8, topK: 20), seed: 3)
        #expect(texts.count == 2 && texts.allSatisfy { $0.hasPrefix("Holmes ") && $0.unicodeScalars.count == 47 })
        #expect(try trained.text(prompt: "Holmes ", count: 1, length: 40, sampling: TextSampling(temperature: 0.8, topK: 20), seed: 3)[0] == texts[0],
                "same seed, same text")
        let html = try TrainingReport.html(for: trained)
        #expect(html.components(separatedBy: "<pre class=\"text-sample\">").count == 3, "text samples at two temperatures")
        #expect(throws: TrainingError.self) { try trained.text(prompt: "Holmes \u{2603}", count: 1, length: 5, sampling: TextSampling(), seed: 0) }
        do {
            _ = try trained.text(prompt: "\u{2603}", count: 1, length: 5, sampling: TextSampling(), seed: 0)
        } catch {
            #expect("\(error)".contains("--prompt: character \"☃\" (U+2603) at position 0 is not in the vocabulary"), "\(error)")
        }
    }

    @Test func localArraysAndImageFoldersAreDatasets() throws {
        let folder = temporaryFolder("local-data")
        defer { try? FileManager.default.removeItem(at: folder) }
        // [40, 3] float vectors.
        var g = RandomGenerator(seed: 0)
        let points = g.normal([40, 3])
        let npy = folder.appendingPathComponent("points.npy")
        try NPY.write(points, to: npy)
        let name = "file:" + npy.path
        let d = try DatasetCatalog.description(of: name)
        #expect(d.featureShape == [3] && d.kind == .continuous)
        let train = try DatasetCatalog.load(name, split: .train), validation = try DatasetCatalog.load(name, split: .validation)
        let test = try DatasetCatalog.load(name, split: .test)
        #expect(train.count == 36 && validation.count == 2 && test.count == 2)
        #expect(test.features.scalars == Array(points.scalars.suffix(6)))

        // A folder of 8-bit grey PNGs.
        let images = folder.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        for i in 0..<5 { try PNG.write(Tensor.full([1, 4, 6], Float(i) / 4), to: images.appendingPathComponent("img\(i).png")) }
        let imageSet = try DatasetCatalog.description(of: "file:" + images.path)
        #expect(imageSet.featureShape == [1, 4, 6] && imageSet.kind == .image(levels: 256))
        #expect(try DatasetCatalog.load("file:" + images.path, split: .test).features.scalars.allSatisfy { $0 == 1 })

        // Bad files: clear one-line errors naming the file.
        let bad = folder.appendingPathComponent("bad.npy")
        try Data("not an array".utf8).write(to: bad)
        #expect(throws: TrainingError.self) { try DatasetCatalog.description(of: "file:" + bad.path) }
        #expect(throws: TrainingError("dataset 'file:/nowhere/x.npy': /nowhere/x.npy does not exist")) {
            try DatasetCatalog.description(of: "file:/nowhere/x.npy")
        }
        try NPY.write(Tensor([1, Float.nan, 3, 4]).reshaped(to: [2, 2]), to: bad)
        do { _ = try DatasetCatalog.description(of: "file:" + bad.path); Issue.record("NaN accepted") } catch {
            #expect("\(error)".contains("holds NaN or infinite values"))
        }
    }

    @Test func registeredDatasetsTrain() throws {
        DatasetCatalog.register(.init(name: "test-registered-line", summary: "points on a line",
                                      description: { _ in DataDescription(featureShape: [2], kind: .continuous, name: "test-registered-line") },
                                      tensors: { split, _ in
                                          let n = split == .train ? 256 : 64
                                          let t = Tensor(shape: [n, 1], scalars: (0..<n).map { Float($0) / Float(n) })
                                          return TensorDataset(features: LatentCore.concatenate([t, t * 2], alongAxis: 1))
                                      }))
        #expect(DatasetCatalog.names.contains("test-registered-line"))
        let folder = temporaryFolder("registered")
        defer { try? FileManager.default.removeItem(at: folder) }
        var c = configuration("test-registered-line", steps: 10)
        c.validateEvery = 10
        #expect(try Trainer(configuration: c, run: RunDirectory(folder.appendingPathComponent("run"))).train() == .completed(step: 10))
    }
}
