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
        let operation = "pidfd_send_signal(\(pidfd.pid), \(signal))"
        try SyscallFaults.check(operation)
        if devctl_pidfd_send_signal(pidfd.descriptor, signal.rawValue) == 0 { return true }
        let error = Errno.current
        if error == .noSuchProcess { return false }
        throw SystemCallError(operation, error)
    }

    private static func send(target: Int32, _ signal: Signal) throws(SystemCallError) -> Bool {
        let operation = "kill(\(target), \(signal))"
        guard target > 1 || target < -1 else { throw SystemCallError(operation, Errno.notPermitted) }
        try SyscallFaults.check(operation)
        if kill(target, signal.rawValue) == 0 { return true }
        let error = Errno.current
        if error == .noSuchProcess { return false }
        throw SystemCallError(operation, error)
    }
}

/// A pidfd: a file descriptor that refers to one process for its whole life, immune to PID reuse.
public final class PidFD: @unchecked Sendable {
    public let pid: Int32
    public let descriptor: Int32

    /// Opens a pidfd for `pid`; nil when the process is gone. Any other failure is thrown
    /// (`ENOSYS` on a kernel older than 5.3, where callers fall back to a checked `kill`).
    public init?(pid: Int32) throws(SystemCallError) {
        let operation = "pidfd_open(\(pid))"
        try SyscallFaults.check(operation)
        let fd = devctl_pidfd_open(pid)
        if fd < 0 {
            let error = SystemCallError(operation, Errno.current)
            if error.meansGone { return nil }
            throw error
        }
        self.pid = pid
        self.descriptor = fd
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    deinit { close(descriptor) }
}
