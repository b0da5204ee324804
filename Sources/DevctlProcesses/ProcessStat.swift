import DevctlSystem
#if canImport(Glibc)
import Glibc
#endif

/// The fields devctl needs from one `/proc/PID/stat` line. `comm` sits between the first `(` and
/// the *last* `)` and may itself contain spaces and parentheses, so the line is split there first.
public struct ProcessStat: Sendable, Equatable {
    public var pid: Int32
    public var comm: String
    /// One letter: R, S, D, Z, T, t, X, I …
    public var state: Character
    public var ppid: Int32
    public var pgid: Int32
    public var sid: Int32
    /// User plus system CPU time, in clock ticks.
    public var cpuTicks: UInt64
    /// Start time in clock ticks since boot (field 22): with the PID, the process's identity.
    public var startTime: UInt64
    /// Resident set size in pages (field 24).
    public var rssPages: Int64

    public init(pid: Int32, comm: String, state: Character, ppid: Int32, pgid: Int32, sid: Int32,
                cpuTicks: UInt64, startTime: UInt64, rssPages: Int64) {
        self.pid = pid
        self.comm = comm
        self.state = state
        self.ppid = ppid
        self.pgid = pgid
        self.sid = sid
        self.cpuTicks = cpuTicks
        self.startTime = startTime
        self.rssPages = rssPages
    }

    /// Parses a stat line; nil when it is malformed (e.g. truncated).
    public static func parse(_ bytes: [UInt8]) -> ProcessStat? {
        bytes.withUnsafeBufferPointer { parse($0) }
    }

    /// Parses a stat line in place: a scan parses thousands, so the numbers are read straight from
    /// the bytes and only `comm` becomes a String.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> ProcessStat? {
        guard let open = bytes.firstIndex(of: UInt8(ascii: "(")),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")), open < close,
              let pid: Int32 = integer(bytes[..<open])
        else { return nil }
        var state: UInt8 = 0
        var ppid: Int32?, pgid: Int32?, sid: Int32?, utime: UInt64?, stime: UInt64?, start: UInt64?, rss: Int64?
        // Fields after comm, starting with field 3 (state); space-separated, the last ends the line.
        var field = 2
        var index = close + 1
        while index < bytes.endIndex, field < 24 {
            while index < bytes.endIndex, bytes[index] == UInt8(ascii: " ") { index += 1 }
            var end = index
            while end < bytes.endIndex, bytes[end] != UInt8(ascii: " ") { end += 1 }
            guard end > index else { break }
            field += 1
            let token = bytes[index..<end]
            switch field {
            case 3: state = token[token.startIndex]
            case 4: ppid = integer(token)
            case 5: pgid = integer(token)
            case 6: sid = integer(token)
            case 14: utime = integer(token)
            case 15: stime = integer(token)
            case 22: start = integer(token)
            case 24: rss = integer(token)
            default: break
            }
            index = end
        }
        guard field == 24, let ppid, let pgid, let sid, let utime, let stime, let start, let rss else { return nil }
        let comm = String(decoding: UnsafeBufferPointer(rebasing: bytes[(open + 1)..<close]), as: UTF8.self)
        return ProcessStat(pid: pid, comm: comm, state: Character(UnicodeScalar(state)),
                           ppid: ppid, pgid: pgid, sid: sid, cpuTicks: utime + stime,
                           startTime: start, rssPages: rss)
    }

    /// Zombies (`Z`) and dead tasks (`X`) count as gone everywhere: PID 1 reaps them only about
    /// once a second on these machines.
    public var isGone: Bool { state == "Z" || state == "X" }

    /// The stat of the process `identity` names, while it is alive and still that process.
    public static func live(_ identity: ProcessIdentity) -> ProcessStat? {
        guard let stat = read(pid: identity.pid), stat.startTime == identity.startTime, !stat.isGone else { return nil }
        return stat
    }

    /// The stat of process `pid` now, or nil when it is gone.
    public static func read(pid: Int32, procRoot: String = "/proc") -> ProcessStat? {
        let fd = open("\(procRoot)/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return FileSystem.withContents(of: fd) { parse($0) }
    }

    /// A decimal integer with an optional sign, surrounded by optional spaces or newlines; nil when
    /// it is anything else or does not fit `T`.
    private static func integer<T: FixedWidthInteger>(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> T? {
        var digits = bytes[...]
        while let first = digits.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\n") { digits.removeFirst() }
        while let last = digits.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\n") { digits.removeLast() }
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            digits.removeFirst()
        }
        guard !digits.isEmpty else { return nil }
        var value: T = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = T(byte - UInt8(ascii: "0"))
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflowA, !overflowB else { return nil }
            value = next
        }
        return value
    }
}
