import DevctlSystem
#if canImport(Glibc)
import Glibc
#endif

/// Runs an external tool (`docker`, `docker-compose`) to its end with its output captured and a hard
/// time bound, so that a hung tool or an unreachable daemon can never hang devctl.
///
/// The command is spawned by `Spawner` as the leader of a process group of its own, so a timeout
/// kills it and everything it started by that group id alone; with an empty signal mask and default
/// signal dispositions, because a child inherits the spawning thread's mask and concurrency threads
/// block most signals. Both pipes are drained while waiting, since a child blocked on a full pipe never
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

    /// The file `name` names, looked up on this runner's `PATH` as `Spawner` looks it up (a name
    /// with a slash is taken as a path); nil when there is no such executable.
    public func executablePath(_ name: String) -> String? {
        try? Spawner.resolve(name, path: environment["PATH"] ?? Spawner.defaultSearchPath)
    }

    /// Runs `arguments` (argv, the first looked up on `PATH`) in `workingDirectory` with stdin from
    /// /dev/null, and returns once it has exited and its output is read. After `timeout` seconds its
    /// whole process group is sent SIGKILL and the result says `timedOut`.
    public func run(_ arguments: [String], workingDirectory: String? = nil, timeout: Double) throws(CommandError) -> CommandResult {
        guard let name = arguments.first, executablePath(name) != nil else {
            throw .executableNotFound(arguments.first ?? "")
        }
        let start = ContinuousClock.now
        var (pid, descriptors) = try spawn(arguments, workingDirectory)
        defer { descriptors.filter { $0 >= 0 }.forEach { close($0) } }

        var deadline = start + .seconds(timeout)
        var timedOut = false
        var exited: (status: ExitStatus, at: ContinuousClock.Instant)?
        var collected = [[UInt8]](repeating: [], count: descriptors.count)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let now = ContinuousClock.now
            if exited == nil, let status = Spawner.reap(pid) { exited = (status, now) }
            if let exited {
                if !descriptors.contains(where: { $0 >= 0 }) || now - exited.at > Self.outputGrace { break }
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
        let status = exited?.status ?? Spawner.reap(pid, blocking: true)
        var exitStatus: Int32?, signal: Int32?
        switch status {
        case .exited(let code): exitStatus = code
        case .signalled(let killer): signal = killer.rawValue
        case nil: break
        }
        return CommandResult(
            exitStatus: exitStatus,
            signal: signal,
            stdout: String(decoding: collected[0], as: UTF8.self),
            stderr: String(decoding: collected[1], as: UTF8.self),
            timedOut: timedOut,
            duration: ContinuousClock.now - start)
    }

    /// Spawns the command as the leader of a new process group with stdout and stderr on pipes,
    /// whose non-blocking read ends it returns beside the PID.
    private func spawn(_ arguments: [String], _ workingDirectory: String?) throws(CommandError) -> (pid_t, [Int32]) {
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
        do {
            let pid = try Spawner.spawn(arguments: arguments, environment: environment, workingDirectory: workingDirectory,
                                        outputDescriptor: pipes[0][1], errorDescriptor: pipes[1][1], placement: .newProcessGroup)
            return (pid, pipes.map { $0[0] })
        } catch {
            pipes.forEach { close($0[0]) }
            throw .launchFailed(executable: name, reason: error.message)
        }
    }
}

private extension Duration {
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
