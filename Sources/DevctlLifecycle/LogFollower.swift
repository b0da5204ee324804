import DevctlConfig
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// Follows several services' logs at once for `logs -f` and `up`: each poll reads what was
/// appended since the last one and hands over complete lines, their stamps taken off and run
/// headers left out. A log that is rotated or replaced (another file at the path: the keeper
/// renamed `NAME.log` to `NAME.log.1` and began a new one) is read to its end, then the new file
/// from its start, so no line is lost or repeated; one that is truncated (smaller than what was
/// read) is read again from its start; one that does not exist yet is picked up when it appears.
/// Only a regular file is followed: a link or a FIFO at a log's path is never read through or
/// waited on, just not followed. Polling keeps it simple and works on every filesystem.
public final class LogFollower {
    /// A line still being written is handed over whole once it ends, or in pieces of this size
    /// when a service writes endlessly without a newline.
    static let longestLine = 64 << 10

    private struct Followed {
        var service: String
        var path: String
        var descriptor: Int32 = -1
        var device: UInt64 = 0
        var inode: UInt64 = 0
        var offset: UInt64 = 0
        /// Where to begin when the log is first opened; nil to read from the start.
        var start: LogPosition?
        var pending: [UInt8] = []
    }

    private var logs: [Followed]
    private let showingNotes: Bool

    /// `start` holds, per service, where reading begins (a `LogPosition` taken earlier); a log
    /// without one, or whose file has changed since (and is not the first rotated file either),
    /// is read from its start. `showingNotes` hands over devctl's notes in the logs (`exit`,
    /// `gave-up`, `keeper`) too, as `logs -f` shows them; without it only the services' output
    /// is, as `up` shows it (it announces exits itself).
    public init(logs: [(service: String, path: String)], start: [String: LogPosition], showingNotes: Bool = false) {
        self.logs = logs.map { Followed(service: $0.service, path: $0.path, start: start[$0.service]) }
        self.showingNotes = showingNotes
    }

    deinit {
        for log in logs where log.descriptor >= 0 { close(log.descriptor) }
    }

    /// Reads every log once and hands each new complete line to `emit`, in file order per log.
    /// Stops early when `emit` returns false (nobody reads the output any more). Returns whether
    /// any line was handed over.
    @discardableResult
    public func poll(_ emit: (LogLine) -> Bool) -> Bool {
        var any = false
        for index in logs.indices {
            for stored in readNew(&logs[index]) {
                guard let line = shown(stored, service: logs[index].service) else { continue }
                any = true
                guard emit(line) else { return any }
            }
        }
        return any
    }

    /// Hands over what is left of unfinished lines, for the end of a session.
    public func flush(_ emit: (LogLine) -> Bool) {
        poll(emit)
        for index in logs.indices where !logs[index].pending.isEmpty {
            let stored = LogReader.text(logs[index].pending[...])
            logs[index].pending = []
            if let line = shown(stored, service: logs[index].service), !emit(line) { return }
        }
    }

    /// The line as handed over, or nil for one left out.
    private func shown(_ stored: String, service: String) -> LogLine? {
        let entry = LogMerge.entry(stored, service: service, after: nil)
        switch entry.kind {
        case .output: return entry.line
        case .note: return showingNotes ? entry.line : nil
        case .runHeader: return nil
        }
    }

    /// The stored lines added since the last read, in order, across a rotation or replacement.
    private func readNew(_ log: inout Followed) -> [String] {
        if log.descriptor < 0, !open(&log) { return [] }
        var lines = [String]()
        while true {
            var info = stat()
            if fstat(log.descriptor, &info) == 0, UInt64(info.st_size) < log.offset {
                log.offset = 0
                log.pending = []
            }
            lines += drain(&log)
            var atPath = stat()
            guard lstat(log.path, &atPath) == 0, UInt64(atPath.st_dev) != log.device || UInt64(atPath.st_ino) != log.inode else {
                return lines
            }
            // Rotated or replaced, and just read to its end: its writer has moved on to the new
            // file, so an unfinished last line is all there will be of it.
            if !log.pending.isEmpty { lines.append(LogReader.text(log.pending[...])) }
            close(log.descriptor)
            log.descriptor = -1
            guard open(&log) else { return lines }
        }
    }

    /// Opens the log, where its `start` position says when that is still the file at its path —
    /// or the first rotated file, when the log was rotated since the position was taken: the rest
    /// of it is read first, then (the path naming another file) the new log.
    private func open(_ log: inout Followed) -> Bool {
        let start = log.start
        guard let (fd, info) = Self.openRegular(log.path) else { return false }
        var opened = (fd: fd, info: info)
        if let start, !start.names(opened.info), let (rotated, rotatedInfo) = Self.openRegular(log.path + ".1") {
            if start.names(rotatedInfo) {
                close(opened.fd)
                opened = (rotated, rotatedInfo)
            } else {
                close(rotated)
            }
        }
        log.descriptor = opened.fd
        log.device = UInt64(opened.info.st_dev)
        log.inode = UInt64(opened.info.st_ino)
        log.offset = 0
        if let start, start.names(opened.info), start.offset <= UInt64(opened.info.st_size) {
            log.offset = start.offset
        }
        log.start = nil
        log.pending = []
        return true
    }

    private static func openRegular(_ path: String) -> (Int32, stat)? {
        guard let fd = try? FileSystem.openRegularFile(path, O_RDONLY) else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            return nil
        }
        return (fd, info)
    }

    /// Everything appended since the last read, as complete stored lines.
    private func drain(_ log: inout Followed) -> [String] {
        var lines = [String]()
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(log.descriptor, $0.baseAddress, $0.count, off_t(log.offset)) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            log.offset += UInt64(count)
            log.pending += chunk[..<count]
            var from = log.pending.startIndex
            while let newline = log.pending[from...].firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(LogReader.text(log.pending[from..<newline]))
                from = newline + 1
            }
            log.pending.removeSubrange(..<from)
            while log.pending.count >= Self.longestLine {
                lines.append(LogReader.text(log.pending[..<Self.longestLine]))
                log.pending.removeSubrange(..<Self.longestLine)
            }
        }
        return lines
    }
}

private extension LogPosition {
    /// Whether this position is in the file `info` describes.
    func names(_ info: stat) -> Bool {
        device == UInt64(info.st_dev) && inode == UInt64(info.st_ino)
    }
}
