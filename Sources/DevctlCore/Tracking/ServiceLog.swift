#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A service's log file `.pids/logs/NAME.log`: stdout and stderr appended across runs, each run
/// introduced by a header line that carries its start time (which `logs` uses to merge by time).
public enum ServiceLog {
    public static let headerPrefix = "==> devctl "

    /// Opens the log for appending (`O_APPEND`, `O_CLOEXEC`) and writes the run's header. The caller
    /// hands the descriptor to the child and closes its own copy.
    public static func openForRun(path: String, service: String, command: String) throws(SystemCallError) -> Int32 {
        let fd = try systemCall("open(\(path))") { open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) }
        let header = "\(headerPrefix)\(EventLog.timestamp()) start \(service): \(command)\n"
        do {
            try FileSystem.writeAll(fd, Array(header.utf8), path: path)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// The last `count` lines of a log (header lines included), read from its end.
    public static func tail(path: String, lines count: Int) -> [String] {
        guard count > 0, let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        var window: UInt64 = 8192
        while true {
            let start = size > window ? size - window : 0
            try? handle.seek(toOffset: start)
            let data = handle.readDataToEndOfFile()
            var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            if start > 0 { lines.removeFirst() }
            if lines.count >= count || start == 0 { return Array(lines.suffix(count)) }
            window *= 4
        }
    }
}
