#if canImport(Glibc)
import Glibc
#endif
import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlSystem
import DevctlText
import DevctlTracking
import DevctlTestSupport
import Foundation
import Testing

/// A machine that is not as devctl expects: tracking state that cannot be written, a log folder
/// gone, a missing shell or interpreter. Each is one clear error and exit 1, never a crash, and
/// never a service left running without its tracking entry.
@Suite struct BrokenEnvironmentTests {
    /// Private mount namespaces (root, `unshare`) let a test make a folder read-only or hide
    /// `/bin/sh` for devctl alone; the namespace vanishes with the processes inside it.
    static let canUseMountNamespaces: Bool = {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
        return DevctlRunner.run(["-c", "exec /usr/bin/unshare --mount /bin/true"], directory: "/", environment: [:], shell: true,
                                timeout: 30).exitCode == 0
    }()

    /// Runs devctl inside a private mount namespace after `setUp` (shell commands) has run there.
    static func devctlInNamespace(_ project: TestProject, setUp: String, _ arguments: [String]) -> RunResult {
        let script = "\(setUp) && exec \"$0\" \"$@\""
        return DevctlRunner.run(["-c", "exec /usr/bin/unshare --mount /bin/sh -c '\(script)' \"$@\"", "sh", DevctlRunner.binary] + arguments,
                                directory: project.root, environment: project.environment, shell: true)
    }

    static func lines(_ text: String) -> [Substring] { text.split(separator: "\n") }

    @Test(.enabled(if: canUseMountNamespaces)) func readOnlyTrackingFolderIsOneErrorAndStartsNothing() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        for folder in [".pids", ".pids/logs"] {
            try FileManager.default.createDirectory(atPath: project.root + "/" + folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
        }
        let readOnly = "mount --bind -o ro .pids .pids"
        let start = Self.devctlInNamespace(project, setUp: readOnly, ["start"])
        #expect(start.exitCode == 1, "\(start)")
        #expect(Self.lines(start.stderr).count == 1, "\(start)")
        #expect(start.stderr.hasPrefix("error: cannot take the lock in '") && start.stderr.contains("Read-only file system"), "\(start)")
        #expect(project.liveLeaders.isEmpty)

        // Running services and a folder that turned read-only: status still answers, stop says why
        // it cannot proceed and leaves the services to a stop that can record what it does.
        #expect(project.devctl("start").exitCode == 0)
        let api = try #require(project.trackedPIDs["api"])
        let status = Self.devctlInNamespace(project, setUp: readOnly, ["status"])
        #expect(status.exitCode == 0, "\(status)")
        let stop = Self.devctlInNamespace(project, setUp: readOnly, ["stop"])
        #expect(stop.exitCode == 1, "\(stop)")
        #expect(Self.lines(stop.stderr).count == 1 && stop.stderr.contains("Read-only file system"), "\(stop)")
        #expect(KernelProcessEntry.isAlive(api))
        #expect(project.devctl("stop").exitCode == 0)
    }

    @Test func trackingFileThatCannotBeWrittenAfterTheSpawnStopsTheServiceAgain() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}, {"name": "web", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        // The identity file's temporary name for this devctl is taken by a folder: the first
        // service spawns, then cannot be recorded.
        let script = #"mkdir -p -m 755 .pids && mkdir ".pids/services.pids.identity.tmp.$$" && exec "$0" start"#
        let result = DevctlRunner.run(["-c", script, DevctlRunner.binary], directory: project.root,
                                      environment: project.environment, shell: true)
        #expect(result.exitCode == 1, "\(result)")
        #expect(Self.lines(result.stderr).count == 1, "\(result)")
        #expect(result.stderr.hasPrefix("error: cannot record 'api' (pid "), "\(result)")
        #expect(result.stderr.hasSuffix(": Is a directory; stopped it again\n"), "\(result)")
        #expect(project.liveLeaders.isEmpty, "a service runs without a tracking entry")
        #expect(project.read(".pids/services.pids.identity") == nil)
    }

    @Test func missingLogFolderIsRecreated() throws {
        let project = TestProject(#"{"services": [{"name": "talker", "command": "echo hello; exec sleep 300"}]}"#)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        try FileManager.default.removeItem(atPath: project.root + "/.pids/logs")
        let status = project.devctl("status")
        #expect(status.exitCode == 0, "\(status)")
        #expect(project.devctl("stop").exitCode == 0)
        let again = project.devctl("start")
        #expect(again.exitCode == 0, "\(again)")
        #expect(TestProcesses.waitUntil { project.read(".pids/logs/talker.log")?.contains("hello\n") == true })
    }

    @Test func logFolderReplacedByAFileIsOneError() throws {
        let project = TestProject(#"{"services": [{"name": "api", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        project.write(".pids/logs", "")
        let result = project.devctl("start")
        #expect(result.exitCode == 1, "\(result)")
        #expect(Self.lines(result.stderr) == ["error: '\(project.canonicalRoot)/.pids/logs' is a file, not a folder; refusing to trust it — fix with 'mv \(project.canonicalRoot)/.pids/logs \(project.canonicalRoot)/.pids/logs.old'"], "\(result)")
        #expect(project.liveLeaders.isEmpty)
    }

    @Test(.enabled(if: canUseMountNamespaces)) func missingShellFailsStringCommandsWithTheReason() throws {
        let project = TestProject(#"{"services": [{"name": "shell", "command": "exec sleep 300"}]}"#)
        defer { project.cleanUp() }
        // /bin is /usr/bin here; an empty tmpfs over it hides /bin/sh from devctl alone.
        let result = Self.devctlInNamespace(project, setUp: "mount -t tmpfs -o size=1m devctl-test /usr/bin", ["start"])
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("shell failed: '/bin/sh' does not exist"), "\(result)")
        #expect(project.liveLeaders.isEmpty)
        #expect(project.read(".pids/services.pids.identity") == nil)
    }

    @Test func missingInterpreterOfAnArrayCommandIsNamed() throws {
        let project = TestProject(#"{"services": [{"name": "ok", "command": ["sleep", "300"]}, {"name": "tool", "command": ["./tool"]}]}"#)
        defer { project.cleanUp() }
        project.write("tool", "#!/nonexistent/devctl-interpreter -u\nprint('never')\n", mode: 0o755)
        let result = project.devctl("start")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stdout.contains("tool failed: cannot execute './tool': its interpreter '/nonexistent/devctl-interpreter' does not exist"), "\(result)")
        // Nothing half-way: the service that started is running and tracked, the other neither.
        #expect(project.liveLeaders.keys.sorted() == ["ok"])
        #expect(project.trackedPIDs.keys.sorted() == ["ok"])
    }
}
