import DevctlProcesses
import DevctlSystem
import DevctlText
#if canImport(Glibc)
import Glibc
#endif

/// A place in a log file: which file (device and inode, so a re-created log is told apart from
/// the old one) and the byte offset to read on from.
public struct LogPosition: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var offset: UInt64

    /// The end of the file at `path` now, or nil when there is no such file, or no regular one.
    public static func end(of path: String) -> LogPosition? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return LogPosition(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), offset: UInt64(info.st_size))
    }
}

/// Reads the end of a service's log for `logs`: the last N lines it shows, reading backwards in
/// growing windows so a big log costs only its end, and on into the rotated files (`NAME.log.1`,
/// `NAME.log.2`, …) when the log holds fewer because it was just rotated.
public enum LogReader {
    /// The most read back in one file to find the time of the oldest line shown (a line written
    /// before stamps takes it from a line above it): past this, that line is shown without a time.
    static let maximumWindow: UInt64 = 16 << 20

    public struct Tail: Sendable {
        /// The last lines `logs` shows — output and devctl's notes, run headers left out — oldest
        /// first, each with the time it is merged by.
        public var entries: [LogEntry]
        /// Where following the log goes on: just past the last complete line that was read.
        public var position: LogPosition
    }

    /// The last `count` lines of the log at `path` that `logs` shows, or nil when there is no log.
    /// A last line still being written (no newline yet) is included unless `completeLinesOnly`,
    /// which `logs -f` asks for so that the follower prints that line whole once it is finished.
    /// Only regular files are read (`FileSystem.openRegularFile`): a link or a FIFO at `path`, or
    /// at a rotated file read for the rest, is an error, never read through or waited on.
    public static func tail(path: String, service: String, count: Int,
                            completeLinesOnly: Bool = false) throws(RegularFileError) -> Tail? {
        guard let newest = try OpenLog(path) else { return nil }
        defer { close(newest.descriptor) }
        func shown(_ lines: [String]) -> ArraySlice<LogEntry> {
            LogMerge.entries(of: lines, service: service).filter { $0.kind != .runHeader }.suffix(count)
        }
        func enough(_ lines: [String]) -> Bool {
            let kept = shown(lines)
            return kept.count >= count && kept.first.map { $0.time != nil } ?? true
        }
        let end = readBack(newest, completeLinesOnly: completeLinesOnly, enough: enough)
        var lines = end.lines, wholeFile = end.fromStart
        // Rotation renames NAME.log to NAME.log.1 and so on; a file already read (the log rotated
        // while it was being read) is not read twice.
        var read: Set<FileIdentity> = [newest.identity]
        var older = 1
        while wholeFile, !enough(lines), let rotated = try OpenLog("\(path).\(older)") {
            defer { close(rotated.descriptor) }
            older += 1
            guard read.insert(rotated.identity).inserted else { continue }
            let part = readBack(rotated, completeLinesOnly: false) { enough($0 + lines) }
            lines = part.lines + lines
            wholeFile = part.fromStart
        }
        let position = LogPosition(device: newest.identity.device, inode: newest.identity.inode, offset: end.followFrom)
        return Tail(entries: Array(shown(lines)), position: position)
    }

    /// The last `count` lines the newest run of the log wrote — none when it wrote none yet, never an
    /// earlier run's, never devctl's own — for `start` to show beside a service that failed, without
    /// their stamps. Its end is enough: lines before a header that is not in it belong to the newest
    /// run anyway. None from anything but a regular file.
    public static func newestRunTail(path: String, service: String, count: Int) -> [String] {
        guard let log = try? OpenLog(path) else { return [] }
        defer { close(log.descriptor) }
        let window: UInt64 = 16 << 10
        let start = log.size > window ? log.size - window : 0
        var lines = split(read(log.descriptor, from: start, to: log.size)[...])
        if start > 0, !lines.isEmpty { lines.removeFirst() }
        let entries = LogMerge.entries(of: lines, service: service)
        let run = entries.lastIndex { $0.kind == .runHeader }.map { entries[($0 + 1)...] } ?? entries[...]
        return Array(run.filter { $0.kind == .output }.map(\.line.text).suffix(count))
    }

    /// Which file: the same after a rename, another for a file created anew at the same path.
    private struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// A log file open for reading, with its identity and its size when opened.
    private struct OpenLog {
        var descriptor: Int32
        var identity: FileIdentity
        var size: UInt64

        /// Nil when there is no file at `path`.
        init?(_ path: String) throws(RegularFileError) {
            let fd: Int32
            do {
                fd = try FileSystem.openRegularFile(path, O_RDONLY)
            } catch where error.isMissing {
                return nil
            }
            var info = stat()
            do {
                try RegularFileError.catching(try systemCall("fstat(\(path))") { fstat(fd, &info) })
            } catch {
                close(fd)
                throw error
            }
            descriptor = fd
            identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            size = UInt64(info.st_size)
        }
    }

    /// The end of a log, read backwards in growing windows until `enough` says its lines suffice,
    /// the start of the file is reached or the window reaches `maximumWindow`. `fromStart` tells
    /// whether the lines begin the file; `followFrom` is the offset just past the last complete line.
    private static func readBack(_ log: OpenLog, completeLinesOnly: Bool, enough: ([String]) -> Bool)
        -> (lines: [String], fromStart: Bool, followFrom: UInt64)
    {
        var window: UInt64 = 16 << 10
        while true {
            let start = log.size > window ? log.size - window : 0
            let bytes = read(log.descriptor, from: start, to: log.size)
            let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n"))
            let completeEnd = lastNewline.map { $0 + 1 } ?? 0
            var lines = split(completeLinesOnly ? bytes[..<completeEnd] : bytes[...])
            // The first line of a window that does not start the file is probably cut.
            if start > 0, !lines.isEmpty { lines.removeFirst() }
            if enough(lines) || start == 0 || window >= maximumWindow {
                let followFrom = start + UInt64(lastNewline == nil && start > 0 ? 0 : completeEnd)
                return (lines, start == 0, followFrom)
            }
            window *= 4
        }
    }

    /// Bytes `start..<end` of the file.
    static func read(_ fd: Int32, from start: UInt64, to end: UInt64) -> [UInt8] {
        guard end > start else { return [] }
        var bytes = [UInt8](repeating: 0, count: Int(end - start))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                pread(fd, buffer.baseAddress! + filled, buffer.count - filled, off_t(start) + off_t(filled))
            }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            filled += count
        }
        return Array(bytes[..<filled])
    }

    /// Lines as text (invalid UTF-8 repaired, a trailing `\r` dropped); a final newline ends the
    /// last line rather than starting an empty one.
    static func split(_ bytes: ArraySlice<UInt8>) -> [String] {
        var parts = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if parts.last?.isEmpty == true { parts.removeLast() }
        return parts.map(text)
    }

    public static func text(_ line: ArraySlice<UInt8>) -> String {
        let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        return String(decoding: trimmed, as: UTF8.self)
    }
}
