#if canImport(Glibc)
import Glibc
#endif
import DevctlTestSupport
import Foundation

/// The keepers of a test's project while the test runs, found by their command line
/// (`devctl-keeper ROOT/.pids/keepers/NAME.spec`): a keeper runs with an empty environment, so the
/// test's `DEVCTL_TEST_ID` marker cannot find it. Read with the independent `KernelProcessEntry`.
/// (`cleanUp` makes sure none outlives the test.)
enum ProjectKeepers {
    /// The live keepers whose specification lies under the project's root.
    static func of(_ project: TestProject) -> [KernelProcessEntry] {
        let folders = Set([project.root, project.canonicalRoot]).map { $0 + "/.pids/keepers/" }
        return KernelProcessEntry.all().filter { process in
            guard !process.isDead, process.arguments.count == 2, process.arguments[0].hasSuffix("/devctl-keeper") else { return false }
            return folders.contains { process.arguments[1].hasPrefix($0) }
        }
    }

    /// Waits (generously) until none of the project's keepers is left.
    @discardableResult
    static func waitUntilGone(_ project: TestProject, timeout: Double = 10) -> Bool {
        TestProcesses.waitUntil(timeout: timeout) { of(project).isEmpty }
    }
}
