import DevctlSystem
import DevctlTracking
#if canImport(Glibc)
import Glibc
#endif

/// Writes a service's output into its log the way SPEC §1 says: each line with its arrival time
/// (`LogStamp`), rotated to `NAME.log.1` … once the file would pass its size limit — always
/// between two lines, never inside one — keeping exactly `keep` rotated files. A line without its
/// newline yet waits (`pending`) until it is finished, is too long to wait for, or the run ends.
public struct StampedLogWriter {
    /// A line longer than this is written in pieces, each stamped, rather than held in memory.
    public static let longestLine = 64 << 10

    public let path: String
    public let maxBytes: Int
    public let keep: Int
    private var fd: Int32 = -1
    private var size = 0
    /// The start of a line whose end has not arrived.
    public private(set) var pending: [UInt8] = []

    /// Opens (or creates) the log for appending: a regular file only, never through a link.
    public init(path: String, maxBytes: Int, keep: Int) throws(RegularFileError) {
        self.path = path
        self.maxBytes = max(1, maxBytes)
        self.keep = max(0, keep)
        try open()
    }

    private mutating func open() throws(RegularFileError) {
        fd = try FileSystem.openRegularFile(path, O_WRONLY | O_CREAT | O_APPEND)
        var info = stat()
        size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Appends output that arrived at `milliseconds`: every finished line is written stamped.
    public mutating func output(_ bytes: ArraySlice<UInt8>, at milliseconds: Int64) throws(RegularFileError) {
        let stamp = LogStamp.bytes(milliseconds: milliseconds) + [UInt8(ascii: " ")]
        var batch = [UInt8]()
        var rest = bytes
        while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
            let line = pending + rest[..<newline] + [UInt8(ascii: "\n")]
            pending.removeAll(keepingCapacity: true)
            try add(stamp + line, to: &batch)
            rest = rest[(newline + 1)...]
        }
        pending += rest
        while pending.count >= Self.longestLine {
            try add(stamp + pending.prefix(Self.longestLine) + [UInt8(ascii: "\n")], to: &batch)
            pending.removeFirst(Self.longestLine)
        }
        try write(batch)
    }

    /// Writes a line still waiting for its newline as a line of its own (the run ended, or it
    /// waited long enough: a prompt that never ends its line must still reach the log).
    public mutating func flushPending(at milliseconds: Int64) throws(RegularFileError) {
        guard !pending.isEmpty else { return }
        let line = LogStamp.bytes(milliseconds: milliseconds) + [UInt8(ascii: " ")] + pending + [UInt8(ascii: "\n")]
        pending.removeAll()
        var batch = [UInt8]()
        try add(line, to: &batch)
        try write(batch)
    }

    /// A line of devctl's own (a run header, an exit note), stamped now.
    public mutating func note(_ text: String) throws(RegularFileError) {
        try flushPending(at: LogStamp.nowMilliseconds())
        var batch = [UInt8]()
        try add(LogStamp.bytes(milliseconds: LogStamp.nowMilliseconds()) + [UInt8(ascii: " ")] + Array(text.utf8)
                    + [UInt8(ascii: "\n")], to: &batch)
        try write(batch)
    }

    /// Adds a whole line to the batch, first writing the batch and rotating when the line would
    /// take the file past its limit (a file holding nothing yet takes any line).
    private mutating func add(_ line: [UInt8], to batch: inout [UInt8]) throws(RegularFileError) {
        if size + batch.count > 0, size + batch.count + line.count > maxBytes {
            try write(batch)
            batch.removeAll(keepingCapacity: true)
            try rotate()
        }
        batch += line
    }

    private mutating func write(_ bytes: [UInt8]) throws(RegularFileError) {
        guard !bytes.isEmpty else { return }
        try RegularFileError.catching(try FileSystem.writeAll(fd, bytes, path: path))
        size += bytes.count
    }

    /// `NAME.log.(keep-1)` → `NAME.log.keep` … `NAME.log` → `NAME.log.1`, the oldest dropped, then a
    /// new `NAME.log`. With `keep` 0 the log is simply started again.
    private mutating func rotate() throws(RegularFileError) {
        close(fd)
        fd = -1
        if keep == 0 {
            unlink(path)
        } else {
            unlink("\(path).\(keep)")
            for index in stride(from: keep - 1, through: 1, by: -1) { rename("\(path).\(index)", "\(path).\(index + 1)") }
            try RegularFileError.catching(try systemCall("rename(\(path), \(path).1)") { rename(path, "\(path).1") })
        }
        try open()
    }
}
