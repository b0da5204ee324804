#if canImport(Glibc)
import Glibc
#endif
import DevctlTestSupport
import Foundation
import Testing

/// What devctl says about a supervised service must agree with its keeper at the moment it is
/// asked, not only once things have settled: a script reads `status --json` right after an exit,
/// not a second later. (That `start` names the run its keeper restarted during the wait is
/// UpSupervisionTests' `startNamesTheRunItsKeeperRestartedWhileItWaitedForItsHealth`.)
extension SupervisionTests {
    @Test(arguments: [("no", "dead"), ("on-failure", "restarting")])
    func statusNeverShowsAnExitedServiceBeforeItsKeeperHasSaidHowItEnded(policy: String, expected: String) throws {
        // Sixteen services that exit 3 one after another, 0.05 s apart, while status is asked again
        // and again: every answer must show each either running or ended with its exit.
        let names = (1...16).map { "s\($0)" }
        let services = names.enumerated().map { index, name -> [String: Any] in
            ["name": name, "command": Self.gated("sleep \(String(format: "%.2f", Double(index) * 0.05)); exit 3"),
             "restart": policy, "restartDelay": 30]
        }
        let config = try JSONSerialization.data(withJSONObject: ["services": services], options: [.sortedKeys])
        let project = TestProject(String(decoding: config, as: UTF8.self))
        defer { project.cleanUp() }
        let start = project.devctl("start")
        try #require(start.exitCode == 0, "\(start)")
        project.touch("go")
        var wrong = [String]()
        let settled = TestProcesses.waitUntil(timeout: 20) {
            guard let answer = try? project.statusJSON().1 else { return false }
            var ended = 0
            for name in names {
                guard let service = answer[name], let state = service["state"] as? String, state != "running" else { continue }
                ended += 1
                let exit = Self.exit(service)
                if state != expected || exit?["code"] as? Int != 3 {
                    wrong.append("\(name) \(state), exit \(exit.map { "\($0)" } ?? "unknown")")
                }
            }
            return ended == names.count
        }
        #expect(settled, "the services did not all end")
        #expect(wrong.isEmpty, "status showed a service ended before its keeper had recorded how: \(wrong)")
    }
}
