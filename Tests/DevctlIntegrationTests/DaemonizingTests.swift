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

    @Test func aLeaderThatExitsZeroLeavingNothingFailsAndSaysWhy() throws {
        let project = TestProject(#"{"containment": "session", "services": [{"name": "gone", "command": "exit 0"}]}"#)
        defer { project.cleanUp() }
        let start = project.devctl("start")
        #expect(start.exitCode == 1, "\(start)")
        #expect(start.stdout.contains("exited with status 0, and nothing it started is left"), "\(start)")
    }
}
