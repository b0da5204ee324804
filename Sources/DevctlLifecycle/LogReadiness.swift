import DevctlConfig
import DevctlSystem
import DevctlTracking
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The `log` health check: a service is ready once a line it wrote in its newest run matches the
/// pattern. Lines of earlier runs never count, nor devctl's own headers and notes. Only the end of
/// each file is read, only from a regular file (a link is never followed, a FIFO never waited
/// on), and `NAME.log.1` too when rotation has moved the run's header out of `NAME.log`.
public struct LogReadiness: Sendable {
    /// The most read of each file, from its end: a probe runs every fifth of a second while a
    /// service starts, and what it looks for was written moments ago.
    static let window = 1 << 20

    public let pattern: String
    private let expression: NSRegularExpression

    /// Throws when `pattern` is not a valid `NSRegularExpression`, which a validated services.json
    /// rules out.
    public init(pattern: String) throws {
        self.pattern = pattern
        expression = try NSRegularExpression(pattern: pattern)
    }

    /// One probe of the service whose log is at `path`.
    public func probe(logFile path: String) -> ProbeResult {
        do {
            return try newestRunMatches(logFile: path) ? .healthy : .unhealthy("no line matched /\(pattern)/ yet")
        } catch {
            return .unhealthy(error.description)
        }
    }

    /// Whether a line of the newest run matches. Lines before the first header of what was read
    /// belong to the newest run as well: its header is further back. While a file was read whole
    /// without a header, the run began in an older one (a burst of output can rotate the log more
    /// than once between two probes), so `NAME.log.1`, `NAME.log.2` … are searched in turn.
    func newestRunMatches(logFile path: String) throws(RegularFileError) -> Bool {
        var rotated = 0
        while true {
            let file = rotated == 0 ? path : "\(path).\(rotated)"
            let end = try Self.end(of: file)
            if end == nil, rotated > 0 { return false }
            let run = Self.newestRun(in: end?.lines ?? [])
            if run.lines.contains(where: matches) { return true }
            guard !run.foundHeader, end?.isWhole ?? true else { return false }
            rotated += 1
        }
    }

    func matches(_ text: Substring) -> Bool {
        let line = String(text)
        return expression.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
    }

    /// The service's own output after the newest run header among `lines` (all of it when there
    /// is no header), each without its stamp. An unstamped line, written before devctl stamped its
    /// logs, is taken whole.
    static func newestRun(in lines: [Substring]) -> (lines: [Substring], foundHeader: Bool) {
        let texts = lines.map { LogStamp.split($0)?.text ?? $0 }
        let header = texts.lastIndex { ServiceLog.isRunHeader($0) }
        let run = header.map { texts[texts.index(after: $0)...] } ?? texts[...]
        return (run.filter { !ServiceLog.isDevctlLine($0) }, header != nil)
    }

    /// The lines of the last `window` bytes of the regular file at `path` (the line cut by the
    /// window's start left out, a trailing `\r` dropped, invalid UTF-8 repaired), and whether that
    /// is the whole file; nil when there is no such file.
    static func end(of path: String) throws(RegularFileError) -> (lines: [Substring], isWhole: Bool)? {
        let fd: Int32
        do {
            fd = try FileSystem.openRegularFile(path, O_RDONLY)
        } catch where error.isMissing {
            return nil
        }
        defer { close(fd) }
        var info = stat()
        try RegularFileError.catching(try systemCall("fstat(\(path))") { fstat(fd, &info) })
        let start = max(0, Int(info.st_size) - window)
        if start > 0 {
            try RegularFileError.catching(try systemCall("lseek(\(path))") { lseek(fd, off_t(start), SEEK_SET) })
        }
        let bytes = try RegularFileError.catching(try FileSystem.read(fd: fd, limit: window, name: path))
        // Split as bytes: as Characters, "\r\n" is one and never equals "\n".
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        if start > 0, !lines.isEmpty { lines.removeFirst() }
        return (lines.map { Substring(LogReader.text($0)) }, start == 0)
    }
}

extension LogReadiness {
    /// Compiled checks by pattern, so a wait compiles its pattern once rather than on every probe.
    final class Cache: Sendable {
        private let checks = Mutex<[String: LogReadiness]>([:])

        /// The check for `pattern`, compiled on first use; nil when it does not compile.
        func readiness(for pattern: String) -> LogReadiness? {
            if let known = checks.withLock({ $0[pattern] }) { return known }
            guard let compiled = try? LogReadiness(pattern: pattern) else { return nil }
            checks.withLock { $0[pattern] = compiled }
            return compiled
        }
    }
}
