import DevctlTestSupport
import Foundation
import Testing

/// A command that daemonizes itself exits 0 once its daemon runs: the service is `running`, not
/// failed, and the tracking files then name the daemon (its oldest remaining process).
@Suite struct DaemonizingTests {
    /// The daemon calls setsid, as pg_ctl's postmaster, redis and nginx do, and keeps its
    /// environment, so sessions can follow it through its marker too.
    static let command = "(setsid sleep 380 &) ; exit 0"

    @Test(arguments: ["session", "cgroup"])
    func aLeaderThatExitsZeroLeavingItsDaemonIsRunningAndStoppable(containment: String) throws {
        if containment == "cgroup" && !KernelCgroup.isUsable { try Test.cancel("needs a writable cgroup2 hierarchy") }
        let project = TestProject(#"{"containment": "\#(containment)", "services": [{"name": "daemon", "command": "\#(Self.command)"}]}"#)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)")
        let daemon = try #require(project.trackedPIDs["daemon"])
        #expect(TestProcesses.waitUntil { KernelProcessEntry(pid: daemon)?.commandLine == "sleep 380" },
                "the tracking files do not name the daemon but \(KernelProcessEntry(pid: daemon)?.commandLine ?? "a dead process")")
        let (status, services) = try project.statusJSON()
        #expect(services["daemon"]?["state"] as? String == "running", "\(status)")
        #expect(services["daemon"]?["pid"] as? Int == Int(daemon), "\(status)")
        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        #expect(KernelProcessEntry.waitUntilDead(daemon))
    }

    /// Without cgroups, a daemon that leaves its session and wipes its environment (as redis and
    /// nginx rewrite theirs) is still found: it was reparented to the service's keeper.
    @Test func withoutCgroupsADaemonThatHidesEverythingIsFollowedThroughItsKeeper() throws {
        let daemonize = "import os, sys\nif os.fork(): sys.exit(0)\nos.setsid()\nif os.fork(): os._exit(0)\n"
            + "os.execve('/bin/sleep', ['sleep', '381'], {})"
        let config: [String: Any] = ["containment": "session",
                                     "services": [["name": "hidden", "command": ["python3", "-c", daemonize]]]]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        let project = TestProject(json)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        #expect(start.exitCode == 0, "\(start)")
        let keeper = try #require(project.read(".pids/keepers/hidden.state")?.split(separator: "\n")
            .first { $0.hasPrefix("keeper ") }.flatMap { Int32($0.split(separator: " ")[1]) }, "no keeper record")
        var daemon: KernelProcessEntry?
        #expect(TestProcesses.waitUntil {
            daemon = KernelProcessEntry.all().first { $0.parent == keeper && $0.arguments == ["sleep", "381"] }
            return daemon != nil
        }, "the daemon was not reparented to the keeper")
        let hidden = try #require(daemon)
        #expect(KernelProcessEntry.environment(of: hidden.pid)?.isEmpty == true, "the daemon keeps no marker")
        let leader = try #require(project.read(".pids/keepers/hidden.state")?.split(separator: "\n")
            .first { $0.hasPrefix("leader ") }.flatMap { Int32($0.split(separator: " ")[1]) })
        #expect(hidden.session != leader && hidden.processGroup != leader, "the daemon left the service's session and group")
        let (status, services) = try project.statusJSON()
        #expect(services["hidden"]?["state"] as? String == "running", "\(status)")
        #expect(services["hidden"]?["processes"] as? Int == 1, "\(status)")
        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        #expect(KernelProcessEntry.waitUntilDead(hidden.pid), "the stop left the daemon running")
    }

    @Test func aLeaderThatExitsZeroLeavingNothingFailsAndSaysWhy() throws {
        let project = TestProject(#"{"containment": "session", "services": [{"name": "gone", "command": "exit 0"}]}"#)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        #expect(start.exitCode == 1, "\(start)")
        #expect(start.stdout.contains("exited with status 0, and nothing it started is left"), "\(start)")
    }
}
