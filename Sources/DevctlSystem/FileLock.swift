#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock(2)` on `.pids/lock`, held by every command that changes the tracking state,
/// so two devctl invocations never interleave their writes. The holder writes its PID and command
/// into the file so a waiting invocation can say who it is waiting for.
public final class FileLock {
    public let path: String
    private var descriptor: Int32 = -1

    public init(path: String) { self.path = path }

    deinit { release() }

    /// Who holds a lock that could not be taken.
    public struct Holder: Sendable, Equatable {
        public var pid: Int32?
        public var command: String
    }

    /// Takes the lock, retrying until `timeout` seconds have passed. Returns nil on success, or
    /// the holder's self-description when another process kept the lock the whole time. The lock
    /// file must be a regular file (`FileSystem.openRegularFile`): the holder truncates and
    /// rewrites it, which a planted link must never aim, and a FIFO must never keep the user waiting.
    public func acquire(timeout: Double, describing command: String) throws(RegularFileError) -> Holder? {
        let fd = try FileSystem.openRegularFile(path, O_RDWR | O_CREAT)
        let deadline = ContinuousClock.now + .seconds(timeout)
        var backoff = Backoff(maximum: 0.05)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let error = Errno.current
            guard error == .wouldBlock || error == .interrupted else {
                close(fd)
                throw .system(SystemCallError("flock(\(path))", error))
            }
            if ContinuousClock.now >= deadline {
                // Read from the file that was locked, not by its name again: it may have been swapped.
                let holder = Self.holder(of: fd)
                close(fd)
                return holder
            }
            backoff.pause()
        }
        descriptor = fd
        let text = Array("\(getpid()) \(command)\n".utf8)
        ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return nil
    }

    /// Whether the lock was taken within `timeout` seconds; a holder or a failure both mean no, for
    /// a caller that will simply try again later (a keeper bringing the tracking files up to date).
    public func tryAcquire(timeout: Double, describing command: String) -> Bool {
        do {
            return try acquire(timeout: timeout, describing: command) == nil
        } catch {
            return false
        }
    }

    /// Releases the lock (also done when the process dies, by the kernel).
    public func release() {
        guard descriptor >= 0 else { return }
        ftruncate(descriptor, 0)
        close(descriptor)
        descriptor = -1
    }

    private static func holder(of fd: Int32) -> Holder {
        let text = FileSystem.readBytes(fd: fd, limit: 4096).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let line = text.split(separator: "\n").first ?? ""
        let parts = line.split(separator: " ", maxSplits: 1)
        return Holder(pid: parts.first.flatMap { Int32($0) },
                      command: parts.count > 1 ? String(parts[1]) : "unknown command")
    }
}
