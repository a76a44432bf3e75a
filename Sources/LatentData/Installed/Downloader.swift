import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Blocking HTTP(S) downloads with URLSession.
enum Downloader {
    final class Box: @unchecked Sendable {
        var result: Result<[UInt8], DataError> = .failure(DataError(file: "", "no response"))
    }

    /// The body of a successful (2xx) GET of `url`.
    static func fetch(_ url: URL, timeout: TimeInterval) throws(DataError) -> [UInt8] {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = min(timeout, 120)
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: url) { data, response, error in
            if let error {
                box.result = .failure(DataError(file: url.absoluteString, "download failed: \(error.localizedDescription)"))
            } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                box.result = .failure(DataError(file: url.absoluteString, "download failed: HTTP status \(http.statusCode)"))
            } else if let data {
                box.result = .success([UInt8](data))
            } else {
                box.result = .failure(DataError(file: url.absoluteString, "download failed: empty response"))
            }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout + 5) == .timedOut {
            task.cancel()
            throw DataError(file: url.absoluteString, "download timed out after \(Int(timeout)) s")
        }
        return try box.result.get()
    }
}

/// Running external programs (apt-get, pip) for the installer.
enum ExternalCommand {
    /// Runs `arguments` (looked up on `PATH` via `/usr/bin/env`); returns the exit status
    /// and the last lines of its combined output.
    static func run(_ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("latent-cmd-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        guard let handle = try? FileHandle(forWritingTo: log) else { return (-1, "cannot create a log file") }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            try? handle.close()
            return (-1, "cannot run \(arguments.first ?? ""): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        try? handle.close()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let tail = text.split(separator: "\n").suffix(5).joined(separator: "\n")
        return (process.terminationStatus, tail)
    }

    /// Whether a program is on `PATH`.
    static func exists(_ program: String) -> Bool {
        run(["sh", "-c", "command -v \(program)"]).status == 0
    }
}
