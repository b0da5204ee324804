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
import DevctlTestSupport
import Foundation
import Testing

/// A throwaway project folder with its own services.json for running the built devctl against.
/// Every process started through it carries a unique `DEVCTL_TEST_ID`, so `cleanUp` can kill
/// exactly what this test started — never anything else on the shared machine.
final class TestProject: @unchecked Sendable {
    let root: String
    let testID = "t" + UUID().uuidString.prefix(12).lowercased()
    var extraEnvironment: [String: String] = [:]

    /// `config` is the services.json text; `files` are extra files (relative path → content).
    init(_ config: String, files: [String: String] = [:]) {
        root = NSTemporaryDirectory() + "devctl-test-" + UUID().uuidString.prefix(8).lowercased()
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // /tmp may be a symlink; the project root is its canonical path.
        write("services.json", config)
        for (path, content) in files { write(path, content) }
    }

    /// The root with symbolic links resolved, as devctl names it in messages and markers.
    var canonicalRoot: String { URL(fileURLWithPath: root).resolvingSymlinksInPath().path }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["DEVCTL_FILE"] = nil
        environment["NO_COLOR"] = nil
        environment["DEVCTL_TEST_ID"] = testID
        environment.merge(extraEnvironment) { _, new in new }
        return environment
    }

    @discardableResult
    func devctl(_ arguments: String..., timeout: Double = 120) -> RunResult {
        DevctlRunner.run(arguments, directory: root, environment: environment, timeout: timeout)
    }

    func devctl(arguments: [String], timeout: Double = 120) -> RunResult {
        DevctlRunner.run(arguments, directory: root, environment: environment, timeout: timeout)
    }

    func write(_ path: String, _ content: String, mode: Int = 0o644) {
        let full = root + "/" + path
        try? FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: full, contents: Data(content.utf8), attributes: [.posixPermissions: mode])
    }

    func read(_ path: String) -> String? { try? String(contentsOfFile: root + "/" + path, encoding: .utf8) }

    /// `NAME:PID` lines of `.pids/services.pids.services`, as a dictionary.
    var trackedPIDs: [String: Int32] {
        var result = [String: Int32]()
        for line in (read(".pids/services.pids.services") ?? "").split(separator: "\n") {
            let parts = line.split(separator: ":")
            if parts.count == 2, let pid = Int32(parts[1]) { result[String(parts[0])] = pid }
        }
        return result
    }

    /// Every live process carrying this test's marker.
    var markedProcesses: [Int32] { KernelProcessEntry.carrying("DEVCTL_TEST_ID", testID) }

    /// Stops everything this test started (devctl first, then SIGKILL by marker) and removes the folder.
    /// Stops everything this test started — devctl first (without injected faults), then SIGKILL
    /// by marker, then whatever is left in the project's own cgroups, which are removed — and
    /// removes the folder.
    func cleanUp(sourceLocation: SourceLocation = #_sourceLocation) {
        extraEnvironment["DEVCTL_FAULTS"] = nil
        _ = devctl("stop", "--force", timeout: 60)
        TestProcesses.killAll(carrying: "DEVCTL_TEST_ID", testID, sourceLocation: sourceLocation)
        TestProcesses.killKeepers(of: root, sourceLocation: sourceLocation)
        if let folder = projectCgroupFolder { TestCgroups.remove(folder) }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// SIGKILLs the keeper of `service` (its PID from the keeper's record, checked against `/proc`:
    /// a `devctl-keeper` running this project's specification), leaving the service unsupervised,
    /// so that only the older ownership rules can find what it leaves behind.
    func killKeeper(of service: String) throws {
        let line = try #require(read(".pids/keepers/\(service).state")?.split(separator: "\n").first { $0.hasPrefix("keeper ") })
        let pid = try #require(pid_t(line.split(separator: " ")[1]))
        let keeper = try #require(KernelProcessEntry(pid: pid))
        try #require(keeper.arguments.last == root + "/.pids/keepers/\(service).spec", "pid \(pid) is not this project's keeper")
        kill(pid, SIGKILL)
        #expect(KernelProcessEntry.waitUntilDead(pid))
    }

    /// Where devctl, run by this test process, makes this project's cgroups.
    var projectCgroupFolder: String? {
        guard let own = KernelCgroup.path(of: getpid()), let folder = KernelCgroup.folder(of: own) else { return nil }
        return folder + "/devctl-" + marker
    }

}

