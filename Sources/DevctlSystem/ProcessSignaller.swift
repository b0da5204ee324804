#if canImport(Glibc)
import Glibc
#endif
import CDevctlShims

/// The only place devctl sends signals. Every call names its target in errors
/// ("kill(-4711, SIGTERM): Operation not permitted") and refuses the broadcast targets
/// (0, -1, 1 and -1's group) that would hit processes devctl does not own.
public enum ProcessSignaller {
    /// Signals one process. `ESRCH` (already gone) is not an error: returns false.
    @discardableResult
    public static func signal(pid: Int32, _ signal: Signal) throws(SystemCallError) -> Bool {
        try send(target: pid, signal)
    }

    /// Signals a whole process group (`kill(-pgid, sig)`). Returns false if the group is gone.
    @discardableResult
    public static func signal(group pgid: Int32, _ signal: Signal) throws(SystemCallError) -> Bool {
        try send(target: -pgid, signal)
    }

    /// Signals a process through a pidfd opened for it, so the identity check that preceded the
    /// open cannot be raced by PID reuse. Returns false if the process has exited.
    @discardableResult
    public static func signal(pidfd: PidFD, _ signal: Signal) throws(SystemCallError) -> Bool {
        if devctl_pidfd_send_signal(pidfd.descriptor, signal.rawValue) == 0 { return true }
        let error = Errno.current
        if error == .noSuchProcess { return false }
        throw SystemCallError("pidfd_send_signal(\(pidfd.pid), \(signal))", error)
    }

    private static func send(target: Int32, _ signal: Signal) throws(SystemCallError) -> Bool {
        guard target > 1 || target < -1 else {
            throw SystemCallError("kill(\(target), \(signal))", Errno.notPermitted)
        }
        if kill(target, signal.rawValue) == 0 { return true }
        let error = Errno.current
        if error == .noSuchProcess { return false }
        throw SystemCallError("kill(\(target), \(signal))", error)
    }
}

/// A pidfd: a file descriptor that refers to one process for its whole life, immune to PID reuse.
public final class PidFD: @unchecked Sendable {
    public let pid: Int32
    public let descriptor: Int32

    /// Opens a pidfd for `pid`; nil when the process is gone or pidfds are unsupported.
    public init?(pid: Int32) {
        let fd = devctl_pidfd_open(pid)
        guard fd >= 0 else { return nil }
        self.pid = pid
        self.descriptor = fd
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    deinit { close(descriptor) }
}
