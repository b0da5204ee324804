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
/// headers left out. A log that is truncated (smaller than what was read) is read again from its
/// start; one that is replaced by a new file (another inode at the path, as after a restart that
/// re-creates it) is read to its end, then the new file from its start; one that does not exist
/// yet is picked up when it appears. Only a regular file is followed: a link or a FIFO at a log's
/// path is never read through or waited on, just not followed. Polling keeps it simple and works
/// on every filesystem.
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
    /// without one, or whose file has changed since, is read from its start. `showingNotes` hands
    /// over devctl's notes in the logs (`exit`, `gave-up`, `keeper`) too, as `logs -f` shows them;
    /// without it only the services' output is, as `up` shows it (it announces exits itself).
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

    private func readNew(_ log: inout Followed) -> [String] {
        var lines = [String]()
        var atPath = stat()
        let exists = lstat(log.path, &atPath) == 0
        if log.descriptor >= 0, exists, UInt64(atPath.st_dev) != log.device || UInt64(atPath.st_ino) != log.inode {
            // Replaced: finish the old file (its writer may have added a last line), then switch.
            lines += drain(&log)
            close(log.descriptor)
            log.descriptor = -1
        }
        if log.descriptor < 0 {
            guard exists, open(&log) else { return lines }
        }
        var info = stat()
        if fstat(log.descriptor, &info) == 0, UInt64(info.st_size) < log.offset {
            log.offset = 0
            log.pending = []
        }
        return lines + drain(&log)
    }

    private func open(_ log: inout Followed) -> Bool {
        guard let fd = try? FileSystem.openRegularFile(log.path, O_RDONLY) else { return false }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            return false
        }
        log.descriptor = fd
        log.device = UInt64(info.st_dev)
        log.inode = UInt64(info.st_ino)
        log.offset = 0
        if let start = log.start, start.device == log.device, start.inode == log.inode, start.offset <= UInt64(info.st_size) {
            log.offset = start.offset
        }
        log.start = nil
        log.pending = []
        return true
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
