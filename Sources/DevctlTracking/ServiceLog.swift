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
    /// hands the descriptor to the child and closes its own copy. Only a regular file is opened
    /// (`FileSystem.openRegularFile`): a link there would aim the service's output at another file,
    /// and a FIFO would block `start`, lock held, until someone read it.
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
