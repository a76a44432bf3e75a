import Foundation
import LatentCore
import LatentData
import Testing

@Suite struct DatasetStoreTests {
    let images = IDX.encode(NumericArray(shape: [2, 2, 2], elements: .uint8([1, 2, 3, 4, 5, 6, 7, 8])))
    let text = Array("It was the best of times.\n".utf8)

    func descriptor(_ name: String, base: String, imagesChecksum: String? = nil, sources extra: [DatasetSource] = []) -> DatasetDescriptor {
        DatasetDescriptor(
            name: name, summary: "test", licence: "none", citation: "none", homepage: "none", splits: "none",
            files: [
                DatasetFile(name: "images-idx3-ubyte", byteCount: images.count, sha256: imagesChecksum ?? SHA256.hash(images).hexString),
                DatasetFile(name: "story.txt", byteCount: text.count, sha256: SHA256.hash(text).hexString),
            ],
            sources: extra + [
                DatasetSource(.localDirectory("/nonexistent/latent-test"), files: ["images-idx3-ubyte": "images-idx3-ubyte"]),
                DatasetSource(.download(baseURL: base), files: ["images-idx3-ubyte": "images-idx3-ubyte.gz", "story.txt": "story.txt"]),
            ])
    }

    @Test func installsFromALoopbackServerAndVerifies() throws {
        let server = try LoopbackHTTPServer(files: ["images-idx3-ubyte.gz": Zlib.deflate(images, format: .gzip), "story.txt": text])
        defer { server.stop() }
        let root = TestFiles.temporaryFolder()
        defer { TestFiles.remove(root) }
        let store = DatasetStore(root: root, registry: [descriptor("tiny", base: server.baseURL)])
        #expect(!store.isInstalled("tiny"))
        expectDataError("tiny", "not installed", "latent datasets install tiny") { _ = try store.path("tiny") }

        let log = LogLines()
        let folder = try store.install("tiny", options: InstallOptions(log: { log.append($0) }))
        #expect(folder == root.appendingPathComponent("tiny", isDirectory: true))
        #expect(try IDX.read(from: folder.appendingPathComponent("images-idx3-ubyte")).tensor().scalars == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(try Data(contentsOf: folder.appendingPathComponent("story.txt")) == Data(text))
        #expect(server.requests == ["images-idx3-ubyte.gz", "story.txt"])
        #expect(log.lines.contains { $0.contains("SHA-256 verified") })
        #expect(store.isInstalled("tiny"))
        #expect(try store.path("tiny") == folder)
        #expect(store.list().map(\.isInstalled) == [true])
        try store.verify("tiny")

        // Installing again uses the cache and makes no request.
        try store.install("tiny")
        #expect(server.requests.count == 2)

        // Damage a file without changing its size: verify notices, a reinstall repairs it.
        try Data("It was the worst of times\n".utf8).write(to: folder.appendingPathComponent("story.txt"))
        expectDataError("story.txt", "checksum mismatch") { try store.verify("tiny") }
        try store.install("tiny", options: InstallOptions(reverify: true))
        try store.verify("tiny")
        #expect(server.requests.count == 3)

        try store.remove("tiny")
        #expect(!store.isInstalled("tiny"))
    }

    @Test func checksumMismatchIsAnError() throws {
        let server = try LoopbackHTTPServer(files: ["images-idx3-ubyte.gz": Zlib.deflate(images, format: .gzip), "story.txt": text])
        defer { server.stop() }
        let root = TestFiles.temporaryFolder()
        defer { TestFiles.remove(root) }
        let wrong = String(repeating: "0", count: 64)
        let store = DatasetStore(root: root, registry: [descriptor("bad", base: server.baseURL, imagesChecksum: wrong)])
        expectDataError("could not install images-idx3-ubyte", "checksum mismatch", "\(server.baseURL)images-idx3-ubyte.gz",
                        "folder /nonexistent/latent-test", "no such file") {
            try store.install("bad")
        }
        #expect(!store.isInstalled("bad"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("bad/images-idx3-ubyte").path))
    }

    @Test func missingFilesAndDisabledSources() throws {
        let server = try LoopbackHTTPServer(files: [:])
        defer { server.stop() }
        let root = TestFiles.temporaryFolder()
        defer { TestFiles.remove(root) }
        let apt = DatasetSource(.aptPackage(name: "no-such-package", directory: "/nonexistent"),
                                files: ["story.txt": "story.txt", "images-idx3-ubyte": "images-idx3-ubyte"])
        let store = DatasetStore(root: root, registry: [descriptor("gone", base: server.baseURL, sources: [apt])])
        expectDataError("HTTP status 404") { try store.install("gone", options: InstallOptions(allowPackageInstallation: false)) }
        expectDataError("downloads are turned off", "package installation is turned off") {
            try store.install("gone", options: InstallOptions(allowPackageInstallation: false, allowDownload: false))
        }
        expectDataError("unknown dataset", "gone") { try store.install("mnist") }
    }

    @Test func defaultRootFollowsTheEnvironment() {
        #expect(DatasetStore.defaultRoot(environment: ["LATENT_DATA": "/data/latent"]).path == "/data/latent")
        #expect(DatasetStore.defaultRoot(environment: [:]).path.hasSuffix("/.cache/latent"))
        #expect(DatasetStore(root: URL(fileURLWithPath: "/x")).registry.map(\.name) == ["mnist", "fashion-mnist", "sherlock-holmes", "moby-dick"])
        for d in DatasetRegistry.standard {
            #expect(d.files.allSatisfy { $0.sha256.count == 64 && $0.byteCount > 0 })
            #expect(d.sources.contains { if case .download = $0.kind { true } else { false } })
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/gocode/src/github.com/pierrec/lz4/testdata/pg1661.txt")))
    func installsATextCorpusFromLocalPackageFiles() throws {
        let root = TestFiles.temporaryFolder()
        defer { TestFiles.remove(root) }
        let store = DatasetStore(root: root)
        try store.install("sherlock-holmes", options: InstallOptions(allowPackageInstallation: false, allowDownload: false))
        let corpus = try TextCorpus.installed("sherlock-holmes", store: store)
        #expect(corpus.text.hasPrefix("Produced by an anonymous Project Gutenberg volunteer"))
        #expect(corpus.text.contains("To Sherlock Holmes she is always THE woman."))
        #expect(!corpus.text.contains("\r") && !corpus.text.contains("*** END OF"))
        #expect(corpus.tokens.count > 550_000)
    }
}

final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ line: String) { lock.withLock { storage.append(line) } }
    var lines: [String] { lock.withLock { storage } }
}
