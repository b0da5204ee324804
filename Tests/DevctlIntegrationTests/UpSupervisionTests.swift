#if canImport(Glibc)
import Glibc
#endif
import DevctlTestSupport
import Foundation
import Testing

/// `devctl up` and `start` over keepers (SPEC §5, §6): up's exit code when a service failed to
/// start, what it never mistakes for another devctl's work, a keeper's restart announced as it
/// happens, and the run a keeper restarted while `start` waited named as the one that is ready.
@Suite struct UpSupervisionTests {
    @Test func upExitsOneAfterCtrlCWhenAServiceFailedToStartAndLeavesNothingRunning() throws {
        let project = TestProject(#"""
        {"services": [
          {"name": "good", "command": ["sleep", "300"]},
          {"name": "ghost", "command": ["no-such-binary-devctl-test"]}
        ]}
        """#)
        defer { project.cleanUp() }
        let up = UpTests.Session(["up"], project: project)
        #expect(up.wait(for: "following"), "\(up.output)")
        let good = try #require(project.trackedPIDs["good"], "\(up.output)")
        #expect(KernelProcessEntry.isAlive(good))
        up.signal(SIGINT)
        let result = up.finish()
        #expect(result.exitCode == 1, "a service failed to start, so up fails even after Ctrl-C: \(result)")
        #expect(result.stdout.contains("ghost"), "\(result)")
        #expect(KernelProcessEntry.isDead(good), "good survived up")
        #expect(project.markedProcesses.isEmpty, "left running: \(project.markedProcesses)")
        #expect(project.trackedPIDs.isEmpty)
        #expect(ProjectKeepers.waitUntilGone(project), "keepers left: \(ProjectKeepers.of(project).map(\.pid))")
    }

    @Test func aServiceThatFailedItsHealthCheckButRunsIsNeverSaidToBeStartedByAnotherDevctl() throws {
        let project = TestProject(#"""
        {"services": [
          {"name": "steady", "command": "while :; do echo steady; sleep 0.1; done"},
          {"name": "unready", "command": "echo warming up; exec sleep 300", "healthcheck": {"command": "false", "timeout": 1}}
        ]}
        """#)
        defer { project.cleanUp() }
        let up = UpTests.Session(["up"], project: project)
        #expect(up.wait(for: "following"), "\(up.output)")
        let unready = try #require(project.trackedPIDs["unready"], "it is left running: \(up.output)")
        #expect(KernelProcessEntry.isAlive(unready))
        // Many rounds of up's watch, each of which could have mistaken it for a newcomer.
        let followed = up.output.count
        #expect(TestProcesses.waitUntil(timeout: 30) { up.output.count > followed + 200 }, "up kept following")
        up.signal(SIGINT)
        let result = up.finish()
        #expect(result.stdout.contains("not healthy after 1 s"), "\(result)")
        #expect(!result.stdout.contains("started by another devctl"), "\(result)")
        #expect(result.exitCode == 1, "\(result)")
        #expect(KernelProcessEntry.isDead(unready), "unready survived up")
        #expect(project.markedProcesses.isEmpty)
    }

    @Test func upAnnouncesAKeepersRestartAndFollowsTheNewRun() throws {
        // Exits 3 a second into its first run only (after start's settle), then ticks for good.
        let project = TestProject(#"""
        {"services": [{"name": "flaky", "restart": "on-failure", "restartDelay": 0.2,
          "command": "if [ ! -f ran.flag ]; then touch ran.flag; echo first run; sleep 1; exit 3; fi; echo second run; i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.1; done"}]}
        """#)
        defer { project.cleanUp() }
        let up = UpTests.Session(["up"], project: project)
        #expect(up.wait(for: "following"), "\(up.output)")
        let first = try #require(project.trackedPIDs["flaky"], "\(up.output)")
        #expect(up.wait(for: "restarted (pid"), "\(up.output)")
        #expect(up.wait(for: "flaky | tick-5\n"), "up follows the new run: \(up.output)")
        let second = try #require(project.trackedPIDs["flaky"])
        #expect(second != first)
        #expect(KernelProcessEntry.isAlive(second))
        up.signal(SIGINT)
        let result = up.finish()
        #expect(result.exitCode == 0, "\(result)")

        let lines = result.stdout.split(separator: "\n").map(String.init)
        let exited = lines.firstIndex { $0.contains("flaky exited with status 3 (pid \(first))") && $0.contains("restarting in") }
        let restarted = lines.firstIndex { $0.contains("flaky restarted (pid \(second)") }
        let exitedAt = try #require(exited, "the exit is announced with the restart to come: \(result)")
        let restartedAt = try #require(restarted, "\(result)")
        #expect(exitedAt < restartedAt, "\(result)")
        #expect(lines.lastIndex(of: "flaky | tick-5").map { $0 > restartedAt } == true, "\(result)")
        #expect(lines.contains("flaky | first run"), "\(result)")
        #expect(lines.contains("flaky | second run"), "\(result)")
        #expect(result.stdout.contains("[5/5]"), "\(result)")
        #expect(KernelProcessEntry.isDead(second), "the restarted run survived up")
        #expect(project.markedProcesses.isEmpty)
        #expect(ProjectKeepers.waitUntilGone(project), "keepers left: \(ProjectKeepers.of(project).map(\.pid))")
    }

    @Test func startNamesTheRunItsKeeperRestartedWhileItWaitedForItsHealth() throws {
        // The first run exits 3 before it is healthy; its keeper restarts it and the wait goes on.
        let project = TestProject(#"""
        {"services": [{"name": "flaky", "restart": "on-failure", "restartDelay": 0.2,
          "command": "if [ ! -f ran.flag ]; then touch ran.flag; exit 3; fi; echo ready to serve; exec sleep 300",
          "healthcheck": {"log": "ready to serve", "timeout": 10}}]}
        """#)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        // What a script reads the moment start has returned.
        let services = project.read(".pids/services.pids.services")
        let pids = project.read(".pids/services.pids")
        let groups = project.read(".pids/services.pids.groups")
        #expect(start.exitCode == 0, "\(start)")
        let live = project.markedProcesses.filter { KernelProcessEntry.environment(of: $0)?["DEVCTL_SERVICE"] == "flaky" }
        #expect(live.count == 1, "\(live)")
        let leader = try #require(live.first)
        #expect(KernelProcessEntry(pid: leader)?.arguments == ["sleep", "300"])
        #expect(start.stdout.contains("flaky ready (pid \(leader),"), "ready names a run that is gone: \(start)")
        #expect(start.stdout.split(separator: "\n").contains { $0.hasPrefix("flaky ") && $0.contains(" \(leader) ") && $0.contains("started") },
                "the summary names a run that is gone: \(start)")
        #expect(services == "flaky:\(leader)\n", "after a restart the tracking files name the new PID")
        #expect(pids == "\(leader)\n")
        #expect(groups == "\(leader):flaky:\(leader)\n")
    }
}

private extension UpTests.Session {
    /// What the `up` has printed so far.
    var output: String { LaunchedOutput.stdout(of: launched) }
}
