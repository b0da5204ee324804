import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A Docker engine of the test run's own: a `dockerd` on a private socket, data root and exec root
/// under a fresh folder, with a busybox image imported from the machine's `busybox-static` (no
/// registry is reachable). Tests talk to it through `environment` alone, so they can never touch
/// another daemon or its containers; `stop` ends it by its PID and removes every trace.
///
/// dockerd is this process's own child, in a session of its own: no shell in between whose
/// process group a timeout could kill, nothing a scan of `/proc` must recognize (a process in the
/// middle of `execve` shows an empty command line), and `waitpid` tells when and how it ended.
public final class PrivateDockerEngine: Sendable {
    /// The image every test container runs.
    public static let image = "devctl-test-busybox:latest"

    /// The unique folder holding the socket, the data, the exec root and the daemon's log.
    public let root: String
    /// For `DOCKER_HOST`.
    public let dockerHost: String
    /// The test process's environment aimed at this engine: docker variables that could point
    /// elsewhere are dropped.
    public let environment: [String: String]
    /// The compose front end this machine has, as devctl will find it.
    public let frontEnd: ComposeFrontEnd
    private let dockerd: String
    private let daemon = Mutex(Daemon.stopped)

    private enum Daemon {
        case running(pid_t, since: ContinuousClock.Instant)
        case exited(DevctlProcesses.ExitStatus, after: Duration)
        case stopped
    }

    /// How long dockerd may take to answer. It needs well under a second on an idle machine, but
    /// a whole `swift test` run (every suite at once, two cores) can stretch that many times.
    private static let startupDeadline = Duration.seconds(120)

