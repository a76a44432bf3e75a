import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Terminal output helpers: flushed lines, and whether stdout is a terminal.
enum Console {
    static var isTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    /// Prints a line to stdout and flushes it (so pipes see it at once).
    static func line(_ text: String) {
        print(text)
        fflush(nil)
    }

    /// Prints a line to stderr.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Replaces the current terminal line.
    static func overwrite(_ text: String) {
        print("\r\u{1B}[2K" + text, terminator: "")
        fflush(nil)
    }

    /// `m:ss` or `h:mm:ss`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 1e12 else { return "--:--" }
        let s = Int(seconds.rounded())
        let h = s / 3600, m = (s / 60) % 60, r = s % 60
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(r))" : "\(m):\(two(r))"
    }

    static func number(_ v: Double, digits: Int = 4) -> String {
        guard v.isFinite else { return "\(v)" }
        var text = String(format: "%.\(digits)f", v)
        if abs(v) >= 1000 { text = String(format: "%.1f", v) }
        return text
    }
}
