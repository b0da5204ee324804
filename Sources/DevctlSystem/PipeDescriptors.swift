#if canImport(Glibc)
import Glibc
#endif
import CDevctlShims

/// A pipe's two ends, both close-on-exec (a spawned child gets one only through `dup2`).
public struct PipeDescriptors: Sendable {
    public let readEnd: Int32
    public let writeEnd: Int32

    public init() throws(SystemCallError) {
        var ends: [Int32] = [-1, -1]
        try systemCall("pipe2") { devctl_pipe_cloexec(&ends) }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    /// Asks for a buffer of `bytes` (`F_SETPIPE_SZ`); the kernel may grant less, and a refusal
    /// (an unprivileged user past `/proc/sys/fs/pipe-max-size`) leaves the default, so it is
    /// reported only as false.
    @discardableResult
    public func enlarge(to bytes: Int32) -> Bool { devctl_set_pipe_size(writeEnd, bytes) >= 0 }

    /// Makes the read end non-blocking, for a `poll` loop.
    public func readWithoutBlocking() throws(SystemCallError) {
        let flags = try systemCall("fcntl(F_GETFL)") { fcntl(readEnd, F_GETFL) }
        try systemCall("fcntl(F_SETFL)") { fcntl(readEnd, F_SETFL, flags | O_NONBLOCK) }
    }
}
