import DevctlTestSupport
import Foundation
import Testing

/// When the kernel refuses a signal or `/proc` cannot be read, `stop` cannot prove anything is
/// gone: it must say so, exit 1, print no ✓ and keep the tracking entry, so a later stop can
/// finish the job. The failures are injected into the built (debug) devctl through
/// `DEVCTL_FAULTS`; the service itself is real, and judged by the independent /proc reader.
@Suite struct FailClosedTests {
    /// Session containment: with a cgroup, `cgroup.kill` would end the service without a signal.
    static let config = #"{"stopTimeout": 0.2, "containment": "session", "services": [{"name": "web", "command": ["sleep", "300"]}]}"#

    /// Starts `web` and returns its PID.
    static func started(_ project: TestProject) throws -> Int32 {
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        return try #require(project.trackedPIDs["web"])
    }

    @Test func stopFailsClosedWhenTheKernelRefusesEverySignal() throws {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        let pid = try Self.started(project)

        project.extraEnvironment["DEVCTL_FAULTS"] = "pidfd_send_signal(=EPERM;kill(=EPERM"
        let refused = project.devctl("stop")
        #expect(refused.exitCode == 1, "\(refused)")
        #expect(refused.stdout.contains("Operation not permitted") || refused.stderr.contains("Operation not permitted"), "\(refused)")
        #expect(!refused.stdout.contains("✓") && !refused.stderr.contains("✓"), "a ✓ it cannot back\n\(refused)")
        #expect(!KernelProcessEntry.isDead(pid), "the fault was not injected")
        #expect(project.trackedPIDs["web"] == pid, "the entry of a service not proven gone must stay")

        project.extraEnvironment["DEVCTL_FAULTS"] = nil
        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        #expect(KernelProcessEntry.waitUntilDead(pid))
        #expect(project.trackedPIDs.isEmpty)
    }

    @Test func stopFailsClosedWhenProcCannotBeRead() throws {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        let pid = try Self.started(project)

        project.extraEnvironment["DEVCTL_FAULTS"] = "opendir(/proc)=EACCES"
        let stop = project.devctl("stop")
        #expect(stop.exitCode == 1, "\(stop)")
        #expect(stop.stderr.contains("opendir(/proc): Permission denied"), "\(stop)")
        #expect(!stop.stdout.contains("✓") && !stop.stderr.contains("✓"), "\(stop)")
        #expect(!KernelProcessEntry.isDead(pid))
        #expect(project.trackedPIDs["web"] == pid)

        let status = project.devctl("status")
        #expect(status.exitCode == 1, "status must not call a service it cannot see 'stopped'\n\(status)")
        #expect(!status.stdout.contains("stopped"), "\(status)")
    }

    @Test func restartStartsNoTwinWhenTheOldProcessCannotBeProvenGone() throws {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        let pid = try Self.started(project)

        project.extraEnvironment["DEVCTL_FAULTS"] = "pidfd_send_signal(=EPERM;kill(=EPERM"
        let restart = project.devctl("restart", "web")
        #expect(restart.exitCode == 1, "\(restart)")
        #expect(restart.stdout.contains("nothing was started"), "\(restart)")
        #expect(!restart.stdout.contains("✓ restarted"), "\(restart)")
        #expect(project.trackedPIDs["web"] == pid)
        #expect(project.markedProcesses == [pid], "a twin was started beside the survivor")
    }
}
