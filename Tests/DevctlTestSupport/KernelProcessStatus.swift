import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What `/proc/PID/status` says about a process that `/proc/PID/stat` does not: whose it is and
/// which signals it blocks or ignores. Read with Foundation alone, like `KernelProcessEntry`.
public struct KernelProcessStatus: Sendable {
    public let pid: pid_t
    /// The effective user ID (the second field of `Uid:`): whose permissions the process has.
    public let userID: uid_t
    /// The signals it blocks (`SigBlk`), bit `n - 1` standing for signal `n`.
    public let blockedSignals: UInt64
    /// The signals it ignores (`SigIgn`), bit `n - 1` standing for signal `n`.
    public let ignoredSignals: UInt64

    /// The process now, or nil when there is no such process.
    public init?(pid: pid_t) {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/status") else { return nil }
        var fields = [Substring: [Substring]]()
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon]] = line[line.index(after: colon)...].split(whereSeparator: \.isWhitespace)
        }
        guard let users = fields["Uid"], users.count > 1, let userID = uid_t(users[1]),
              let blocked = fields["SigBlk"]?.first.flatMap({ UInt64($0, radix: 16) }),
              let ignored = fields["SigIgn"]?.first.flatMap({ UInt64($0, radix: 16) }) else { return nil }
        self.pid = pid
        self.userID = userID
        blockedSignals = blocked
        ignoredSignals = ignored
    }

    public func blocks(_ signal: Int32) -> Bool { blockedSignals & Self.bit(signal) != 0 }

    public func ignores(_ signal: Int32) -> Bool { ignoredSignals & Self.bit(signal) != 0 }

    private static func bit(_ signal: Int32) -> UInt64 { 1 << UInt64(signal - 1) }
}
