import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One process as `/proc` shows it, so that tests check what the kernel says, not what an API
/// claims.
public struct KernelProcessEntry: Sendable {
    public let pid: pid_t
    /// The state letter: `R`, `S`, `T`, `Z`, …
    public let state: Character
    public let parent: pid_t
    public let processGroup: pid_t
    /// The arguments joined by spaces.
    public let commandLine: String

    public init?(pid: pid_t) {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let commandEnd = stat.lastIndex(of: ")"),
              let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        // The command name may hold spaces and parentheses; the fields after its last ")" do not.
        let fields = stat[stat.index(after: commandEnd)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let parent = pid_t(fields[1]), let group = pid_t(fields[2]) else { return nil }
        self.pid = pid
        self.state = state
        self.parent = parent
        processGroup = group
        commandLine = String(decoding: cmdline.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }

    public static func all() -> [KernelProcessEntry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0).flatMap(KernelProcessEntry.init(pid:)) }
    }

    /// Gone, or a zombie: dead either way, whether or not its parent has reaped it yet.
    public static func isDead(_ pid: pid_t) -> Bool {
        KernelProcessEntry(pid: pid).map { $0.state == "Z" } ?? true
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
}
