import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One process as `/proc/PID/stat` and `/proc/PID/cmdline` show it, so that tests check what the
/// kernel says, not what an API claims. It reads `/proc` with Foundation alone and shares no code
/// with devctl's own process reader (`ProcessTable`, `ProcessStat`), so a bug there cannot make a
/// test agree with it.
public struct KernelProcessEntry: Sendable {
    public let pid: pid_t
    /// The state letter: `R`, `S`, `T`, `Z`, …
    public let state: Character
    public let parent: pid_t
    public let processGroup: pid_t
    public let session: pid_t
    /// Clock ticks after boot at which the process started (field 22): with the PID, what tells
    /// a process from a later one that reuses its PID.
    public let startTime: UInt64
    /// The argument vector; empty for kernel threads and zombies.
    public let arguments: [String]

    /// The arguments joined by spaces.
    public var commandLine: String { arguments.joined(separator: " ") }

    /// A zombie (`Z`) or on its way out (`X`): dead, whether or not its parent has reaped it yet.
    public var isDead: Bool { state == "Z" || state == "X" }

    /// The process now, or nil when there is no such process.
    public init?(pid: pid_t) {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return nil }
        let stat = String(decoding: data, as: UTF8.self)
        // The command name may hold spaces and parentheses; the fields after its last ")" do not.
        guard let commandEnd = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: commandEnd)...].split(whereSeparator: \.isWhitespace)
        // fields[0] is field 3 of proc(5), the state; the start time is field 22.
        guard fields.count > 19, let state = fields[0].first, let parent = pid_t(fields[1]),
              let group = pid_t(fields[2]), let session = pid_t(fields[3]), let startTime = UInt64(fields[19]) else { return nil }
        self.pid = pid
        self.state = state
        self.parent = parent
        processGroup = group
        self.session = session
        self.startTime = startTime
        let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        // Each argument ends with a NUL, so the split leaves one empty piece after the last.
        var pieces = cmdline.split(separator: 0, omittingEmptySubsequences: false)
        if cmdline.last == 0 { pieces.removeLast() }
        arguments = pieces.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The PIDs `/proc` lists now.
    public static func allPIDs() -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
    }

    /// Every process on the machine, zombies included, each read once.
    public static func all() -> [KernelProcessEntry] {
        allPIDs().compactMap(KernelProcessEntry.init(pid:))
    }

    /// Gone, or a zombie: dead either way, whether or not its parent has reaped it yet.
    public static func isDead(_ pid: pid_t) -> Bool {
        KernelProcessEntry(pid: pid)?.isDead ?? true
    }

    /// Present and not a zombie.
    public static func isAlive(_ pid: pid_t) -> Bool {
        !isDead(pid)
    }

    /// Polls until `pid` is dead, for at most `timeout` seconds.
    public static func waitUntilDead(_ pid: pid_t, timeout: Double = 2) -> Bool {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while !isDead(pid) {
            if ContinuousClock.now >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return true
    }

    /// The unit of `startTime`: clock ticks per second.
    public static let clockTicksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))
}
