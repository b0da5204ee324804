import DevctlProcesses

/// The one line a keeper writes to `start` once its service's first run is spawned (or could not
/// be): `ok PID STARTTIME` or `error MESSAGE`. It is how `start` records the leader the moment it
/// exists, as SPEC §1 asks, although the keeper, not `start`, spawned it.
public enum KeeperHandshake: Sendable, Equatable {
    case started(ProcessIdentity)
    case failed(String)

    public var line: String {
        switch self {
        case .started(let leader): "ok \(leader.pid) \(leader.startTime)\n"
        case .failed(let message): "error \(message.split(separator: "\n").joined(separator: " "))\n"
        }
    }

    /// Reads the line; nil for anything else (a keeper that died before saying anything).
    public static func parse(_ line: some StringProtocol) -> KeeperHandshake? {
        let text = line.hasSuffix("\n") ? line.dropLast() : line[...]
        if text.hasPrefix("error ") { return .failed(String(text.dropFirst(6))) }
        let words = text.split(separator: " ")
        guard words.count == 3, words[0] == "ok", let pid = Int32(words[1]), pid > 0, let start = UInt64(words[2]) else { return nil }
        return .started(ProcessIdentity(pid: pid, startTime: start))
    }
}
