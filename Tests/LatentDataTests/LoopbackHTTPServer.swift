import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.0 file server on 127.0.0.1 (an ephemeral port) for installer tests:
/// `GET /name` answers 200 with the bytes registered under `name`, anything else 404.
/// One connection at a time on a background thread; `stop()` closes the socket.
final class LoopbackHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let socketDescriptor: Int32
    private let files: [String: [UInt8]]
    private let lock = NSLock()
    private var paths: [String] = []

    /// The paths requested so far.
    var requests: [String] { lock.withLock { paths } }

    var baseURL: String { "http://127.0.0.1:\(port)/" }

    init(files: [String: [UInt8]]) throws {
        self.files = files
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        socketDescriptor = fd
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    private func serve() {
        while true {
            let client = accept(socketDescriptor, nil, nil)
            if client < 0 { return }
            var request: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.suffix(4).elementsEqual([13, 10, 13, 10]) && request.count < 65536 {
                let n = read(client, &buffer, buffer.count)
                if n <= 0 { break }
                request += buffer[0..<n]
            }
            let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self).split(separator: " ")
            let path = line.count >= 2 ? String(line[1].dropFirst()) : ""
            lock.withLock { paths.append(path) }
            let body = files[path]
            var response = Array("HTTP/1.0 \(body == nil ? "404 Not Found" : "200 OK")\r\nContent-Length: \(body?.count ?? 0)\r\nConnection: close\r\n\r\n".utf8)
            response += body ?? []
            var sent = 0
            while sent < response.count {
                let n = response[sent...].withUnsafeBytes { write(client, $0.baseAddress!, $0.count) }
                if n <= 0 { break }
                sent += n
            }
            close(client)
        }
    }

    func stop() {
        shutdown(socketDescriptor, Int32(SHUT_RDWR))
        close(socketDescriptor)
    }
}
