#if canImport(Glibc)
import Glibc
#endif
import DevctlTestSupport
import Foundation
import Testing

/// What a supervision test needs to see of a project's keepers, status and logs, read from `/proc`
/// and the files themselves, never through devctl's own code: a keeper is known by its argument
/// vector (`ProjectKeepers`), not by what its state file claims.
extension TestProject {
    /// The parent of `leader` when that parent is a keeper of this project, else nil.
    func keeper(of leader: pid_t) -> KernelProcessEntry? {
        guard let parent = KernelProcessEntry(pid: leader)?.parent else { return nil }
        return ProjectKeepers.of(self).first { $0.pid == parent }
    }

    /// The row of `service` in plain `status` output (no colour: output is a file), and the run.
    func statusRow(_ service: String) -> (RunResult, String?) {
        let result = devctl("status")
        let row = result.stdout.split(separator: "\n").first { $0.split(separator: " ").first.map(String.init) == service }
        return (result, row.map(String.init))
    }

    /// `status --json`'s object for `service`, or nil.
    func statusJSON(of service: String) -> [String: Any]? {
        (try? statusJSON())?.1[service]
    }

    /// Polls `status --json` until `service`'s `state` is `state`; its object then, or nil after
    /// `timeout`.
    @discardableResult
    func waitForState(_ service: String, _ state: String, timeout: Double = 20) -> [String: Any]? {
        var found: [String: Any]?
        TestProcesses.waitUntil(timeout: timeout) {
            found = statusJSON(of: service)
            return found?["state"] as? String == state
        }
        return found?["state"] as? String == state ? found : nil
    }

    /// The stamped lines of `.pids/logs/SERVICE.log`.
    func logLines(_ service: String) -> [StampedLine] {
        (StampedLine.rawLines(ofFile: root + "/.pids/logs/\(service).log") ?? []).compactMap(StampedLine.init)
    }

    /// The run headers (`==> devctl start NAME …`, `==> devctl restart NAME …`) of `service`'s log.
    func runHeaders(_ service: String) -> [StampedLine] {
        logLines(service).filter {
            $0.text.hasPrefix("==> devctl start \(service) ") || $0.text.hasPrefix("==> devctl restart \(service) ")
        }
    }

    /// Creates an empty file under the root (a gate a service's command waits for).
    func touch(_ path: String) {
        write(path, "")
    }

    /// Every live process carrying this test's marker or this project's `DEVCTL_PROJECT`.
    var projectProcesses: [pid_t] {
        Set(markedProcesses + KernelProcessEntry.carrying("DEVCTL_PROJECT", marker)).sorted()
    }
}

extension StampedLine {
    /// A bare stamp, as `exit.at` in `status --json` is one (`2026-12-04T19:48:38.123Z`), read as a
    /// time by the same reader as a log line's; nil unless it is RFC 3339 UTC with milliseconds.
    static func date(ofStamp stamp: String) -> Date? {
        guard let line = StampedLine(stamp + " "), line.stamp == stamp, line.text.isEmpty else { return nil }
        return line.date
    }
}
