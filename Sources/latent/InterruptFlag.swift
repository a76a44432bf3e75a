import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns the first SIGINT (Ctrl-C) into a flag the training loop polls, so it can save a
/// checkpoint and exit cleanly; a second SIGINT exits at once with status 130.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    private var source: DispatchSourceSignal?

    var isRaised: Bool { lock.withLock { raised } }

    /// Installs the handler (ignoring the default action of SIGINT).
    func install() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [self] in
            let again = lock.withLock { () -> Bool in
                defer { raised = true }
                return raised
            }
            if again {
                FileHandle.standardError.write(Data("\ninterrupted again: exiting without saving\n".utf8))
                _exit(130)
            }
            FileHandle.standardError.write(Data("\ninterrupt: finishing the current step and saving a checkpoint (Ctrl-C again to quit at once)\n".utf8))
        }
        source.resume()
        self.source = source
    }
}
