import Foundation
import LatentCore
import LatentData
import Testing

@Suite struct EmbeddedDataTests {
    @Test func digits() throws {
        let all = try Digits.all()
        #expect(all.count == 1797 && all.featureShape == [1, 8, 8])
        #expect(all.labelCounts() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        let values = Set(all.features.scalars)
        #expect(values.isSubset(of: Set((0...16).map(Float.init))) && values.count == 17)
        // The first image of scikit-learn's load_digits().
        #expect(Array(all.features.scalars[0..<8]) == [0, 0, 5, 13, 9, 1, 0, 0] && all.labels?.scalars[0] == 0)

        let train = Digits.indices(.train), validation = Digits.indices(.validation), test = Digits.indices(.test)
        #expect(train.count == 1257 && validation.count == 180 && test.count == 360)
        #expect(Set(train + validation + test) == Set(0..<1797))
        #expect(Digits.indices(.trainAndValidation) == train + validation)
        let scaled = try Digits.load(.validation)
        #expect(scaled.count == 180 && scaled.features.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(try Digits.load(.test, scaled: false).features.scalars == all.subset(test).features.scalars)
    }

    @Test func embeddedText() throws {
        let corpus = try TextCorpus.embedded()
        #expect(corpus.text.hasPrefix("ADVENTURE I. A SCANDAL IN BOHEMIA"))
        #expect(corpus.tokens.count > 180_000 && corpus.vocabulary.count > 60 && corpus.vocabulary.count < 100)
        #expect(corpus.vocabulary.decode(corpus.tokens) == corpus.text)
        let n = corpus.tokens.count
        #expect(corpus.range(.train) == 0..<(n * 9 / 10) && corpus.range(.test).upperBound == n)
        #expect(corpus.tokens(.train).count + corpus.tokens(.validation).count + corpus.tokens(.test).count == n)
        let windows = corpus.sequences(.validation, length: 64)
        #expect(windows.count == (corpus.tokens(.validation).count - 1) / 64)
        let batch = DataLoader(windows, batchSize: 8, shuffle: true).batch(epoch: 0, step: 0)
        #expect(batch.inputs.shape == [8, 64])
    }

    @Test func vocabulary() throws {
        let v = CharacterVocabulary(text: "hello\r\n")
        #expect(v.characters == ["\n", "\r", "e", "h", "l", "o"])
        #expect(try v.encode("hole\r\n") == [3, 5, 4, 2, 1, 0] && v.decode([3, 5, 4, 2]) == "hole")
        expectDataError("\"z\"", "position 2") { _ = try v.encode("hez") }
        #expect(TextCorpus.clean("\u{FEFF}junk\r\n*** START OF X ***\r\nbody\r\n*** END OF X ***\r\nlicence") == "body\n")
        let folder = TestFiles.temporaryFolder()
        defer { TestFiles.remove(folder) }
        let invalid = TestFiles.write([0x66, 0xFF, 0xFE], "bad.txt", in: folder)
        expectDataError("bad.txt", "not valid UTF-8") { _ = try TextCorpus(contentsOf: invalid) }
    }
}