/// Finding, killing and waiting for the processes a test started. What they are is read with the
/// independent `KernelProcessEntry`, never with devctl's own process code.
enum TestProcesses {
    /// Waits for the keepers of the project at `root` (found by the specification path in their
    /// argv, which names this test's own folder; a keeper carries no marker) to leave with their
    /// services; one still there after that is recorded as an issue and SIGKILLed.
    static func killKeepers(of root: String, timeout: Double = 5, sourceLocation: SourceLocation = #_sourceLocation) {
        func keepers() -> [pid_t] {
            KernelProcessEntry.all().filter { entry in
                !entry.isDead && entry.arguments.count == 2 && entry.arguments[0].hasSuffix("/devctl-keeper")
                    && entry.arguments[1].hasPrefix(root + "/.pids/keepers/")
            }.map(\.pid)
        }
        // Once its service is gone a keeper leaves by itself, within a second.
        var pids = keepers()
        let grace = Date().addingTimeInterval(2)
        while !pids.isEmpty, Date() < grace {
            usleep(20_000)
            pids = keepers()
        }
        if !pids.isEmpty { Issue.record("keepers left running after the test: \(pids)", sourceLocation: sourceLocation) }
        let deadline = Date().addingTimeInterval(timeout)
        while !pids.isEmpty, Date() < deadline {
            for pid in pids { kill(pid, SIGKILL) }
            usleep(20_000)
            pids = keepers()
        }
    }

    /// SIGKILLs every process carrying the marker, again and again (a dying tree may still fork),
    /// until none is left or `timeout` passes; survivors are recorded as an issue, by PID and
    /// command line, so a leak fails the test that caused it instead of hiding.
    static func killAll(carrying key: String, _ value: String, timeout: Double = 10,
                        sourceLocation: SourceLocation = #_sourceLocation) {
        let deadline = Date().addingTimeInterval(timeout)
        var pids = KernelProcessEntry.carrying(key, value)
        while !pids.isEmpty, Date() < deadline {
            for pid in pids { kill(pid, SIGKILL) }
            usleep(20_000)
            pids = KernelProcessEntry.carrying(key, value)
        }
        guard !pids.isEmpty else { return }
        let named = pids.map { pid in
            let command = KernelProcessEntry(pid: pid)?.commandLine ?? ""
            return "\(pid) (\(command.isEmpty ? "?" : command))"
        }
        Issue.record("still alive \(timeout) s after SIGKILL, carrying \(key)=\(value): \(named.joined(separator: ", "))",
                     sourceLocation: sourceLocation)
    }

    /// The PID of a process that has exited and been reaped, as a killed writer's would be: no
    /// process has it now (until the kernel hands it out again).
    static func reapedPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes.
    @discardableResult
    static func waitUntil(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}

/// An ephemeral TCP port that was free a moment ago.
enum FreePort {
    static func next() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A helper process a test starts itself (a decoy, a port holder), killed at the end with its
/// whole process group (it is spawned as a session leader, so its children share its group).
///
/// `stop` is idempotent: once the process has been reaped its PID may belong to someone else, so
/// it is never signalled again — a test must not kill a process it never started.
final class TestProcess: @unchecked Sendable {
    let pid: Int32
    private let lock = NSLock()
    private var reaped = false

    /// `sessionLeader`: in a session of its own, as devctl starts services; else only in a
    /// process group of its own, inside the test runner's session.
    init(_ arguments: [String], directory: String = "/tmp", environment: [String: String] = ProcessInfo.processInfo.environment,
         sessionLeader: Bool = true) {
        pid = try! Spawner.spawn(arguments: arguments, environment: environment, workingDirectory: directory,
                                 outputDescriptor: -1, placement: sessionLeader ? .newSession : .newProcessGroup)
    }

    var isAlive: Bool { KernelProcessEntry.isAlive(pid) }

    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !reaped else { return }
        // Until it is reaped the PID (and so the group ID) is still ours, even as a zombie.
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        _ = Spawner.reap(pid, blocking: true)
        reaped = true
    }

    deinit { stop() }
}
