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
    /// The controlling terminal's device number (field 7); 0 when the process has none.
    public var tty: Int32
    /// User plus system CPU time, in clock ticks.
    public var cpuTicks: UInt64
    /// Start time in clock ticks since boot (field 22): with the PID, the process's identity.
    public var startTime: UInt64
    /// Resident set size in pages (field 24).
    public var rssPages: Int64

    public init(pid: Int32, comm: String, state: Character, ppid: Int32, pgid: Int32, sid: Int32, tty: Int32 = 0,
                cpuTicks: UInt64, startTime: UInt64, rssPages: Int64) {
        self.pid = pid
        self.comm = comm
        self.state = state
        self.ppid = ppid
        self.pgid = pgid
        self.sid = sid
        self.tty = tty
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
        var ppid: Int32?, pgid: Int32?, sid: Int32?, tty: Int32?, utime: UInt64?, stime: UInt64?, start: UInt64?, rss: Int64?
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
            case 7: tty = integer(token)
            case 14: utime = integer(token)
            case 15: stime = integer(token)
            case 22: start = integer(token)
            case 24: rss = integer(token)
            default: break
            }
            index = end
        }
        guard field == 24, let ppid, let pgid, let sid, let tty, let utime, let stime, let start, let rss else { return nil }
        let comm = String(decoding: UnsafeBufferPointer(rebasing: bytes[(open + 1)..<close]), as: UTF8.self)
        return ProcessStat(pid: pid, comm: comm, state: Character(UnicodeScalar(state)),
                           ppid: ppid, pgid: pgid, sid: sid, tty: tty, cpuTicks: utime + stime,
                           startTime: start, rssPages: rss)
    }

    /// Zombies (`Z`) and dead tasks (`X`) count as gone everywhere: PID 1 reaps them only about
    /// once a second on these machines.
    public var isGone: Bool { state == "Z" || state == "X" }

    /// The stat of the process `identity` names while it is alive and still that process; nil
    /// once it is gone (exited, a zombie, or its PID reused). A read that fails for any other
    /// reason is thrown: it proves nothing either way.
    public static func live(_ identity: ProcessIdentity) throws(SystemCallError) -> ProcessStat? {
        guard let stat = try read(pid: identity.pid), stat.startTime == identity.startTime, !stat.isGone else { return nil }
        return stat
    }

    /// Whether `identity` may still be alive: it is, or a read that failed proves nothing gone.
    /// For waits that end when a process leaves, which must not end on an unreadable `/proc`.
    public static func mayBeAlive(_ identity: ProcessIdentity) -> Bool {
        do { return try live(identity) != nil } catch { return true }
    }

    /// The stat of process `pid` now; nil when it is gone. Other failures are thrown.
    public static func read(pid: Int32, procRoot: String = "/proc") throws(SystemCallError) -> ProcessStat? {
        let path = "\(procRoot)/\(pid)/stat"
        let fd: Int32
        do {
            fd = try systemCall("open(\(path))") { open(path, O_RDONLY | O_CLOEXEC) }
        } catch where error.meansGone {
            return nil
        }
        defer { close(fd) }
        return try readStat(fd: fd, path: path)
    }

    /// Parses the stat file open on `fd`; nil when the process died under the read (the kernel
    /// then answers ESRCH). A file that does not parse is thrown: it proves nothing.
    static func readStat(fd: Int32, path: @autoclosure () -> String) throws(SystemCallError) -> ProcessStat? {
        let parsed: Result<ProcessStat, SystemCallError>? = try FileSystem.withContents(of: fd, name: path()) { bytes in
            parse(bytes).map { .success($0) } ?? .failure(SystemCallError("parse(\(path()))", Errno(rawValue: EINVAL)))
        }
        switch parsed {
        case nil: return nil
        case .success(let stat): return stat
        case .failure(let error): throw error
        }
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
