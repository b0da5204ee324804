#if canImport(Glibc)
import Glibc
#endif
import DevctlTestSupport
import Foundation
import Testing

/// `--` ends the options, as everywhere on the command line: what follows are names, and a lone
/// `--` is no names at all.
@Suite struct DoubleDashTests {
    /// With nothing after it, `stop --` is exactly `stop`: everything, as the user typed.
    @Test func stopWithALoneDoubleDashStopsEverythingAsStopDoes() {
        let project = TestProject(Fixtures.sleepers(2))
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let processes = project.markedProcesses
        #expect(processes.count == 2)
        let result = project.devctl("stop", "--")
        #expect(result.exitCode == 0, "\(result)")
        #expect(project.trackedPIDs.isEmpty)
        for pid in processes { #expect(!KernelProcessEntry.isAlive(pid)) }
    }

    /// After `--` a word that looks like an option is a name, and no service is called that.
    @Test func anOptionLikeNameAfterDoubleDashIsAnUnknownServiceAndStopsNothing() {
        let project = TestProject(Fixtures.sleepers(1))
        defer { project.cleanUp() }
        #expect(project.devctl("start").exitCode == 0)
        let result = project.devctl("stop", "--", "--force")
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("unknown service '--force'"), "\(result)")
        #expect(project.trackedPIDs.keys.sorted() == ["s1"])
    }
}
