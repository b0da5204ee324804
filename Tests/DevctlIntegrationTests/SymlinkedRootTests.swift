import DevctlTestSupport
import Foundation
import Testing

/// The same project reached through a symbolic link is the same project: one marker, one
/// `.pids/`, whichever way `start` and `stop` name it.
@Suite struct SymlinkedRootTests {
    @Test func startThroughALinkAndStopThroughTheRealPathLeavesNothing() throws {
        let project = TestProject(#"{"services": [{"name": "web", "command": ["sleep", "300"]}]}"#)
        defer { project.cleanUp() }
        let link = project.root + "-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: project.root)
        defer { try? FileManager.default.removeItem(atPath: link) }

        #expect(project.devctl("-f", link + "/services.json", "start").exitCode == 0)
        let pid = try #require(project.trackedPIDs["web"])
        #expect(KernelProcessEntry.environment(of: pid)?["DEVCTL_PROJECT"] != nil)

        project.extraEnvironment["DEVCTL_FILE"] = project.canonicalRoot + "/services.json"
        let stop = project.devctl("stop")
        #expect(stop.exitCode == 0, "\(stop)")
        #expect(KernelProcessEntry.waitUntilDead(pid), "the service survived a stop through the other path\n\(stop)")
        #expect(project.trackedPIDs.isEmpty)

        project.extraEnvironment["DEVCTL_FILE"] = link + "/services.json"
        #expect(project.devctl("start").exitCode == 0)
        let second = try #require(project.trackedPIDs["web"])
        // With the tracking files lost, only the marker finds it: it must be the same marker.
        for file in ["services.pids", "services.pids.services", "services.pids.groups", "services.pids.identity"] {
            try FileManager.default.removeItem(atPath: project.root + "/.pids/" + file)
        }
        project.extraEnvironment["DEVCTL_FILE"] = nil
        let again = project.devctl("stop")
        #expect(again.exitCode == 0, "\(again)")
        #expect(KernelProcessEntry.waitUntilDead(second))
    }
}
