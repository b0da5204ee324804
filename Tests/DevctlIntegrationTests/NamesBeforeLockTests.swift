import DevctlCLI
import DevctlConfig
import DevctlLifecycle
import DevctlProcesses
import DevctlSystem
import DevctlText
import DevctlTracking
import Foundation
import Testing

/// A service name that services.json does not define is bad usage, found out before devctl takes
/// the lock or creates anything under `.pids/`: a typo in a project that never started must leave
/// the folder as it was.
@Suite struct NamesBeforeLockTests {
    /// `typos` (a spell-checker watcher) is one edit away from the `typo` the tests type.
    static let config = #"{"services": [{"name": "typos", "command": ["sleep", "300"]}]}"#

    @Test(arguments: ["start", "stop", "restart", "pause", "resume", "up", "status", "logs"])
    func unknownNameIsRefusedBeforePidsFolderIsCreated(command: String) {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        let result = project.devctl(command, "typo", timeout: 30)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("error: unknown service 'typo'; did you mean 'typos'?"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: project.root + "/.pids"), "devctl \(command) typo created .pids/")
    }

    @Test func oneUnknownNameAmongKnownOnesStopsNothing() {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        let result = project.devctl("stop", "typos", "typo", timeout: 30)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("unknown service 'typo'"), "\(result)")
        #expect(!result.stdout.contains("[1/5]"), "no phase may run: \(result)")
        #expect(!FileManager.default.fileExists(atPath: project.root + "/.pids"))
    }
}
