#if canImport(Glibc)
import Glibc
#endif

/// Runs an external tool (`docker`, `docker-compose`) to its end with its output captured and a hard
/// time bound, so that a hung tool or an unreachable daemon can never hang devctl.
///
/// The command is spawned as the leader of a process group of its own, so a timeout kills it and
/// everything it started by that group id alone; with an empty signal mask and default signal
/// dispositions, because a child inherits the spawning thread's mask and concurrency threads block
/// most signals. Both pipes are drained while waiting, since a child blocked on a full pipe never
/// exits. (Foundation's `Process` does neither of the latter, and only notices an exit once every
/// descendant has closed its internal socket.)
public struct CommandRunner: Sendable {
    /// The whole environment of every command; `PATH` in it is also where executables are looked up.
    public var environment: [String: String]

    /// How long output may still be read once the command has exited or was killed: a descendant
    /// that escaped the group may hold the pipes open forever.
    static let outputGrace = Duration.milliseconds(500)

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// The file `name` names, looked up on this runner's `PATH` like `execvp` does (a name with a
    /// slash is taken as a path); nil when there is no such executable.
    public func executablePath(_ name: String) -> String? {
        if name.contains("/") { return isExecutableFile(name) ? name : nil }
        // execvp's default when PATH is unset.
        let searchPath = environment["PATH"] ?? "/bin:/usr/bin"
        return searchPath.split(separator: ":").map { "\($0)/\(name)" }.first(where: isExecutableFile)
    }

    /// Runs `arguments` (argv, the first looked up on `PATH`) in `workingDirectory` with stdin from
    /// /dev/null, and returns once it has exited and its output is read. After `timeout` seconds its
    /// whole process group is sent SIGKILL and the result says `timedOut`.
    public func run(_ arguments: [String], workingDirectory: String? = nil, timeout: Double) throws(CommandError) -> CommandResult {
        guard let name = arguments.first, let path = executablePath(name) else {
            throw .executableNotFound(arguments.first ?? "")
        }
        let start = ContinuousClock.now
        var (pid, descriptors) = try spawn(path, arguments, workingDirectory)
        defer { descriptors.filter { $0 >= 0 }.forEach { close($0) } }

        var deadline = start + .seconds(timeout)
        var timedOut = false
        var status: Int32 = 0
        var exitedAt: ContinuousClock.Instant?
        var collected = [[UInt8]](repeating: [], count: descriptors.count)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let now = ContinuousClock.now
            if exitedAt == nil, waitpid(pid, &status, WNOHANG) == pid { exitedAt = now }
            if let exitedAt {
                if !descriptors.contains(where: { $0 >= 0 }) || now - exitedAt > Self.outputGrace { break }
            } else if now >= deadline {
                if timedOut { break }
                timedOut = true
                // Not reaped yet, so the PID, and with it the group id, is still this command's.
                kill(-pid, SIGKILL)
                deadline = now + Self.outputGrace
            }
            // poll ignores negative descriptors, so closed pipes keep their place; the short slice
            // notices an exit that leaves the pipes open (see outputGrace).
            var polled = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            _ = poll(&polled, nfds_t(polled.count), Int32(max(min(deadline - now, .milliseconds(50)).milliseconds, 1)))
            for index in polled.indices where polled[index].revents != 0 {
                let count = read(descriptors[index], &buffer, buffer.count)
                if count > 0 {
                    collected[index].append(contentsOf: buffer[0..<count])
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    close(descriptors[index])
                    descriptors[index] = -1
                }
            }
        }
        // Only a killed command can still be unreaped here, so this wait is short.
        while exitedAt == nil, waitpid(pid, &status, 0) == -1, errno == EINTR {}

        let signal = status & 0x7f
        return CommandResult(
            exitStatus: signal == 0 ? (status >> 8) & 0xff : nil,
            signal: signal == 0 ? nil : signal,
            stdout: String(decoding: collected[0], as: UTF8.self),
            stderr: String(decoding: collected[1], as: UTF8.self),
            timedOut: timedOut,
            duration: ContinuousClock.now - start)
    }

    /// Spawns the command with stdin from /dev/null and stdout and stderr on pipes, whose
    /// non-blocking read ends it returns beside the PID.
    private func spawn(_ path: String, _ arguments: [String], _ workingDirectory: String?) throws(CommandError) -> (pid_t, [Int32]) {
        let name = arguments[0]
        var pipes: [[Int32]] = []
        for _ in 0..<2 {
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else {
                pipes.joined().forEach { close($0) }
                throw .launchFailed(executable: name, reason: "pipe: \(Errno.current)")
            }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            _ = fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK)
            pipes.append(ends)
        }
        // The write ends belong to the child alone: holding them would hide its end of output.
        defer { pipes.forEach { close($0[1]) } }

        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        var rc = posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        if rc == 0 { rc = posix_spawnattr_setpgroup(&attributes, 0) }
        if rc == 0 { rc = posix_spawnattr_setsigmask(&attributes, &noSignals) }
        if rc == 0 { rc = posix_spawnattr_setsigdefault(&attributes, &allSignals) }
        if rc == 0 { rc = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        if rc == 0 { rc = posix_spawn_file_actions_adddup2(&actions, pipes[0][1], 1) }
        if rc == 0 { rc = posix_spawn_file_actions_adddup2(&actions, pipes[1][1], 2) }
        if rc == 0 { rc = SpawnExtensions.addClosefrom?(&actions, 3) ?? 0 }
        if rc == 0, let workingDirectory {
            guard let addChdir = SpawnExtensions.addChdir else {
                pipes.forEach { close($0[0]) }
                throw .launchFailed(executable: name, reason: "this C library cannot set a working directory in posix_spawn")
            }
            rc = addChdir(&actions, workingDirectory)
        }
        var pid: pid_t = 0
        if rc == 0 {
            let argv = arguments.map { strdup($0) } + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { (argv + envp).forEach { free($0) } }
            rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        }
        guard rc == 0 else {
            pipes.forEach { close($0[0]) }
            let place = workingDirectory.map { " in '\($0)'" } ?? ""
            throw .launchFailed(executable: name, reason: "posix_spawn\(place): \(Errno(rawValue: rc))")
        }
        return (pid, pipes.map { $0[0] })
    }
}

/// glibc's `posix_spawn_file_actions_addchdir_np` (2.29) and `…_addclosefrom_np` (2.34), which
/// Swift's Glibc module hides behind `_GNU_SOURCE`; looked up at run time instead.
private enum SpawnExtensions {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    static let addClosefrom: AddClosefrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<Function>(_ name: String) -> Function? {
        guard let program = dlopen(nil, RTLD_NOW), let address = dlsym(program, name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }
}

private func isExecutableFile(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && access(path, X_OK) == 0
}

private extension Duration {
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
