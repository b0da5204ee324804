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
        guard let open = bytes.firstIndex(of: UInt8(ascii: "(")),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")), open < close,
              let pid = Int32(String(decoding: bytes[..<open], as: UTF8.self).trimmingSpaces())
        else { return nil }
        let comm = String(decoding: bytes[(open + 1)..<close], as: UTF8.self)
        // Fields after comm, starting with field 3 (state) at index 0.
        let rest = bytes[(close + 1)...].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard rest.count >= 22, let stateByte = rest[0].first else { return nil }
        func number<T: FixedWidthInteger>(_ field: Int) -> T? {
            T(String(decoding: rest[field - 3], as: UTF8.self).trimmingSpaces())
        }
        guard let ppid: Int32 = number(4), let pgid: Int32 = number(5), let sid: Int32 = number(6),
              let utime: UInt64 = number(14), let stime: UInt64 = number(15),
              let start: UInt64 = number(22), let rss: Int64 = number(24)
        else { return nil }
        return ProcessStat(pid: pid, comm: comm, state: Character(UnicodeScalar(stateByte)),
                           ppid: ppid, pgid: pgid, sid: sid, cpuTicks: utime + stime,
                           startTime: start, rssPages: rss)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\n" { s.removeFirst() }
        while s.last == " " || s.last == "\n" { s.removeLast() }
        return String(s)
    }
}
