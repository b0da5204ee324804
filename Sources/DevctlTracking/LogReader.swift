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

/// Reads the end of a service's log for `logs`: the last N output lines, grouped into runs by
/// their header lines, reading backwards in growing windows so a big log costs only its end.
public enum LogReader {
    /// The most read back to find the header of the oldest run shown: past this, its lines are
    /// shown without a time.
    static let maximumWindow: UInt64 = 16 << 20

    public struct Tail: Sendable {
        public var runs: [LogRun]
        /// Where following the log goes on: just past the last complete line that was read.
        public var position: LogPosition
    }

    /// The runs holding the last `count` output lines of the log at `path`, or nil when there is
    /// no log. A last line still being written (no newline yet) is included unless `completeLinesOnly`,
    /// which `logs -f` asks for so that the follower prints that line whole once it is finished.
    /// Only a regular file is read (`FileSystem.openRegularFile`): a link or a FIFO at `path` is
    /// an error, never read through or waited on.
    public static func tail(path: String, service: String, count: Int,
                            completeLinesOnly: Bool = false) throws(RegularFileError) -> Tail? {
        let fd: Int32
        do {
            fd = try FileSystem.openRegularFile(path, O_RDONLY)
        } catch where error.isMissing {
            return nil
        }
        defer { close(fd) }
        var info = stat()
        try RegularFileError.catching(try systemCall("fstat(\(path))") { fstat(fd, &info) })
        let size = UInt64(info.st_size)
        var window: UInt64 = 16 << 10
        while true {
            let start = size > window ? size - window : 0
            let bytes = read(fd, from: start, to: size)
            let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n"))
            let completeEnd = lastNewline.map { $0 + 1 } ?? 0
            var lines = split(completeLinesOnly ? bytes[..<completeEnd] : bytes[...])
            // The first line of a window that does not start the file is probably cut.
            if start > 0, !lines.isEmpty { lines.removeFirst() }
            let runs = LogMerge.runs(of: lines, service: service)
            let kept = LogMerge.suffix(runs, count: count)
            let oldestHasTime = kept.first.map { $0.started != nil } ?? true
            let enough = kept.reduce(0) { $0 + $1.lines.count } >= count && oldestHasTime
            if enough || start == 0 || window >= maximumWindow {
                let followFrom = start + UInt64(lastNewline == nil && start > 0 ? 0 : completeEnd)
                let position = LogPosition(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), offset: followFrom)
                return Tail(runs: kept, position: position)
            }
            window *= 4
        }
    }

    /// The last `count` lines the newest run of the log wrote — none when it wrote none yet, never an
    /// earlier run's — for `start` to show beside a service that failed. Its end is enough: lines
    /// before a header that is not in it belong to the newest run anyway. None from anything but a
    /// regular file.
    public static func newestRunTail(path: String, service: String, count: Int) -> [String] {
        guard let fd = try? FileSystem.openRegularFile(path, O_RDONLY) else { return [] }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return [] }
        let size = UInt64(info.st_size), window: UInt64 = 16 << 10
        let start = size > window ? size - window : 0
        var lines = split(read(fd, from: start, to: size)[...])
        if start > 0, !lines.isEmpty { lines.removeFirst() }
        return Array((LogMerge.runs(of: lines, service: service).last?.lines ?? []).suffix(count))
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