    /// Starts the daemon, waits until it answers, imports the image and runs one container to
    /// prove the engine works. Throws the reason the engine cannot run here.
    public static func start() throws -> PrivateDockerEngine {
        guard geteuid() == 0 else { throw Unavailable("dockerd needs root") }
        let host = ProcessInfo.processInfo.environment
        let lookup = CommandRunner(environment: ["PATH": (host["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"])
        guard let dockerd = lookup.executablePath("dockerd") else { throw Unavailable("no dockerd on PATH (install docker.io)") }
        guard let busybox = lookup.executablePath("busybox") else { throw Unavailable("no busybox on PATH (install busybox-static)") }
        // Under /tmp, not $TMPDIR: a unix socket path must stay under 108 bytes.
        var template = Array("/tmp/devctl-docker.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Unavailable("mkdtemp: \(Errno.current)") }
        let root = String(cString: made)
        var environment = host.filter { !$0.key.hasPrefix("DOCKER_") }
        environment["DOCKER_HOST"] = "unix://\(root)/docker.sock"
        // Compose v1 is a Python: give it the time a busy machine needs to say its version.
        let frontEnd = ComposeFrontEnd.detect(using: CommandRunner(environment: environment), timeout: 120)
        guard frontEnd != .notInstalled else {
            try? FileManager.default.removeItem(atPath: root)
            throw Unavailable("neither 'docker compose' nor 'docker-compose' works (install docker-compose)")
        }

        let engine = PrivateDockerEngine(root: root, environment: environment, frontEnd: frontEnd, dockerd: dockerd)
        do {
            try engine.startDaemon()
            try engine.importImage(busybox: busybox)
            try engine.docker(["run", "--rm", "--network", "none", image, "true"])
        } catch {
            engine.stop()
            throw error
        }
        return engine
    }

    private init(root: String, environment: [String: String], frontEnd: ComposeFrontEnd, dockerd: String) {
        self.root = root
        dockerHost = environment["DOCKER_HOST"]!
        self.environment = environment
        self.frontEnd = frontEnd
        self.dockerd = dockerd
    }

    public var commands: CommandRunner { CommandRunner(environment: environment) }

    /// Runs `docker ARGUMENTS` against this engine and throws unless it succeeds.
    @discardableResult
    public func docker(_ arguments: [String], timeout: Double = 60) throws -> CommandResult {
        let result = try commands.run(["docker"] + arguments, workingDirectory: root, timeout: timeout)
        guard result.succeeded else {
            throw Unavailable("docker \(arguments.joined(separator: " ")) failed: \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return result
    }

    /// The names of a compose project's containers in any state, found by the label compose puts
    /// on them: what a user checks with `docker ps -a`.
    public func containerNames(project: String) throws -> [String] {
        let listing = try docker(["ps", "--all", "--filter", "label=com.docker.compose.project=\(project)", "--format", "{{.Names}}"])
        return listing.stdout.split(whereSeparator: \.isNewline).map(String.init).sorted()
    }

    /// Starts dockerd (again, after `stopDaemon`: containers and images are kept in the data
    /// root) and returns once it answers.
    public func startDaemon() throws {
        let log = open("\(root)/dockerd.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw Unavailable("cannot open \(root)/dockerd.log: \(Errno.current)") }
        defer { close(log) }
        var environment = environment
        // dockerd finds containerd and runc on PATH; Debian puts runc in /usr/sbin.
        environment["PATH"] = (environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        let pid = try Spawner.spawn(arguments: [
            dockerd,
            // No iptables, NAT or bridge: the engine must not change the machine's network.
            "--iptables=false", "--ip-masq=false", "--bridge=none",
            // vfs works on any file system and needs no overlay mounts.
            "--storage-driver=vfs",
            "--host", dockerHost, "--data-root", "\(root)/data", "--exec-root", "\(root)/exec",
            "--pidfile", "\(root)/docker.pid",
        ], environment: environment, workingDirectory: root, outputDescriptor: log, placement: .newSession)
        daemon.withLock { $0 = .running(pid, since: .now) }
        try waitUntilAnswering()
    }

    /// Stops dockerd by its PID — SIGTERM, SIGKILL after 20 s — as `systemctl stop docker` would:
    /// it stops the running containers first and removes its socket, so clients find no daemon.
    public func stopDaemon() {
        guard case .running(let pid, _) = state() else { return }
        kill(pid, SIGTERM)
        if !waitUntilDaemonIsGone(timeout: .seconds(20)) {
            kill(pid, SIGKILL)
            _ = waitUntilDaemonIsGone(timeout: .seconds(5))
        }
        daemon.withLock { $0 = .stopped }
    }

    /// Removes every container so that the daemon stops at once, stops it, then clears what it
    /// leaves behind and deletes the folder.
    public func stop() {
        if case .running = state(), let ids = try? docker(["ps", "--all", "--quiet"]).stdout.split(whereSeparator: \.isNewline), !ids.isEmpty {
            _ = try? docker(["rm", "--force"] + ids.map(String.init))
        }
        stopDaemon()
        killLeftovers()
        unmountEverythingUnderRoot()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The daemon's state, reaping it first if it has exited. Our own child cannot be mistaken for
    /// another process: its PID stays ours until it is reaped, here.
    private func state() -> Daemon {
        daemon.withLock { daemon in
            if case .running(let pid, let since) = daemon, let status = Spawner.reap(pid) {
                daemon = .exited(status, after: .now - since)
            }
            return daemon
        }
    }

    private func waitUntilDaemonIsGone(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while case .running = state() {
            if ContinuousClock.now >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return true
    }

    private func waitUntilAnswering() throws {
        let deadline = ContinuousClock.now + Self.startupDeadline
        while ContinuousClock.now < deadline {
            if case .exited(let status, let after) = state() {
                let seconds = Double(after.components.seconds) + Double(after.components.attoseconds) / 1e18
                throw Unavailable("dockerd \(status), \(String(format: "%.1f", seconds)) s after it started; \(logTail)")
            }
            if (try? commands.run(["docker", "version"], timeout: 5))?.succeeded == true { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw Unavailable("dockerd did not answer within \(Self.startupDeadline); \(logTail)")
    }

    /// A root folder of busybox and its applet links, imported as an image.
    private func importImage(busybox: String) throws {
        let rootfs = "\(root)/rootfs"
        let files = FileManager.default
        try files.createDirectory(atPath: "\(rootfs)/bin", withIntermediateDirectories: true)
        try files.createDirectory(atPath: "\(rootfs)/tmp", withIntermediateDirectories: true)
        try files.copyItem(atPath: busybox, toPath: "\(rootfs)/bin/busybox")
        let applets = try commands.run([busybox, "--list"], timeout: 10).stdout.split(whereSeparator: \.isNewline)
        for applet in applets where applet != "busybox" {
            try files.createSymbolicLink(atPath: "\(rootfs)/bin/\(applet)", withDestinationPath: "busybox")
        }
        let tar = try commands.run(["tar", "-C", rootfs, "-cf", "\(root)/rootfs.tar", "."], timeout: 60)
        guard tar.succeeded else { throw Unavailable("tar failed: \(tar.stderr)") }
        try docker(["import", "\(root)/rootfs.tar", Self.image])
    }

    /// The safety net for a daemon that needed SIGKILL: containerd and its shims run outside the
    /// daemon's process group but name this engine's folder on their command line, and killing a
    /// shim's child (a container's init) ends that container's whole PID namespace.
    private func killLeftovers() {
        let table = KernelProcessEntry.all()
        let engineProcesses = Set(table.filter { $0.commandLine.contains(root + "/") }.map(\.pid))
        for process in table where engineProcesses.contains(process.pid) || engineProcesses.contains(process.parent) {
            kill(process.pid, SIGKILL)
        }
    }

    /// dockerd bind-mounts its data root and network namespaces; a clean exit undoes that, a
    /// killed daemon does not.
    private func unmountEverythingUnderRoot() {
        guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return }
        let points = mounts.split(whereSeparator: \.isNewline)
            .map { $0.split(separator: " ")[1].replacingOccurrences(of: "\\040", with: " ") }
            .filter { $0.hasPrefix(root + "/") }
        for point in points.sorted(by: { $0.count > $1.count }) {
            umount2(point, Int32(MNT_DETACH))
        }
    }

    /// The end of dockerd's log, quoted, since the folder holding it goes when the engine fails.
    private var logTail: String {
        let log = (try? String(contentsOfFile: "\(root)/dockerd.log", encoding: .utf8)) ?? ""
        let lines = log.split(whereSeparator: \.isNewline).suffix(5)
        return lines.isEmpty ? "its log is empty" : "its log ends:\n" + lines.joined(separator: "\n")
    }

    /// Why the engine cannot run on this machine.
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }
}

/// Gives the tests of a suite one private engine, started before the first and stopped after the
/// last, whether they pass or not.
public struct PrivateDockerEngineTrait: SuiteTrait, TestScoping {
    @TaskLocal public static var engine: Result<PrivateDockerEngine, any Error>?

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let engine = Result { try PrivateDockerEngine.start() }
        defer { try? engine.get().stop() }
        try await Self.$engine.withValue(engine, operation: function)
    }
}

extension Trait where Self == PrivateDockerEngineTrait {
    /// Runs the suite against a private Docker engine; see `PrivateDockerEngine.required()`.
    public static var privateDockerEngine: Self { Self() }
}

extension PrivateDockerEngine {
    /// The suite's engine. Without one the test is skipped with the reason, or, when
    /// `DEVCTL_REQUIRE_DOCKER=1` (CI), fails: CI must never pass by skipping these tests.
    public static func required(sourceLocation: SourceLocation = #_sourceLocation) throws -> PrivateDockerEngine {
        switch PrivateDockerEngineTrait.engine {
        case .success(let engine): return engine
        case .failure(let reason): try unavailable("no private Docker engine: \(reason)", sourceLocation)
        case nil: try unavailable("the suite lacks the .privateDockerEngine trait", sourceLocation)
        }
    }

    private static func unavailable(_ reason: String, _ sourceLocation: SourceLocation) throws -> Never {
        if ProcessInfo.processInfo.environment["DEVCTL_REQUIRE_DOCKER"] == "1" { throw Unavailable(reason) }
        try Test.cancel(Comment(rawValue: reason), sourceLocation: sourceLocation)
    }
}
