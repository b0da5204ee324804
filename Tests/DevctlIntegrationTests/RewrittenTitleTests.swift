import DevctlTestSupport
import Foundation
import Testing

/// Servers that set their process title (redis, nginx, gunicorn with setproctitle, Perl's `$0`)
/// overwrite the memory `/proc/PID/environ` shows, and with it the `DEVCTL_PROJECT` marker. The
/// leader devctl recorded is still the service's: its PID, start time and session prove it.
@Suite struct RewrittenTitleTests {
    /// A title longer than the argument area makes Perl write over the environment too.
    static let config = #"{"services": [{"name": "titled", "command": ["perl", "-e", "$0 = 'titled-server ' x 400; sleep 300"]}]}"#

    @Test func aLeaderThatRewroteItsEnvironmentIsStillRunningAndIsStopped() throws {
        let project = TestProject(Self.config)
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let pid = try #require(project.trackedPIDs["titled"])
        #expect(TestProcesses.waitUntil { KernelProcessEntry.environment(of: pid)?["DEVCTL_PROJECT"] == nil },
                "the title did not overwrite the environment, so this test proves nothing")

        let status = project.devctl("status")
        #expect(status.exitCode == 0, "\(status)")
        #expect(status.stdout.split(separator: "\n").contains { $0.hasPrefix("titled ") && $0.contains(" running ") }, "\(status)")
        #expect(!status.stderr.contains("ignoring tracking entry"), "\(status)")

        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        #expect(KernelProcessEntry.waitUntilDead(pid), "stop left the service running\n\(stop)")
        #expect(project.trackedPIDs.isEmpty)
    }
}
