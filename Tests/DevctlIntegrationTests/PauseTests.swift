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

/// `devctl pause` / `resume` on real process trees, checked through each process's state in /proc.
@Suite struct PauseTests {
    /// A leader with a child in its group and a child that left the group with setsid.
    static let config = #"""
    {"stopTimeout": 5, "services": [
      {"name": "worker", "command": "sleep 300 & setsid sleep 301 & wait"},
      {"name": "other", "command": ["sleep", "302"]}]}
    """#

    /// The live processes of a service's tree, found from its tracked leader.
    static func tree(_ project: TestProject, _ name: String) -> [KernelProcessEntry] {
        project.trackedPIDs[name].map(KernelProcessEntry.tree(of:)) ?? []
    }

    /// Starts the project and waits until `worker` has its three processes.
    static func started(_ project: TestProject) throws -> [KernelProcessEntry] {
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        TestProcesses.waitUntil(timeout: 60) { tree(project, "worker").count == 3 }
        let members = tree(project, "worker")
        try #require(members.count == 3, "worker's tree: \(members.map(\.commandLine))")
        try #require(members.contains { $0.processGroup != members[0].processGroup }, "no member left the group")
        return members
    }

    static func state(_ pid: Int32) -> Character? { KernelProcessEntry(pid: pid)?.state }

    /// Stopped by SIGSTOP (state `T`), or in a cgroup the kernel reports frozen.
    static func isPaused(_ pid: Int32) -> Bool { state(pid) == "T" || KernelCgroup.isFrozen(pid) }

    @Test func pauseStopsEveryProcessOfTheTreeAndResumeContinuesThem() throws {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        let members = try Self.started(project)

        let pause = project.devctl("pause", "worker")
        #expect(pause.exitCode == 0, "\(pause)")
        #expect(pause.stdout.contains("worker paused"), "\(pause)")
        for process in members {
            #expect(Self.isPaused(process.pid), "\(process.commandLine) (pid \(process.pid)) is not stopped")
        }
        let other = try #require(project.trackedPIDs["other"])
        #expect(!Self.isPaused(other), "a service that was not named was paused")

        let resume = project.devctl("resume", "worker")
        #expect(resume.exitCode == 0, "\(resume)")
        #expect(resume.stdout.contains("worker resumed"), "\(resume)")
        for process in members {
            let state = Self.state(process.pid)
            #expect(state != nil && !Self.isPaused(process.pid), "\(process.commandLine) (pid \(process.pid)) is \(state.map(String.init) ?? "gone")")
        }
        let events = project.read(".pids/events.log") ?? ""
        #expect(events.contains(#""event":"pause","service":"worker""#))
        #expect(events.contains(#""event":"resume","service":"worker""#))
    }

    @Test func statusShowsAPausedServiceAsPaused() throws {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        _ = try Self.started(project)
        #expect(project.devctl("pause", "worker").exitCode == 0)
        let status = project.devctl("status", "--json")
        #expect(status.exitCode == 0, "paused still counts as running: \(status)")
        #expect(status.stdout.contains(#""name":"worker","state":"paused""#), "\(status)")
        #expect(status.stdout.contains(#""name":"other","state":"running""#), "\(status)")
        let table = project.devctl("status", "worker")
        #expect(table.stdout.contains("paused"), "\(table)")
    }

    @Test func pausingTwiceSaysSoAndSucceeds() throws {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        _ = try Self.started(project)
        #expect(project.devctl("pause", "worker").exitCode == 0)
        let again = project.devctl("pause", "worker")
        #expect(again.exitCode == 0, "\(again)")
        #expect(again.stdout.contains("worker is already paused"), "\(again)")
        let resume = project.devctl("resume", "other")
        #expect(resume.exitCode == 0, "\(resume)")
        #expect(resume.stdout.contains("other is not paused"), "\(resume)")
    }

    @Test func pausingAStoppedServiceIsAnErrorButTheOthersArePaused() throws {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        #expect(project.devctl("start", "other").exitCode == 0)
        let result = project.devctl("pause", "worker", "other")
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.stderr.contains("error: cannot pause 'worker': it is not running"), "\(result)")
        #expect(result.stdout.contains("other paused"), "\(result)")
        let other = try #require(project.trackedPIDs["other"])
        #expect(Self.isPaused(other))
    }

    @Test func unknownServiceIsAUsageError() {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        let result = project.devctl("pause", "wroker")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("did you mean 'worker'"), "\(result)")
    }

    @Test func stopOfAPausedServiceEndsItsWholeTreeGracefully() throws {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        let members = try Self.started(project)
        #expect(project.devctl("pause", "worker").exitCode == 0)
        let stop = project.devctl("stop", "--json")
        #expect(stop.exitCode == 0, "\(stop)")
        #expect(stop.stdout.contains(#"{"name":"worker","pid":\#(members[0].pid),"outcome":"graceful""#), "\(stop)")
        for process in members { #expect(!KernelProcessEntry.isAlive(process.pid), "pid \(process.pid) survived") }
    }
}
