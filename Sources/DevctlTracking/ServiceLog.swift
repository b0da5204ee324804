import DevctlProcesses
import DevctlSystem
import DevctlText
#if canImport(Glibc)
import Glibc
#endif

/// A service's log file `.pids/logs/NAME.log`: stdout and stderr of every run, written by its
/// keeper, each line stamped with its arrival time (`LogStamp`), each run introduced by a header
/// line, and each exit and restart noted on a line of devctl's own. What a header and a note look
/// like lives here, for the keeper that writes them and for `logs` and `up` that read them.
public enum ServiceLog {
    /// What every line devctl itself writes into a log begins with, after the stamp.
    public static let headerPrefix = "==> devctl "

    /// `==> devctl start api (pid 4711): python3 -m http.server` — the header of a run; `restart`
    /// counts the restarts before this run (0 for the first run of a start).
    public static func runHeader(service: String, pid: Int32, restart: Int, command: String) -> String {
        let what = restart == 0 ? "start \(service) (pid \(pid))" : "restart \(service) (pid \(pid), restart \(restart))"
        return "\(headerPrefix)\(what): \(command)"
    }

    /// `==> devctl exit api: exited with status 3; restarting in 2 s` — a note of devctl's own.
    public static func note(_ event: String, service: String, _ detail: String) -> String {
        "\(headerPrefix)\(event) \(service): \(detail)"
    }

    /// Whether a line's text (its stamp taken off) begins a run: a header written by a keeper
    /// (`==> devctl start …`, `==> devctl restart …`) or by a devctl before keepers
    /// (`==> devctl <ISO 8601 time> start NAME: …`, unstamped).
    public static func isRunHeader(_ text: some StringProtocol) -> Bool {
        guard text.hasPrefix(headerPrefix) else { return false }
        let rest = text.dropFirst(headerPrefix.count)
        if rest.hasPrefix("start ") || rest.hasPrefix("restart ") { return true }
        return legacyHeaderTime(text) != nil
    }

    /// Whether a line's text is devctl's own (a header or a note), not the service's output.
    public static func isDevctlLine(_ text: some StringProtocol) -> Bool {
        guard text.hasPrefix(headerPrefix) else { return false }
        let rest = text.dropFirst(headerPrefix.count)
        return ["start ", "restart ", "exit ", "gave-up ", "keeper "].contains { rest.hasPrefix($0) } || legacyHeaderTime(text) != nil
    }

    /// The time in a header written before keepers (`==> devctl 2026-11-21T14:37:01.930Z start …`),
    /// in milliseconds since the epoch; with or without the fraction of a second.
    public static func legacyHeaderTime(_ text: some StringProtocol) -> Int64? {
        guard text.hasPrefix(headerPrefix) else { return nil }
        let rest = text.dropFirst(headerPrefix.count)
        guard let end = rest.firstIndex(of: " "), rest[end...].hasPrefix(" start ") else { return nil }
        var stamp = String(rest[..<end])
        if stamp.count == 20, stamp.hasSuffix("Z") { stamp = String(stamp.dropLast()) + ".000Z" }
        return LogStamp.parse(stamp)
    }

    /// Opens the log for appending and writes the run's header (until the keeper writes it).
    public static func openForRun(path: String, service: String, command: String) throws(RegularFileError) -> Int32 {
        let fd = try FileSystem.openRegularFile(path, O_WRONLY | O_CREAT | O_APPEND)
        let header = "\(headerPrefix)\(EventLog.timestamp()) start \(service): \(command)\n"
        do {
            try FileSystem.writeAll(fd, Array(header.utf8), path: path)
        } catch {
            close(fd)
            throw .system(error)
        }
        return fd
    }
}
