import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns the first SIGINT (Ctrl-C) or SIGTERM (what schedulers and `docker stop` send)
/// into a flag the training loop polls, so it can save a checkpoint and exit cleanly, with
/// status 130 (SIGINT) or 143 (SIGTERM); a second signal exits at once with that status.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised: Int32?
    private var sources: [DispatchSourceSignal] = []

    var isRaised: Bool { lock.withLock { raised != nil } }

    /// The exit status for the signal received: 128 + its number (130 or 143).
    var exitStatus: Int32 { 128 + (lock.withLock { raised } ?? SIGINT) }

    /// Installs the handlers (ignoring the default actions of SIGINT and SIGTERM).
    func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                let again = lock.withLock { () -> Bool in
                    defer { if raised == nil { raised = number } }
                    return raised != nil
                }
                let name = number == SIGTERM ? "SIGTERM" : "interrupt"
                if again {
                    FileHandle.standardError.write(Data("\n\(name) again: exiting without saving\n".utf8))
                    _exit(128 + number)
                }
                FileHandle.standardError.write(Data("\n\(name): finishing the current step and saving a checkpoint (send it again to quit at once)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }
}
