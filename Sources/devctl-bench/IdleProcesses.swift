#if canImport(Glibc)
import Glibc
#endif
import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking

/// The extra processes of the `/proc` scan row: `cat` reading a pipe the benchmark holds, all in
/// one process group the benchmark creates. They are the benchmark's children, so their PIDs
/// cannot be reused before it reaps them; `stop` kills the group and reaps each one, and should
/// the benchmark die without stopping them, the pipe's end-of-file ends them anyway.
final class IdleProcesses {
    private(set) var pids: [Int32] = []
    private(set) var group: Int32 = 0
    private var writeEnd: Int32 = -1
    private let cleanup: BenchCleanup

    init(count: Int, cleanup: BenchCleanup) throws(BenchError) {
        self.cleanup = cleanup
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw BenchError("pipe: \(Errno.current)") }
        // Close-on-exec, so that no child but through its stdin keeps the pipe open (no other
        // thread spawns meanwhile, so pipe2's atomicity is not needed).
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        writeEnd = ends[1]
        defer { close(ends[0]) }
        let executable: String
        do {
            executable = try Spawner.resolve("cat", path: "/usr/bin:/bin")
        } catch {
            throw BenchError("cannot find 'cat' for the idle processes: \(error)")
        }
        pids.reserveCapacity(count)
        for _ in 0..<count {
            let pid: Int32
            do {
                pid = try Self.spawn(executable, stdin: ends[0], group: group)
            } catch {
                stop()
                throw error
            }
            if group == 0 {
                group = pid
                cleanup.adopt(group: group)
            }
            pids.append(pid)
        }
    }

    deinit { stop() }

    /// SIGKILL to the group, then each child reaped.
    func stop() {
        if group > 1, group != getpgrp() { kill(-group, SIGKILL) }
        if writeEnd >= 0 { close(writeEnd) }
        writeEnd = -1
        for pid in pids { _ = Spawner.reap(pid, blocking: true) }
        pids = []
        if group > 0 { cleanup.release(group: group) }
        group = 0
    }

    /// `cat` with stdin on the pipe, stdout to /dev/null, in `group` (0: a new group of its own),
    /// with an empty signal mask and default dispositions.
    ///
    /// Not `Spawner`: it gives every child stdin from /dev/null and a group of its own, where these
    /// read the benchmark's pipe and share one group.
    private static func spawn(_ executable: String, stdin: Int32, group: Int32) throws(BenchError) -> Int32 {
        var attributes = posix_spawnattr_t()
        var actions = posix_spawn_file_actions_t()
        var code = posix_spawnattr_init(&attributes)
        guard code == 0 else { throw BenchError("posix_spawnattr_init: \(Errno(rawValue: code))") }
        defer { posix_spawnattr_destroy(&attributes) }
        code = posix_spawn_file_actions_init(&actions)
        guard code == 0 else { throw BenchError("posix_spawn_file_actions_init: \(Errno(rawValue: code))") }
        defer { posix_spawn_file_actions_destroy(&actions) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        code = posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        if code == 0 { code = posix_spawnattr_setpgroup(&attributes, group) }
        if code == 0 { code = posix_spawnattr_setsigmask(&attributes, &empty) }
        if code == 0 { code = posix_spawnattr_setsigdefault(&attributes, &all) }
        if code == 0 { code = posix_spawn_file_actions_adddup2(&actions, stdin, 0) }
        if code == 0 { code = posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
        guard code == 0 else { throw BenchError("cannot prepare the spawn of \(executable): \(Errno(rawValue: code))") }
        var pid: pid_t = 0
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup(executable), nil]
        defer { arguments.forEach { free($0) } }
        code = posix_spawn(&pid, executable, &actions, &attributes, arguments, environ)
        guard code == 0 else { throw BenchError("posix_spawn(\(executable)): \(Errno(rawValue: code))") }
        return pid
    }
}
