import DevctlProcesses
import DevctlSystem
import DevctlText
#if canImport(Glibc)
import Glibc
#endif

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
}
